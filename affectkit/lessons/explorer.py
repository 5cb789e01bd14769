"""Notebook 07: the latent explorer."""

from . import Claim, Exercise
from ._checks import SMALL, number

CLAIMS = [
    Claim("CMDM Sec. 3.2: matching alone collapses the latent space",
          lambda r: f"spread collapsed {r['latent_spread']['collapsed']:.2f} vs with the unpaired term "
                    f"{r['latent_spread']['fixed']:.2f}",
          lambda r: r["latent_spread"]["fixed"] >= 4 * r["latent_spread"]["collapsed"]),
    Claim("CMDM Sec. 3.2: matching brings the modalities' latents together",
          lambda r: f"modality silhouette vanilla {r['modality_silhouette']['vanilla']:.2f}, matched "
                    f"{r['modality_silhouette']['matched']:.2f} (lower: more mixed)",
          lambda r: r["modality_silhouette"]["matched"] < r["modality_silhouette"]["vanilla"]),
]


def _scale(answer, profile):
    v, bad = number(answer, "silhouette after / before")
    if bad:
        return bad
    if abs(v - 1) < 1e-4:
        return True, ("1: the silhouette is a ratio of distances, blind to scale; a collapse shows in the "
                      "spread, not in the silhouette")
    return False, f"{v:.4g}: compare latent.silhouette(0.1 * z, y) with latent.silhouette(z, y)"


def _knn(answer, profile):
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, "give a pair: (kNN accuracy with the true labels, with shuffled labels)"
    true, bad = number(answer[0], "the kNN accuracy with true labels")
    if bad:
        return bad
    shuffled, bad = number(answer[1], "the kNN accuracy with shuffled labels")
    if bad:
        return bad
    if profile == SMALL:
        return None, "the smoke split is too small to judge it; run at profile 'lab'"
    if true > shuffled + 0.1 and abs(shuffled - 0.25) < 0.08:
        return True, f"{true:.2f} vs {shuffled:.2f}: shuffled labels give chance (0.25), a baseline for every map"
    return False, f"({true:.2f}, {shuffled:.2f}): shuffled labels should give about chance, 0.25"


EXERCISES = {
    1: Exercise(_scale, "1: the silhouette does not change when a space shrinks"),
    2: Exercise(_knn, "(true above chance, shuffled near 0.25)"),
}

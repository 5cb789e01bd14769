"""Notebook 07: the latent explorer."""

from ..readings import saturated
from . import Claim, Exercise
from ._checks import SMALL, number, unit
from ._text import ASSERTED, f
from .dg import mixes_domains

NOTEBOOK = "07_latent_explorer"
SHARES_MODELS = True   # loads the models 03-05 saved (affectkit.model_store), or trains them
TITLE = "The latent explorer"


def _spread(r):
    return {row["model"]: row["spread"] for row in r["collapse_scores"]}


def _pulls(r):
    """The kit's rule (readings.saturated, as in notebooks 03 and 04): a term at 95% of its ceiling exerts no pull."""
    return not saturated(r["full_matching"]["pair"], r["full_matching"]["ceiling"])


def _dg(r):
    rows = {row["model"]: row for row in r["dg_scores"]}
    off = rows.pop("ω = 0")
    return off, next(iter(rows.values()))


def _mixes(r) -> bool:
    """Every matched model's domain silhouette at most half of omega = 0's (notebook 05's rule)."""
    rows = {row["model"]: row["silhouette_domain"] for row in r["dg_scores"]}
    off = rows.pop("ω = 0")
    return all(mixes_domains(off, on) for on in rows.values())


CLAIMS = [
    Claim("CMDM Sec. 3.2: matching alone collapses the latent space",
          lambda r: f"spread: matching alone {_spread(r)['mmd_only']:.2f}, vanilla {_spread(r)['vanilla']:.2f}",
          lambda r: _spread(r)["vanilla"] >= 4 * _spread(r)["mmd_only"]),
    Claim("CMDM Eq. 6-7 (the paper's weights; sigma = 1, the kit's choice): the full objective's matching "
          "term pulls an utterance's latents together",
          lambda r: f"L_pair of the full model on the test latents {r['full_matching']['pair']:.3f} of its ceiling "
                    f"{r['full_matching']['ceiling']:g}: "
                    + ("it pulls" if _pulls(r) else "no pull, the model trains as vanilla with reconstruction"),
          _pulls,
          expect=False),
    Claim("CMDM Sec. 3.2: matching (median sigma, notebook 04) brings the modalities' latents together",
          lambda r: f"modality silhouette vanilla {r['modality_silhouette']['vanilla']:.2f}, matched "
                    f"{r['modality_silhouette']['matched']:.2f} (lower: more mixed)",
          lambda r: r["modality_silhouette"]["matched"] < r["modality_silhouette"]["vanilla"]),
    Claim("EASUM's premise (\"domain-invariant features\", never measured there), read on the map as notebook 05 "
          "reads it: moment matching mixes the domains (the domain silhouette at least halves). Mixing is not "
          "invariance: notebook 05's domain probe still tells the corpora apart",
          lambda r: f"domain silhouette {_dg(r)[0]['silhouette_domain']:.3f} with omega = 0, "
                    f"{_dg(r)[1]['silhouette_domain']:.3f} with moment matching",
          _mixes),
]


def sidecar(r, need, profile):
    spread, sil = r["latent_spread"], r["modality_silhouette"]
    need(set(spread) == {"collapsed", "fixed"} and all(v > 0 for v in spread.values()), f"latent_spread: {spread}")
    need(set(sil) == {"vanilla", "matched"} and all(-1 <= v <= 1 for v in sil.values()), f"modality_silhouette: {sil}")
    knn = r["knn_accuracy"]
    need(set(knn) == {"vanilla", "matched"} and all(unit(v) for v in knn.values()), f"knn_accuracy: {knn}")
    need(all(0 <= row["trustworthiness"] <= 1 for row in r["collapse_scores"]), "collapse_scores: trustworthiness")
    full = r["full_matching"]
    need(set(full) == {"pair", "ceiling", "vanilla_pair"} and 0 <= full["pair"] <= full["ceiling"] == 4,
         f"full_matching: {full}")
    need({row["model"] for row in r["dg_scores"]} >= {"ω = 0"}, "dg_scores: the ω = 0 model")


def readme(r) -> list:
    s, sil = r["latent_spread"], r["modality_silhouette"]
    return [f"the collapsed latent space is {s['fixed'] / s['collapsed']:.0f}x smaller than the full model's "
            f"(spread {f(s['collapsed'], 2)} vs {f(s['fixed'], 2)}) {ASSERTED}",
            f"modality silhouette vanilla {f(sil['vanilla'])} vs matched (notebook 04, median bandwidth) "
            f"{f(sil['matched'])}: matching mixes the modalities {ASSERTED}"]


def _scale(answer, profile):
    v, bad = number(answer, "silhouette after / before")
    if bad:
        return bad
    if abs(v - 1) < 1e-4:
        return True, ("1: the silhouette is a ratio of distances, blind to scale; a collapse shows in the "
                      "spread, not in the silhouette")
    return False, f"{v:.4g}: compare latent.silhouette(0.1 * z, y) with latent.silhouette(z, y)"


def _shares(profile):
    import numpy as np

    import affectkit
    world = affectkit.make_world(profile, seed=0)
    y = np.concatenate([ds.y_true.numpy() for ds in (world.train, world.val, world.test, world.unlabeled)])
    return np.bincount(y) / len(y)


def _knn(answer, profile):
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, "give a pair: (kNN accuracy with the true labels, with shuffled labels)"
    true, bad = number(answer[0], "the kNN accuracy with true labels")
    if bad:
        return bad
    shuffled, bad = number(answer[1], "the kNN accuracy with shuffled labels")
    if bad:
        return bad
    if profile in SMALL:
        return None, "the smoke split is too small to judge it; run at profile 'lab'"
    p = _shares(profile)
    low, high = float((p ** 2).sum()), float(p.max())   # guessing by the class shares .. always the majority class
    if true > shuffled + 0.1 and low - 0.03 <= shuffled <= high + 0.03:
        return True, (f"{true:.2f} vs {shuffled:.2f}: shuffled labels leave only the class shares to learn, between "
                      f"guessing by the shares ({low:.2f}) and always answering the largest class ({high:.2f}): "
                      "that, not 0.25, is the baseline for every map of these unbalanced data")
    return False, (f"({true:.2f}, {shuffled:.2f}): shuffled labels should score about what the class shares alone "
                   f"give ({low:.2f} to {high:.2f}), and the true labels clearly more")


def _random_groups(answer, profile):
    v, bad = number(answer, "a silhouette")
    if bad:
        return bad
    if not -1 <= v <= 1:
        return False, f"{v:.3f}: a silhouette lies in -1..1"
    if profile in SMALL:
        return None, f"{v:.3f}: the smoke split is too small to judge it; run at profile 'lab'"
    if -0.05 <= v <= 0.01:
        return True, (f"{v:.3f}: about 0, slightly negative: random groups overlap completely; emotion silhouettes "
                      "near 0 say the emotions overlap about as much as random groups do, however well kNN reads them")
    return False, (f"{v:.3f}: random groups should give about 0 (slightly negative); use "
                   "latent.silhouette(z, groups) with the acoustic test features of the lab world")


EXERCISES = {
    1: Exercise(_scale, "one number: the silhouette of the shrunk space divided by the original's"),
    2: Exercise(_knn, "a pair of two accuracies in [0, 1]: (with the true labels, with shuffled labels); "
                      "judged at lab sizes"),
    3: Exercise(_random_groups, "one number in [-1, 1]: the silhouette of four random groups; judged at lab sizes"),
}

"""Notebook 05: EASUM's domain-general model and moment matching."""

from . import Claim, Exercise
from ._checks import number


def _md(r):
    return r["md_total"]


def _probe(r):
    return r["domain_probe_acc"]


def _balancing(r):
    return {row["domain"]: row for row in r["balancing_gain"]}


CLAIMS = [
    Claim("EASUM Sec. 3.3: moment matching lowers the moment distance between corpora",
          lambda r: f"MD_total {_md(r)['omega0']:.2f} without, {_md(r)['mm']:.2f} with moment matching",
          lambda r: _md(r)["mm"] * 3 < _md(r)["omega0"]),
    Claim("EASUM: moment matching moves the representation towards domain invariance",
          lambda r: f"domain probe {_probe(r)['omega0']:.2f} -> {_probe(r)['mm']:.2f} (chance {_probe(r)['chance']:.2f})",
          lambda r: abs(_probe(r)["mm"] - _probe(r)["chance"]) < abs(_probe(r)["omega0"] - _probe(r)["chance"])),
    Claim("EASUM: with moment matching the corpora cannot be told apart",
          lambda r: f"the domain probe still names the corpus {_probe(r)['mm']:.0%} of the time",
          lambda r: _probe(r)["mm"] < 2 * _probe(r)["chance"], expect=False),
    Claim("EASUM Sec. 3.3: balancing with augmented copies (Eq. 1; the kit's milder noise) beats repeating the small corpora",
          lambda r: "balanced minus repeated test accuracy: " + ", ".join(
              f"{d} {g['mean']:+.3f} (better on {g['better_on']} of {g['seeds']} seeds)" for d, g in _balancing(r).items()),
          lambda r: all(g["better_on"] == g["seeds"] for g in _balancing(r).values()), expect=False),
    Claim("MAG (Rahman et al. 2020): lambda caps the nonverbal shift at the text vector's size",
          lambda r: f"largest lambda {r['mag_checks']['largest lambda']:.3f}",
          lambda r: r["mag_checks"]["largest lambda"] <= 1.0),
]


def _pooled(ds):
    from ..data.transforms import masked_mean
    x = ds.x["A"]
    return x if x.ndim == 2 else masked_mean(x, ds.mask.get("A"))


def _raw_pair(profile):
    import affectkit
    domains = affectkit.make_domains(profile, seed=0)
    return _pooled(domains["mosi"].train), _pooled(domains["meld"].train)


def _md_raw(answer, profile):
    from ..easum import moment_distance

    v, bad = number(answer, "the moment distance")
    if bad:
        return bad
    want = float(moment_distance(*_raw_pair(profile)))
    if abs(v - want) <= 1e-3 * max(1.0, want):
        return True, f"{want:.2f}: the raw corpora sit far apart before any model (compare MD_total above)"
    return False, (f"{v:.4g} differs from moment_distance of the two train splits' acoustic features "
                   "(mean over the real frames when they are sequences)")


def capped_share(gamma: float = 0.3, loud: float = 1.0, seed: int = 0) -> float:
    """Section 2's MAG and random inputs (seed ``seed``), nonverbal inputs at ``loud`` x the
    text's scale: the share of the 40 tokens whose shift lambda caps (lambda < 1)."""
    import torch

    from ..easum.mag import MAG
    torch.manual_seed(seed)
    mag = MAG(text_dim=16, acoustic_dim=8, visual_dim=8, gamma=gamma, dropout=0.0).eval()
    x_t, x_a, x_v = torch.randn(4, 10, 16), torch.randn(4, 10, 8) * loud, torch.randn(4, 10, 8) * loud
    with torch.no_grad():
        return float((mag.displacement(x_t, x_a, x_v)["lambda"] < 1).float().mean())


def _cap(answer, profile):
    v, bad = number(answer, "the share of tokens with lambda < 1")
    if bad:
        return bad
    if not 0.0 <= v <= 1.0:
        return False, f"{v:.4g} is not a share: count the tokens with lambda < 1 and divide by 40"
    want = capped_share(0.3, 1.0)
    if abs(v - want) < 1e-6:
        return True, (f"{want:.3f}: lambda < 1 exactly where ||R|| > gamma ||X_t||; a smaller gamma caps "
                      "more of the shifts, louder nonverbal input too")
    if abs(v - capped_share(1.0, 1.0)) < 1e-6:
        return False, f"{v:.3f} is the share with gamma = 1: build the MAG with gamma=0.3"
    if abs(v - capped_share(0.3, 5.0)) < 1e-6:
        return False, f"{v:.3f} is the share with the loud inputs: drop the '* loud' from the acoustic and visual inputs"
    return False, (f"{v:.3f}: seed with torch.manual_seed(0), then build the MAG and draw text, acoustic, "
                   "visual in that order, as the section 2 cell does")


def _first_moment(answer, profile):
    from ..easum import moment_distance

    v, bad = number(answer, "MD with k = 1 divided by MD with k = 2")
    if bad:
        return bad
    if not 0.0 < v <= 1.0:
        return False, f"{v:.4g}: the k = 1 term is one of the two non-negative terms of the k = 2 sum, so the share is in (0, 1]"
    a, b = _raw_pair(profile)
    want = float(moment_distance(a, b, k=1) / moment_distance(a, b, k=2))
    if abs(v - want) <= 1e-4:
        more = "their features' spread and scale than in their means" if want < 0.5 else "their means than in their spread"
        return True, f"{want:.3f}: the rest, {1 - want:.3f}, is the second moment's term: the raw corpora differ more in {more}"
    return False, f"{v:.4g} differs from moment_distance(a, b, k=1) / moment_distance(a, b, k=2) on exercise 1's splits"


EXERCISES = {
    1: Exercise(_md_raw, "MD (K = 2) between MOSI's and MELD's raw acoustic train features"),
    2: Exercise(_cap, "a share in [0, 1]: the tokens where ||R|| > 0.3 ||X_t||"),
    3: Exercise(_first_moment, "a share in (0, 1]: the k = 1 term over the whole distance"),
}

"""Notebook 05: EASUM's domain-general model and moment matching."""

from . import Claim, Exercise
from ._checks import number


def _md(r):
    return r["md_total"]


def _probe(r):
    return r["domain_probe_acc"]


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
    Claim("MAG (Rahman et al. 2020): lambda caps the nonverbal shift at the text vector's size",
          lambda r: f"largest lambda {r['mag_checks']['largest lambda']:.3f}",
          lambda r: r["mag_checks"]["largest lambda"] <= 1.0),
]


def _pooled(ds):
    from ..data.transforms import masked_mean
    x = ds.x["A"]
    return x if x.ndim == 2 else masked_mean(x, ds.mask.get("A"))


def _md_raw(answer, profile):
    import affectkit
    from ..easum import moment_distance

    v, bad = number(answer, "the moment distance")
    if bad:
        return bad
    domains = affectkit.make_domains(profile, seed=0)
    want = float(moment_distance(_pooled(domains["mosi"].train), _pooled(domains["meld"].train)))
    if abs(v - want) <= 1e-3 * max(1.0, want):
        return True, f"{want:.2f}: the raw corpora sit far apart before any model (compare MD_total above)"
    return False, (f"{v:.4g} differs from moment_distance of the two train splits' acoustic features "
                   "(mean over the real frames when they are sequences)")


def _mag_zero(answer, profile):
    v, bad = number(answer, "max |MAG(text, 0, 0) - LayerNorm(text)|")
    if bad:
        return bad
    if v < 1e-5:
        return True, "without nonverbal input the shift R is 0 and MAG is the LayerNorm of the text"
    return False, f"{v:.3g}: use dropout=0.0 (or .eval()) and zero acoustic and visual inputs"


EXERCISES = {
    1: Exercise(_md_raw, "MD (K = 2) between MOSI's and MELD's raw acoustic train features"),
    2: Exercise(_mag_zero, "0 up to float precision"),
}

"""Notebook 03 (MMD, latent collapse and the unpaired fix): the CMDM claims it tests and its exercises' checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..readings import beats, paired, saturated
from . import Claim, Exercise
from ._checks import SMALL, in_range, number


def _s(r):
    return r["latent_spread"]


def _t7(r):
    """(setting, form, reconstruction, mmd) -> the Table 7 row (ua, ua_std, ...)."""
    return {(row["setting"], row["form"], row["reconstruction"], row["mmd"]): row for row in r["table7"]}


VANILLA7, FULL7, SEMI7 = "fully | - | -", "fully | rec | mmd", "semi | rec | mmd"


def _gains(r, a, b) -> list:
    """Per-seed UA of Table 7 row ``a`` minus row ``b`` (rows by their printed name, seed order)."""
    ua = {}
    for row in r["table7_runs"]:
        ua.setdefault(row["setting"], {})[row["seed"]] = row["ua"]
    return [ua[a][s] - ua[b][s] for s in sorted(ua[a])]


def _match(r):
    return r["matching_check"]


CLAIMS = [
    Claim("CMDM Sec. 3.2 (Eq. 6): matching the latents makes them collapse towards a point, "
          "reconstruction term or not",
          lambda r: (f"latent spread: vanilla {_s(r)['vanilla']:.2f}, matching alone {_s(r)['mmd_only']:.2f}, "
                     f"matching + reconstruction {_s(r)['mmd_recon']:.2f}"),
          lambda r: _s(r)["vanilla"] >= 5 * max(_s(r)["mmd_only"], _s(r)["mmd_recon"])),
    Claim("CMDM Eq. 7: the unpaired term prevents the collapse and keeps the accuracy",
          lambda r: (f"spread {_s(r)['mmd_unpaired']:.2f} (matching alone {_s(r)['mmd_only']:.2f}); "
                     f"UA {r['ua']['mmd_unpaired']:.3f} vs vanilla {r['ua']['vanilla']:.3f}"),
          lambda r: (_s(r)["mmd_unpaired"] >= 4 * _s(r)["mmd_only"]
                     and r["ua"]["mmd_unpaired"] >= r["ua"]["vanilla"] - 0.01)),
    Claim("CMDM Sec. 3.2: the matching term brings an utterance's modalities together (the kit's paired form, "
          "sigma = 1, in the mmd_unpaired model that escapes the collapse)",
          lambda r: (f"real pairs at {_match(r)['pair'] / _match(r)['ceiling']:.0%} of the ceiling "
                     f"(shuffled {_match(r)['shuffled'] / _match(r)['ceiling']:.0%}), modality silhouette "
                     f"{_match(r)['silhouette_modality']:.2f}: "
                     + ("saturated (95% of the ceiling or more): no pull, the modalities stay apart"
                        if saturated(_match(r)["pair"], _match(r)["ceiling"]) else "below saturation: it pulls")),
          lambda r: not saturated(_match(r)["pair"], _match(r)["ceiling"]),
          expect=False),
    Claim("CMDM Eq. 3 + 7 as printed: shuffling a modality changes the MMD, so the unpaired term "
          "changes the trained model",
          lambda r: (f"set MMD changed by {r['mmd_shuffle_invariance']:.1e} when L is shuffled; set-form matching "
                     f"UA {_t7(r)['fully', 'set', False, True]['ua']:.3f} vs no matching "
                     f"{_t7(r)['fully', '-', False, False]['ua']:.3f}"),
          lambda r: (r["mmd_shuffle_invariance"] > 1e-6
                     or abs(_t7(r)["fully", "set", False, True]["ua"] - _t7(r)["fully", "-", False, False]["ua"]) >= 0.01),
          expect=False),
    Claim("CMDM Table 7: reconstruction + matching lift fully supervised UA above vanilla (0.725 vs 0.715)",
          lambda r: paired(_gains(r, FULL7, VANILLA7), "full", "vanilla", "UA"),
          lambda r: beats(_gains(r, FULL7, VANILLA7)),
          expect=False),
    Claim("CMDM Table 7: the unlabeled pool lifts the full model's UA (semi 0.745 vs fully 0.725)",
          lambda r: paired(_gains(r, SEMI7, FULL7), "semi", "fully", "UA"),
          lambda r: beats(_gains(r, SEMI7, FULL7)),
          expect=False),
]


# -- exercises ------------------------------------------------------------------------------

def check_median(answer, profile):
    v, bad = number(answer, "the spread ratio vanilla / mmd_only with sigma='median'")
    if bad:
        return bad
    if v <= 0:
        return False, f"a ratio of two spreads is positive, got {v}"
    return in_range(v, 5.0, float("inf"),
                    "{value:.0f}x: it still collapses. The median bandwidth follows the latents' scale, so "
                    "shrinking them no longer lowers the kernel term by itself, yet nothing in L_pair asks the "
                    "latents to stay apart: only the unpaired term does",
                    "{value:.1f}x: expected a collapse of {low:.0f}x or more; did you train vanilla and mmd_only "
                    "with collapse_study(beta_collapse, 'median') and divide vanilla's spread by mmd_only's?",
                    profile)


def check_set_form(answer, profile):
    values = np.ravel(np.asarray(answer, dtype=object))
    if values.size == 0:
        return False, "give L_pair + L_unpair: one number, or one per epoch of the training history"
    total = []
    for x in values:
        v, bad = number(x, "L_pair + L_unpair (one number, or one per epoch)")
        if bad:
            return bad
        total.append(v)
    worst = max(abs(v) for v in total)
    if worst < 1e-5:
        return True, (f"{worst:.1e}: zero on every epoch. Eq. 3 is a set statistic, so the shuffled batch has the "
                      "same MMD as the paired one and L_unpair = -L_pair: as printed, the two terms cancel")
    return False, (f"{worst:.3g}: expected 0 up to float precision; did you train with form='set' and add the "
                   "history's 'pair' and 'unpair' columns?")


def check_strong_matching(answer, profile):
    if not isinstance(answer, pd.DataFrame) or not {"setting", "spread", "ua"} <= set(answer.columns):
        return False, ("give the DataFrame run_settings returns (columns 'setting', 'spread', 'ua') for mmd_only "
                       "and mmd_unpaired at beta_collapse = 1.0")
    rows = answer.groupby("setting")[["spread", "ua"]].mean()
    if not {"mmd_only", "mmd_unpaired"} <= set(rows.index):
        return False, f"the table needs the settings mmd_only and mmd_unpaired, it has {sorted(rows.index)}"
    only, unpaired = rows.loc["mmd_only"], rows.loc["mmd_unpaired"]
    said = (f"spread {only.spread:.2f} (mmd_only) and {unpaired.spread:.2f} (mmd_unpaired), "
            f"UA {only.ua:.3f} and {unpaired.ua:.3f}")
    if profile == SMALL:
        return None, f"{said}: the smoke sizes are too small to judge it; run at profile 'lab'"
    if only.spread >= 0.3:
        return False, (f"{said}: mmd_only has not collapsed further than in section 2; did you build the "
                       "settings with collapse_study(1.0, sigma)?")
    if unpaired.spread < 4 * only.spread or unpaired.ua < only.ua + 0.05:
        return False, (f"{said}: the two settings are too alike; is the unpaired term switched on in "
                       "mmd_unpaired (the settings of collapse_study, not two copies of one)?")
    return True, (f"{said}: a stronger matching term collapses the latents further, and the unpaired term "
                  "still holds them apart and saves most of the UA")


EXERCISES = {
    1: Exercise(check_median, "the spread ratio vanilla / mmd_only with sigma='median', one positive number "
                              "(judged at lab sizes)"),
    2: Exercise(check_set_form, "L_pair + L_unpair from the training history (one number, or one per epoch; "
                                "judged at any profile)"),
    3: Exercise(check_strong_matching, "the DataFrame run_settings returns for mmd_only and mmd_unpaired at "
                                       "beta_collapse = 1.0 (columns 'setting', 'spread', 'ua'; judged at lab sizes)"),
}

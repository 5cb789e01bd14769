"""Notebook 02 (the deep auto-encoders): the CMDM claims it tests and its exercises' checks."""

from __future__ import annotations

from ..readings import beyond_noise, rates, shape, trend
from . import Claim, Exercise
from ._checks import SMALL, in_range, number
from ._text import ASSERTED, f, pm

NOTEBOOK = "02_dae_reconstruction"
TITLE = "CMDM's auto-encoders"
CHANCE = 0.25   # four balanced-UA classes


def _sequence(r: dict) -> dict:
    """The reference row of the notebook's sequence modality (the one that is not A)."""
    return next(row for row in r["recon_reference"] if row["modality"] != "A")


def _probes(r: dict) -> str:
    s = _sequence(r)
    return rates(s["probe_ua_latent"], s["probe_ua_input"], int(s["n_test"]),
                 f"linear probe on the {s['modality']} latent", "on its mean-pooled input", "UA")


def _above_chance(r: dict) -> bool:
    s = _sequence(r)
    return s["probe_ua_latent"] > 0.4 and beyond_noise(s["probe_ua_latent"], CHANCE, int(s["n_test"]))


def _compression(r: dict) -> dict:
    """modality -> the DAE's test MSE as a share of predicting zeros."""
    return {row["modality"]: row["dae_mse"] / row["zero_mse"] for row in r["recon_reference"]}


def _compresses(r: dict) -> bool:
    share = _compression(r)
    return share["A"] < 0.5 and share[_sequence(r)["modality"]] > 0.8


def _keeps_input(r: dict) -> bool:
    """The notebook's rule for one split (readings.beyond_noise): the latent keeps its
    input's emotion unless its probe falls below the input's beyond the noise."""
    s = _sequence(r)
    lower = s["probe_ua_latent"] < s["probe_ua_input"]
    return not (lower and beyond_noise(s["probe_ua_latent"], s["probe_ua_input"], int(s["n_test"])))


def _sweep(r: dict, column: str) -> tuple:
    rows = sorted(r["latent_sweep"], key=lambda row: row["latent"])
    return [row["latent"] for row in rows], [row[column] for row in rows]


def _sweep_result(r: dict, column: str, what: str) -> str:
    x, y = _sweep(r, column)
    return (trend(x, y, what, against="the latent size") + " (one seed): "
            + ", ".join(f"{k} {v:.3f}" for k, v in zip(x, y)))


CLAIMS = [
    Claim("CMDM Table 3: the DAEs' encoders have the printed shapes (acoustic 1582 -> 512 -> 256 -> 128; "
          "faces and words through convolutions, a flatten and linear layers to 128)",
          result=lambda r: ("every shape Table 3 prints is reproduced by the paper-size modules"
                            if r["table3_match"] else "at least one shape differs from Table 3"),
          holds=lambda r: r["table3_match"] is True, smoke=True),
    Claim("The kit's world: a DAE compresses the acoustic vector of mixed factors (test MSE below half that of "
          "predicting zeros) but not the sequence's per-frame content (above 0.8 of it)",
          result=lambda r: "test MSE / MSE of zeros: " + ", ".join(f"{m} {v:.2f}" for m, v in _compression(r).items()),
          holds=_compresses, shown=False),
    Claim("The kit's observation: a modality's DAE latent, trained on reconstruction alone, keeps emotion "
          "above chance (0.25; CMDM's classifier reads only the latents)",
          result=_probes, holds=lambda r: _sequence(r)["probe_ua_latent"] > CHANCE and beyond_noise(
              _sequence(r)["probe_ua_latent"], CHANCE, int(_sequence(r)["n_test"]))),
    Claim("The kit's observation: a modality's DAE latent, trained on reconstruction alone, keeps emotion "
          "well above chance (0.25; the kit asks for a probe UA above 0.4; CMDM's classifier reads only the latents)",
          result=_probes, holds=_above_chance, shown=False),
    Claim("CMDM Sec. 3.1: a DAE learns its latent \"without losing too much original information\": the latent "
          "keeps the emotion its input carries (a probe on it no lower than on the input, beyond the noise)",
          result=_probes, holds=_keeps_input, expect=False),
    Claim("CMDM Sec. 3.1, after Srivastava et al. (2015): reconstructing the reversed sequence helps the DAE",
          result=lambda r: (f"test MSE, mean over seeds: reversed {r['recon_mse']['reversed']:.4f}, "
                            f"forward {r['recon_mse']['forward']:.4f} (lower is better)"),
          holds=lambda r: r["recon_mse"]["reversed"] < r["recon_mse"]["forward"],
          expect=False),
    Claim("The kit's hypothesis (CMDM Table 3 sizes each latent at 128 and tests no other size): a larger code "
          "reconstructs better, at every step of the latent-size sweep",
          result=lambda r: _sweep_result(r, "test_mse", "the test MSE"),
          holds=lambda r: shape(*_sweep(r, "test_mse")) == "falls", expect=False),
    Claim("The kit's hypothesis: a larger code keeps more emotion, at every step of the latent-size sweep",
          result=lambda r: _sweep_result(r, "probe_ua", "the probe UA"),
          holds=lambda r: shape(*_sweep(r, "probe_ua")) == "rises", expect=False),
]


def sidecar(r, need, profile):
    need(set(r["recon_mse"]) == {"reversed", "forward"} and all(v > 0 for v in r["recon_mse"].values()),
         f"recon_mse: a positive MSE per target: {r['recon_mse']}")
    need({row["modality"] for row in r["table3_shapes"]} == {"A", "V", "L"}, "table3_shapes: A, V and L")
    need({"latent", "test_mse", "probe_ua"} <= set(r["latent_sweep"][0]), "latent_sweep's columns")
    need({"dae_mse", "zero_mse", "probe_ua_input", "probe_ua_latent", "n_test"} <= set(r["recon_reference"][0]),
         "recon_reference's columns")


def readme(r) -> list:
    mse, runs = r["recon_mse"], r["recon_runs"]
    by = {t: [row["test_mse"] for row in runs if row["target"] == t] for t in ("reversed", "forward")}
    sizes, _ = _sweep(r, "test_mse")
    ref = _sequence(r)
    return [f"the paper's reversed reconstruction target does not help the non-recurrent DAE: test MSE "
            f"{pm(by['reversed'])} reversed vs {pm(by['forward'])} forward (mean {f(mse['reversed'])} >= "
            f"{f(mse['forward'])}) {ASSERTED}",
            f"the {ref['modality']} latent keeps emotion above chance but less than its input: probe UA "
            f"{f(ref['probe_ua_latent'])} vs {f(ref['probe_ua_input'])} on the input (seed 0) {ASSERTED}",
            "latent-size sweep (seed 0), the whole curve: "
            + trend(sizes, _sweep(r, "test_mse")[1], "the test MSE") + "; "
            + trend(sizes, _sweep(r, "probe_ua")[1], "the probe UA", digits=2) + f" {ASSERTED}"]


# -- exercises ------------------------------------------------------------------------------

def _row(answer):
    """(test MSE, probe UA, best epoch) of a ``train_dae`` row, or (None, (False, message))."""
    try:
        mse, ua = float(answer["test_mse"]), float(answer["probe_ua"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None, (False, "the answer is the row that train_dae returns (a dict with 'test_mse' and "
                             f"'probe_ua'), got {type(answer).__name__}")
    return (mse, ua, answer.get("best_epoch") if isinstance(answer, dict) else None), None


def check_visual_probe(answer, profile):
    ua, bad = number(answer, "the probe UA of the visual latent")
    if bad:
        return bad
    if not 0 <= ua <= 1:
        return False, f"a UA lies in [0, 1], got {ua}"
    return in_range(ua, 0.2, 0.45,
                    "UA {value:.3f}: above chance (0.25) but well below the lexical latent's probe: the "
                    "faces' DAE keeps less emotion, as CMDM Table 4 ranks faces below words",
                    "UA {value:.3f}: expected between {low} and {high} at lab sizes; did you read 'probe_ua' "
                    "of train_dae(world, 'V', ...)?", profile)


def check_content(answer, profile):
    got, bad = _row(answer)
    if bad:
        return bad
    mse, ua, _ = got
    if profile in SMALL:
        return None, f"test MSE {mse:.3f}, probe UA {ua:.3f}: the smoke sizes are too small to judge it"
    if mse < 0.9 or ua <= 0.55:
        return False, (f"test MSE {mse:.3f}, probe UA {ua:.3f}: expected an MSE above 0.9 and a UA "
                       "above 0.55; did you train the lexical DAE on "
                       "make_world(profile, seed=seed, content=0.3)?")
    return True, (f"test MSE {mse:.3f}, probe UA {ua:.3f}: the error hardly moves (every frame keeps its own "
                  "noise, which no code can predict), but with less per-word content the emotion stands out "
                  "and the code keeps more of it")


def check_budget(answer, profile):
    got, bad = _row(answer)
    if bad:
        return bad
    mse, _, best = got
    where = f" (best epoch {best})" if best is not None else ""
    return in_range(mse, 0.0, 0.97,
                    "test MSE {value:.3f}" + where + ": the error keeps falling with a longer budget, so the "
                    "profile's budget stops the DAE before it has converged",
                    "test MSE {value:.3f}: expected below {high} at lab sizes; did you pass "
                    "epochs=2 * prof.epochs to train_dae?", profile)


EXERCISES = {
    1: Exercise(check_visual_probe,
                "one number in [0, 1]: the probe UA of the visual DAE's test latents (judged at lab sizes)"),
    2: Exercise(check_content,
                "the row train_dae returns for the lexical DAE on the content=0.3 world (a dict with 'test_mse' "
                "and 'probe_ua'; judged at lab sizes)"),
    3: Exercise(check_budget,
                "the row train_dae returns for the lexical DAE trained for twice the profile's epochs "
                "(judged at lab sizes)"),
}

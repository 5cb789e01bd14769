"""The README's results section, written from the sidecars of a run, so it cannot drift.

    python -m affectkit.report build/results README.md

(or ``python -m affectkit.runner --readme README.md``, which runs the notebooks
first) replaces the text between ``<!-- results: begin -->`` and
``<!-- results: end -->`` in the README with one section per notebook. Every
number comes from a notebook's sidecar. A line that ends in **(asserted)**
states a lab finding that ``tests/findings.py`` asserts in the same direction
(``make test-lab``); every other line is an observation, given with its
spread over seeds (mean ± std) where the notebook trains several.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .readings import beats, paired, trend

NAMES = {"AV": "A+V", "AL": "A+L", "AVL": "A+V+L"}

BEGIN, END = "<!-- results: begin -->", "<!-- results: end -->"
ASSERTED = "**(asserted)**"


def _f(x, digits=3) -> str:
    return f"{x:.{digits}f}"


def _pm(values, digits=3) -> str:
    """mean ± std (population std, as the notebooks' tables) of per-seed values."""
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.{digits}f} ± {v.std():.{digits}f}"


def _verdict(row) -> str:
    """A seed-paired gain row (mean, std, better_on, seeds) in words."""
    return (f"{row['mean']:+.3f} ± {row['std']:.3f}, better on {row['better_on']} of {row['seeds']} seeds")


def tour(r: dict) -> list:
    ua = r["probe_ua"]
    return [f"linear-probe test UA (seed 0): lexical {_f(ua['L'], 2)}, acoustic {_f(ua['A'], 2)}, visual "
            f"{_f(ua['V'], 2)}, A+V+L {_f(ua['AVL'], 2)}, the true affect state {_f(r['probe_state_ua'], 2)} "
            f"(CMDM Table 4 on IEMOCAP: 0.648 / 0.585 / 0.454 / 0.725); lexical > acoustic > visual, fusion "
            f"above each, the state above fusion {ASSERTED}"]


def features(r: dict) -> list:
    s = r["shapes"]
    return [f"the sample clip gives A {s['A'][0]} (IS10), V {s['V'][0]} x {s['V'][1]} (HOG faces), "
            f"L {s['L'][0]} x {s['L'][1]} (MiniLM word vectors) {ASSERTED}"]


def dae(r: dict) -> list:
    mse = r["recon_mse"]
    runs = r["recon_runs"]
    by = {t: [row["test_mse"] for row in runs if row["target"] == t] for t in ("reversed", "forward")}
    sweep = sorted(r["latent_sweep"], key=lambda row: row["latent"])
    sizes = [row["latent"] for row in sweep]
    ref = next(row for row in r["recon_reference"] if row["modality"] != "A")
    return [f"the paper's reversed reconstruction target does not help the non-recurrent DAE: test MSE "
            f"{_pm(by['reversed'])} reversed vs {_pm(by['forward'])} forward (mean {_f(mse['reversed'])} >= "
            f"{_f(mse['forward'])}) {ASSERTED}",
            f"the {ref['modality']} latent keeps emotion above chance but less than its input: probe UA "
            f"{_f(ref['probe_ua_latent'])} vs {_f(ref['probe_ua_input'])} on the input (seed 0) {ASSERTED}",
            "latent-size sweep (seed 0), the whole curve: "
            + trend(sizes, [row["test_mse"] for row in sweep], "the test MSE") + "; "
            + trend(sizes, [row["probe_ua"] for row in sweep], "the probe UA", digits=2) + f" {ASSERTED}"]


def collapse(r: dict) -> list:
    s = r["latent_spread"]
    runs = r["collapse_runs"]
    per = {k: [row["ua"] for row in runs if row["setting"] == k] for k in s}
    t7 = {(row["setting"], row["form"], row["reconstruction"], row["mmd"]): row for row in r["table7"]}
    full, vanilla = t7["fully", "paired", True, True], t7["fully", "-", False, False]
    set_mmd, set_rec = t7["fully", "set", False, True], t7["fully", "set", True, True]
    rec_only = t7["fully", "-", True, False]
    semi = t7["semi", "paired", True, True]
    ua7 = {}
    for row in r.get("table7_runs", []):
        ua7.setdefault(row["setting"], {})[row["seed"]] = row["ua"]

    def gain7(a, b):
        return paired([ua7[a][k] - ua7[b][k] for k in sorted(ua7[a])], a, b, "UA")
    verdicts = (f"; seed by seed: {gain7('fully | rec | mmd', 'fully | - | -')}; {gain7('semi | rec | mmd', 'fully | rec | mmd')} "
                f"(the paper's gains are not reproduced on every seed {ASSERTED})" if ua7 else "")
    match = r.get("matching_check")
    matching = ([f"the mmd_unpaired model (sigma = 1) does not match its modalities: real pairs at "
                 f"{match['pair'] / match['ceiling']:.0%} of the matching term's ceiling (saturated), modality "
                 f"silhouette {match['silhouette_modality']:.2f} {ASSERTED}"] if match else [])
    return [f"matching alone (sigma = 1, the kit's choice: the paper gives none) shrinks the latent spread "
            f"{s['vanilla'] / s['mmd_only']:.0f}x and costs UA ({_pm(per['vanilla'])} -> {_pm(per['mmd_only'])}); "
            f"the unpaired term restores the spread {s['mmd_unpaired'] / s['mmd_only']:.0f}x and the UA "
            f"({_pm(per['mmd_unpaired'])}) {ASSERTED}",
            f"reconstruction restores neither the spread ({s['mmd_recon'] / s['mmd_only']:.2f}x the collapsed one) "
            f"nor the UA ({_pm(per['mmd_recon'])}) {ASSERTED}",
            f"Eq. 3's set MMD is blind to shuffling one modality (difference {r['mmd_shuffle_invariance']:.1e}); "
            f"the kit's paired form is not (shuffled / real pairs {r['paired_shuffle_ratio']:.3f}) {ASSERTED}",
            f"Table 7 (UA, mean ± std over seeds): vanilla {_f(vanilla['ua'])} ± {_f(vanilla['ua_std'])}, "
            f"rec + matching {_f(full['ua'])} ± {_f(full['ua_std'])}, semi rec + matching {_f(semi['ua'])} ± "
            f"{_f(semi['ua_std'])}; the full model is not worse than vanilla {ASSERTED}" + verdicts,
            *matching,
            f"Table 7 as printed (Eq. 3, set form): matching {_f(set_mmd['ua'])} vs none {_f(vanilla['ua'])}, "
            f"rec + matching {_f(set_rec['ua'])} vs rec {_f(rec_only['ua'])}: the matching term cancels "
            f"(L_pair + L_unpair = 0 per batch) {ASSERTED}"]


def semi(r: dict) -> list:
    gain = r["semi_gain_ua"]
    runs = r["semi_gain_runs"]
    per = {m: [row["gain"] for row in sorted(runs, key=lambda row: row["seed"]) if row["modalities"] == m]
           for m in gain}
    sat = r["matching_saturation"]
    curve = sorted(r["unlabeled_curve"], key=lambda row: row["n_unlabeled"])
    t4 = {row["modalities"]: row for row in r["table4"]}
    best = max(r["unimodal_ua"], key=r["unimodal_ua"].get)
    lines = [f"with the kit's sigma = 1 the paired matching term ends at {sat['paper_pair'] / sat['ceiling']:.0%} "
             f"of its ceiling (saturated: it no longer pulls); with the median bandwidth at "
             f"{sat['median_pair'] / sat['ceiling']:.0%} {ASSERTED}",
             "semi minus fully supervised UA (10% labels, median bandwidth), seed by seed: "
             + "; ".join(paired(per[m], f"{NAMES[m]} semi", "fully", "UA") for m in ("AVL", "AV", "AL"))
             + "; " + (", ".join(NAMES[m] for m in ("AVL", "AV", "AL") if beats(per[m])) or "no modality set")
             + f" gains on every seed (CMDM Table 5: each does) {ASSERTED}",
             "A+V+L UA by pool size (mean over seeds): " + trend([row["n_unlabeled"] for row in curve],
                                                               [row["ua"] for row in curve], "UA")
             + f" (CMDM Fig. 7a: \"gradually improves\") {ASSERTED}"]
    if "table4_runs" in r:
        ua = {}
        for row in r["table4_runs"]:
            ua.setdefault(row["modalities"], {})[row["seed"]] = row["ua"]
        fusion = paired([ua["AVL"][k] - ua[best][k] for k in sorted(ua["AVL"])], "A+V+L", best, "UA")
        lines.append(f"with all labels, {fusion}; well above the other two modalities {ASSERTED} "
                     "(the paper: +0.077 over lexical)")
    else:
        lines.append(f"with all labels A+V+L {_f(t4['AVL']['ua'])} ± {_f(t4['AVL']['ua_std'])}, the best single "
                     f"modality {best} {_f(t4[best]['ua'])} ± {_f(t4[best]['ua_std'])} (observed)")
    return lines


def dg(r: dict) -> list:
    runs = [row for row in r["dg_runs"]]
    by = {k: [row for row in runs if row["setting"] == k] for k in ("untrained", "omega0", "mm")}
    md = {k: [row["md_total"] for row in v] for k, v in by.items()}
    probe = {k: [row["probe_acc"] for row in v] for k, v in by.items()}
    val = {k: [row["val_acc"] for row in by[k]] for k in ("omega0", "mm")}
    chance = r["domain_probe_acc"]["chance"]
    sweep = sorted(r["omega_sweep"], key=lambda row: row["omega"])
    lines = [f"moment matching at the paper's omega = 0.1 lowers the test MD_total ({_pm(md['omega0'], 2)} -> "
             f"{_pm(md['mm'], 2)}; untrained {_pm(md['untrained'], 2)}) and the domain probe "
             f"({_pm(probe['omega0'])} -> {_pm(probe['mm'])}, chance {chance:.2f}) on every seed, and the probe "
             f"stays above twice chance {ASSERTED}; mean val accuracy {_pm(val['omega0'])} vs {_pm(val['mm'])} "
             f"(observed)",
             f"omega = {sweep[-1]['omega']:g} (seed 0): probe {_f(sweep[-1]['probe_acc'])}, val accuracy "
             f"{_f(sweep[-1]['val_acc'])}: closer to chance than at 0.1 {ASSERTED}"]
    if "balancing_gain" in r:
        parts = [f"{row['domain']} {_verdict(row)}" for row in r["balancing_gain"]]
        lines.append("EASUM's balancing (augmented copies) minus plain repetition, test accuracy per domain: "
                     + "; ".join(parts) + " (observed)")
    return lines


def ds(r: dict) -> list:
    gain = {row["domain"]: row for row in r["spl_gain"]}
    every = [d.upper() for d, row in gain.items() if row["better_on"] == row["seeds"]]
    lines = ["soft minus no pseudo labels with the warm start (EASUM Table 5; positive = better, MAE for "
             "MOSI/MOSEI, weighted F1 for MELD/IEMOCAP): "
             + "; ".join(f"{d} {_verdict(row)}" for d, row in gain.items())
             + f"; better on every seed: {', '.join(every) or 'no corpus'} (each verdict is in notebook 06's "
               f"What-you-learned table {ASSERTED}; the paper: MOSI +0.100, MOSEI +0.024, MELD +0.006, "
               "IEMOCAP +0.007)"]
    if "ds_init_gain" in r:
        lines.append("the DS model warm-started from the DG model (EASUM's way) minus from scratch (soft labels): "
                     + "; ".join(f"{row['domain']} {_verdict(row)}" for row in r["ds_init_gain"])
                     + f"; better for MELD on every seed {ASSERTED}, mixed on the other corpora (observed; "
                     "EASUM never measures it)")
    mae = {row["modalities"]: row["mean"] for row in r["modality_ablation"] if row["metric"] == "mae"}
    lines.append(f"MOSI-like MAE by modalities: T {_f(mae['L'])}, T+A {_f(mae['LA'])}, T+V {_f(mae['LV'])}, "
                 f"T+A+V {_f(mae['LAV'])} (EASUM Table 4: 0.789 / 0.746 / 0.741 / 0.663); the verdicts of EASUM's "
                 f"modality claims (T+A+V beats T; each added modality helps; T+V beats T+A; T+A+V best), seed by seed, are in notebook "
                 f"06's What-you-learned table {ASSERTED}")
    return lines


def explorer(r: dict) -> list:
    s, sil = r["latent_spread"], r["modality_silhouette"]
    return [f"the collapsed latent space is {s['fixed'] / s['collapsed']:.0f}x smaller than the full model's "
            f"(spread {_f(s['collapsed'], 2)} vs {_f(s['fixed'], 2)}) {ASSERTED}",
            f"modality silhouette vanilla {_f(sil['vanilla'])} vs matched (notebook 04, median bandwidth) "
            f"{_f(sil['matched'])}: matching mixes the modalities {ASSERTED}"]


def meld(r: dict) -> list:
    rows = {(row["model"], row["split"]): row for row in r.get("meld", [])}
    if not rows:
        return [f"skipped: {r.get('skipped', 'MELD not found')}"]
    from .cmdm.reference import CMDM_MELD_L, TABLE6_MELD_L

    models = ("majority", "logreg", "cmdm-L", "finetuned")
    f1 = {m: rows[m, "dev"]["weighted_f1"] for m in models}
    congcn = float(TABLE6_MELD_L.set_index("model").weighted_f1["ConGCN"])
    lines = [f"MELD dev, text only (seed 0; every choice made on dev): weighted F1 majority {_f(f1['majority'])}, "
             f"logistic regression {_f(f1['logreg'])}, the CMDM lexical model {_f(f1['cmdm-L'])}, the fine-tuned "
             f"encoder {_f(f1['finetuned'])} >= 0.58 {ASSERTED}"]
    if all((m, "test") in rows for m in models):   # Table 6 is test: only test is set against it
        test = {m: rows[m, "test"]["weighted_f1"] for m in models}
        lines.append(f"MELD test, scored once with the models chosen on dev: majority {_f(test['majority'])}, "
                     f"logistic regression {_f(test['logreg'])}, the CMDM lexical model {_f(test['cmdm-L'])} "
                     f"(CMDM Table 6, test: {_f(CMDM_MELD_L)}), the fine-tuned encoder {_f(test['finetuned'])} "
                     f"(the kit's question: does a context-free encoder reach ConGCN's {_f(congcn)}, Table 6, test, "
                     f"with context? {'yes' if test['finetuned'] >= congcn else 'no'}) (observed)")
    else:
        lines.append(f"no MELD test file in this run: the dev scores above are not set against CMDM Table 6's "
                     f"test scores (the CMDM lexical model {_f(CMDM_MELD_L)}, ConGCN {_f(congcn)}): no verdict")
    return lines


def corpus(r: dict) -> list:
    c, e = r["construction_check"], r["extraction"]
    return [f"the demo corpus (built from the sample clip; labels by construction): {e['extracted']} clips "
            f"extracted, {e['skipped']} skipped",
            f"test UA: L alone {_f(c['L'], 2)} (the words decide), A alone {_f(c['A'], 2)} (the sound follows), "
            f"V alone {_f(c['V'], 2)} (one face for every clip: chance {_f(c['chance'], 2)}) {ASSERTED}"]


SECTIONS = {
    "00_tour": ("The synthetic affect world", tour),
    "01_features": ("Real media to features", features),
    "02_dae_reconstruction": ("CMDM's auto-encoders", dae),
    "03_mmd_collapse": ("MMD, collapse and the unpaired term", collapse),
    "04_semi_supervised": ("Semi-supervised learning", semi),
    "05_dg_moment_matching": ("EASUM's domain-general model", dg),
    "06_soft_label_ablation": ("EASUM's domain-specific models", ds),
    "07_latent_explorer": ("The latent explorer", explorer),
    "08_meld_text": ("Real text: MELD", meld),
    "09_your_corpus": ("Your own corpus (the demo)", corpus),
}


def results_markdown(results_dir, profile: str = "lab") -> str:
    """The section's markdown from ``<results_dir>/<stem>.json`` for every notebook found there."""
    folder = Path(results_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no results folder {folder}: run `make run` first")
    out = [f"Generated by `python -m affectkit.report {folder.as_posix()}` from the sidecars of a "
           f"{profile}-profile run; do not edit by hand. **(asserted)** marks a finding that `make test-lab` "
           "asserts in the same direction; everything else is an observation, mean ± std over seeds where the "
           "notebook trains several.", ""]
    found = 0
    for stem, (title, lines) in SECTIONS.items():
        path = folder / f"{stem}.json"
        if not path.exists():
            continue
        try:
            r = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} is not valid JSON ({err})") from None
        try:
            body = lines(r)
        except (KeyError, IndexError, TypeError) as err:
            raise ValueError(f"{path} lacks what the README reports ({type(err).__name__}: {err}); "
                             "was it written by this version of the notebook?") from None
        out.append(f"**{title}** (`{stem}`)")
        out += [f"- {line}" for line in body]
        out.append("")
        found += 1
    if not found:
        raise FileNotFoundError(f"no notebook sidecars in {folder}")
    return "\n".join(out).rstrip() + "\n"


def write_readme(readme, results_dir, profile: str = "lab") -> Path:
    """Replace the text between the results markers of ``readme``."""
    readme = Path(readme)
    text = readme.read_text(encoding="utf-8")
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"{readme} needs one {BEGIN!r} line followed by one {END!r} line")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    readme.write_text(f"{head}{BEGIN}\n{results_markdown(results_dir, profile)}{END}{tail}", encoding="utf-8")
    return readme


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", help="folder of sidecars, e.g. build/results")
    parser.add_argument("readme", nargs="?", help="README to update (default: print the section)")
    parser.add_argument("--profile", default="lab")
    args = parser.parse_args(argv)
    try:
        if args.readme:
            print(f"updated {write_readme(args.readme, args.results, args.profile)}")
        else:
            print(results_markdown(args.results, args.profile))
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

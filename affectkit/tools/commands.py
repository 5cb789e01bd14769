"""What ``affectkit train``, ``explore`` and ``predict`` do with a user's corpus (the
parser and the entry point are :mod:`affectkit.tools.cli`).

Every command returns a JSON-ready dict: numbers rounded to 4 digits, NaN and the
std of a single seed as null. :data:`OUTPUT_KEYS` says what each key means.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

# what the JSON of `train` and `predict` holds (shown by `affectkit train --help` and in the README)
OUTPUT_KEYS = {
    "setting": "which model: '<modalities> alone' (one modality, CMDM Table 4), 'vanilla' (A+V+L, no matching), "
               "'matched' (+ MMD between modalities and the unpaired term, Eq. 5-7), 'semi' (+ the unlabeled clips)",
    "ua": "unweighted accuracy on the test split: the mean of the per-class recalls (chance: 1 / classes)",
    "wa": "weighted accuracy: the share of test clips classified right (the largest class alone gets majority_wa)",
    "wap": "weighted average precision: per-class precision weighted by class size",
    "spread": "mean distance of the latents from their centre; near 0 means the latents collapsed (CMDM Sec. 3.2)",
    "*_std": "standard deviation over the seeds (population std, ddof 0; null for one seed)",
    "test": "the saved (headline) model's test split: n, ua, wa, chance_ua, majority_wa, confusion (rows: true "
            "class, columns: predicted, counts), classes",
    "dg": "EASUM's domain-general model: val_acc (its head's accuracy on the val splits), best_epoch, "
          "test_acc_<corpus> (accuracy of the EASUM-9 emotion head on that corpus's test split)",
    "ds": "EASUM's domain-specific models per corpus and pseudo labels (spl 'none' or 'soft'): metric (acc: share "
          "right; weighted_f1: F1 per class weighted by class size), mean, std over seeds",
    "saved": "the folder(s) written by --save: model.pt, card.json, card.md",
}


# what the JSON of `predict` holds (shown by `affectkit predict --help`)
PREDICT_KEYS = {
    "predictions": "the CSV written: one row per clip that could be used",
    "clips": "how many rows it has",
    "counts": "how many clips got each class",
    "skipped": "clips left out, with the reason (also on stderr)",
    "missing": "clips predicted without a modality they lack (no face, no sound; CMDM: no words), by reason; "
               "predictions.csv has the same in its missing column",
    "scores": "with a label column: n, ua, wa, wap, chance_ua, majority_wa, confusion, over the clips whose label "
              "the model knows",
    "labels_not_in_model": "labels of the CSV the model has no class for (not scored)",
}

# the explore page's names for latent.map_scores' keys
MEASURES = {"silhouette_emotion": "silhouette (emotion)", "silhouette_modality": "silhouette (modality)",
            "knn_accuracy": "kNN accuracy", "trustworthiness": "trustworthiness", "test_ua": "test UA"}


def say(args, text: str) -> None:
    """A stage of the command on stderr (silenced by --quiet)."""
    if not getattr(args, "quiet", False):
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def tidy(value, digits: int = 4):
    """``value`` with floats rounded and NaN / inf as None, in dicts and lists."""
    if isinstance(value, dict):
        return {str(k): tidy(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tidy(v, digits) for v in value]
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:   # NumPy / torch scalars
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, digits)
    return value


def records(frame, seeds) -> list:
    """A summary table as JSON rows; the ``*_std`` / ``std`` columns null for a single seed."""
    rows = frame.to_dict(orient="records")
    if len(seeds) == 1:
        for row in rows:
            for k in row:
                if k == "std" or k.endswith("_std"):
                    row[k] = None
    return tidy(rows)


def corpora(paths, maps=()) -> dict:
    """Load the corpus files, print their warnings, apply ``--map CLASS=COMMON``."""
    from ..data.corpus import check_learnable, load_corpus

    found = {}
    for path in paths:
        corpus = load_corpus(path)
        for warning in check_learnable(corpus):
            print(f"warning: {warning}", file=sys.stderr)
        if corpus.name in found:
            raise ValueError(f"two corpora are named {corpus.name!r}: rename one of the files")
        found[corpus.name] = corpus
    if maps:
        apply_maps(found, maps)
    return found


def apply_maps(found: dict, maps) -> None:
    """``--map melancholy=sad``: the user's class melancholy counts as EASUM-9's sad."""
    from dataclasses import replace

    from ..data.labels import EASUM9

    pairs = {}
    for text in maps:
        name, _, common = str(text).partition("=")
        if not name or not common:
            raise ValueError(f"--map takes CLASS=COMMON (e.g. melancholy=sad), got {text!r}")
        if common not in EASUM9:
            raise ValueError(f"--map {text}: {common!r} is not one of EASUM-9's classes {list(EASUM9)}")
        pairs[name] = common
    known = {c for corpus in found.values() for c in corpus.classes}
    unknown = sorted(set(pairs) - known)
    if unknown:
        raise ValueError(f"--map names class(es) {unknown} that no corpus has; the classes are {sorted(known)}")
    for corpus in found.values():
        mapped = {c: pairs[c] for c in corpus.classes if c in pairs}
        if mapped:
            corpus.space = replace(corpus.space, common={**corpus.space.common, **mapped})


def check_easum_labels(found: dict) -> None:
    """EASUM's label rule: every emotion class of every corpus has a place in EASUM-9 (the DG model's
    common head, Sec. 3.3), by its name, a synonym or --map."""
    from ..data.labels import EASUM9

    for corpus in found.values():
        if corpus.task != "emotion":
            continue
        unmapped = [c for c in corpus.classes if corpus.space.common.get(c) not in EASUM9]
        if unmapped:
            raise ValueError(f"{corpus.name}: class(es) {unmapped} have no place in EASUM-9 {list(EASUM9)} (EASUM's "
                             f"domain-general model predicts those 9); map each with --map, e.g. "
                             f"--map {unmapped[0]}=sad")


def corpus_card(corpus, path) -> dict:
    """The corpus part of a model card: name, file, SHA-256, split sizes."""
    from ..saved import fingerprint

    return {"name": corpus.name, "file": str(Path(path).resolve()), "sha256": fingerprint(path),
            "sizes": {s: len(ds) for s, ds in corpus.splits.items()}}


def train_cmdm(args) -> dict:
    """Table 4's comparisons on the corpus: each modality alone, the modalities together
    without and with distribution matching (+ the unpaired term), and semi-supervised with the
    corpus's unlabeled pool when it has one. ``--save``: the last of these (the paper's method)."""
    from ..cmdm.experiments import Setting, run_settings, summarize
    from ..cmdm.objectives import CMDMLoss
    from ..config import get_profile
    from ..data.transforms import ZNorm
    from ..saved import SavedModel, save_model, test_scores

    (corpus,) = corpora([args.data]).values()
    mods = "".join(m for m in "AVL" if m in corpus.train.x)
    matched = CMDMLoss(sigma="median", beta=1.0, omega=1.0)
    alone = matched.replace(matching=False, unpaired=False)
    settings = {f"{m} alone": Setting(alone, modalities=m) for m in mods}
    if len(mods) > 1:   # matching needs two modalities
        settings[f"{mods} vanilla"] = Setting(CMDMLoss(reconstruction=False, matching=False, unpaired=False),
                                              modalities=mods)
        settings[f"{mods} matched"] = Setting(matched, modalities=mods)
        if corpus.unlabeled is not None:
            settings[f"{mods} semi"] = Setting(matched, modalities=mods, semi=True)
    headline = list(settings)[-1]
    say(args, f"train cmdm: {len(settings)} models x {len(args.seeds)} seed(s) on {corpus!r}, profile {args.profile}")
    keep = {}
    runs = run_settings(settings, profile=args.profile, seeds=args.seeds, epochs=args.epochs, data=corpus,
                        device=args.device, progress=not args.quiet, keep=keep)
    table = summarize(runs, values=("ua", "wa", "wap", "spread"))
    norm = ZNorm().fit(corpus.train.select(list(mods)))
    card = {"setting": headline, "loss": repr(settings[headline].loss), "classes": list(corpus.classes),
            "modalities": mods, "features": corpus.features, "profile": args.profile, "seed": args.seeds[0],
            "epochs": args.epochs or get_profile(args.profile).epochs, "corpus": corpus_card(corpus, args.data),
            "task": "emotion"}
    model = SavedModel("cmdm", keep[headline]["model"], norm, card)
    test = test_scores(corpus.test.y.numpy(), model.probabilities(corpus.test).argmax(1), corpus.classes)
    out = {"corpus": repr(corpus), "profile": args.profile, "seeds": list(args.seeds), "modalities": mods,
           "results": records(table, args.seeds), "headline": headline, "test": tidy(test)}
    if args.save:
        save_model(args.save, "cmdm", model.model, norm, {**card, "scores": {"test": test}})
        out["saved"] = str(args.save)
        say(args, f"saved {headline} (seed {args.seeds[0]}) to {args.save}")
    return out


def train_easum(args) -> dict:
    """A DG model over the corpora (moment matching across them when there are
    several), then per corpus a DS model with and without its soft pseudo labels.
    ``--save``: each corpus's DS model with soft pseudo labels (EASUM's)."""
    from ..config import get_profile
    from ..easum.experiments import DSSetting, run_dg, run_ds, summarize_metrics
    from ..easum.models import modalities_of
    from ..easum.prepare import as_sequences, pooled_znorm
    from ..saved import SavedModel, save_model, test_scores

    found = corpora(args.data, args.map)
    check_easum_labels(found)
    mods = modalities_of(next(iter(found.values())).train.shapes)
    omegas = {"matched": args.omega} if len(found) > 1 else {"single corpus": 0.0}
    say(args, f"train easum, stage 1 of 2: the domain-general model on {len(found)} corpus/corpora "
              f"({mods}), {len(args.seeds)} seed(s), profile {args.profile}")
    dg_models = {}
    dg = run_dg(omegas, profile=args.profile, seeds=args.seeds, epochs=args.epochs, data=found,
                device=args.device, progress=not args.quiet, models=dg_models, untrained=False)
    teachers = {s: dg_models[(next(iter(omegas)), s)].model for s in args.seeds}
    settings = {f"{name} | {spl}": DSSetting(name, spl, eta=args.eta, init="dg", modalities=mods)
                for name in found for spl in ("none", "soft")}
    say(args, f"train easum, stage 2 of 2: {len(settings)} domain-specific models x {len(args.seeds)} seed(s)")
    ds_models = {}
    ds = run_ds(settings, teachers, profile=args.profile, seeds=args.seeds, epochs=args.epochs, data=found,
                device=args.device, progress=not args.quiet, models=ds_models)
    norm = pooled_znorm([as_sequences(c).train for c in found.values()])
    out = {"corpora": [repr(c) for c in found.values()], "profile": args.profile, "seeds": list(args.seeds),
           "modalities": mods,
           "dg": tidy(dg.drop(columns=["md_total", "probe_acc", "chance"], errors="ignore").to_dict(orient="records")),
           "ds": records(summarize_metrics(ds, by=("domain", "spl")), args.seeds), "test": {}}
    for (name, corpus), path in zip(found.items(), args.data):
        card = {"setting": f"{name} | soft (eta {args.eta})", "classes": list(corpus.classes), "modalities": mods,
                "features": corpus.features, "profile": args.profile, "seed": args.seeds[0],
                "epochs": args.epochs or get_profile(args.profile).easum_training.ds_epochs_for(len(corpus.train)),
                "corpus": corpus_card(corpus, path), "task": corpus.task, "eta": args.eta,
                "omega": next(iter(omegas.values())), "corpora": list(found),
                "common_classes": {c: corpus.space.common.get(c) for c in corpus.classes}}
        model = SavedModel("easum", ds_models[(f"{name} | soft", args.seeds[0])].model, norm, card)
        test = None if corpus.task == "sentiment" else test_scores(   # sentiment: the ds rows hold MAE, Acc2
            corpus.test.y.numpy(), model.probabilities(corpus.test).argmax(1), corpus.classes)
        out["test"][name] = tidy(test)
        if args.save:
            folder = Path(args.save) if len(found) == 1 else Path(args.save) / name
            save_model(folder, "easum", model.model, norm, {**card, "scores": {"test": test}})
            out.setdefault("saved", []).append(str(folder))
            say(args, f"saved the DS model of {name} (soft pseudo labels, seed {args.seeds[0]}) to {folder}")
    return out


def predict(args) -> dict:
    """Label the clips of a folder with a saved model; write predictions.csv."""
    from ..files import atomic_write
    from ..saved import load_model, test_scores
    from ..saved import predict as run

    model = load_model(args.model, args.device if args.device != "auto" else "cpu")
    say(args, f"predict: {model.method} model ({model.card.get('setting')}), classes {list(model.classes)}, "
              f"reads {model.modalities}")
    table = run(model, args.clips, args.labels, jobs=args.jobs, progress=not args.quiet)
    out = Path(args.out)
    with atomic_write(out, suffix=".csv") as tmp:
        table.round(6).to_csv(tmp, index=False)
    result = {"model": str(args.model), "predictions": str(out), "clips": len(table), "skipped": table.attrs["skipped"]}
    if "missing" in table:
        result["missing"] = {c: m for c, m in zip(table["clip"], table["missing"]) if m}
    if "predicted" in table:
        result["counts"] = {c: int((table["predicted"] == c).sum()) for c in model.classes}
    if "label" in table and "predicted" in table:
        known = table[table["label"].isin(model.classes)]
        unknown = sorted(set(table["label"]) - set(model.classes) - {""})
        if unknown:
            result["labels_not_in_model"] = unknown
            print(f"warning: label(s) {unknown} are not classes of the model {list(model.classes)}: their "
                  f"{int(table['label'].isin(unknown).sum())} clip(s) are not scored", file=sys.stderr)
        if len(known):
            truth = [model.classes.index(c) for c in known["label"]]
            pred = [model.classes.index(c) for c in known["predicted"]]
            result["scores"] = tidy(test_scores(truth, pred, model.classes))
    for clip, reason in table.attrs["skipped"].items():
        print(f"skipped {clip}: {reason}", file=sys.stderr)
    say(args, f"wrote {len(table)} predictions to {out}" + (f"; skipped {len(table.attrs['skipped'])}"
                                                            if table.attrs["skipped"] else ""))
    return result


def explore(args) -> dict:
    """Latent maps of the corpus's labeled utterances (train, val and test) under a
    vanilla and a matched CMDM (first seed): a PNG per colouring and one HTML page
    holding them and the numbers (silhouettes, kNN accuracy, trustworthiness, test UA)."""
    import base64
    import html
    import io

    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    import pandas as pd

    from .. import latent
    from ..cmdm.experiments import Setting, prepare, train_setting
    from ..cmdm.objectives import CMDMLoss
    from ..cmdm.train import predict
    from ..teach import plots

    (corpus,) = corpora([args.data]).values()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    models = {"vanilla": Setting(CMDMLoss(reconstruction=False, matching=False, unpaired=False)),
              "matched": Setting(CMDMLoss(sigma="median", beta=1.0, omega=1.0))}
    maps, numbers = {}, {}
    mods = "".join(m for m in "AVL" if m in corpus.train.x)
    if len(mods) == 1:   # nothing to match: only the vanilla model's map
        models.pop("matched")
    splits = prepare(corpus, mods)
    for i, (name, setting) in enumerate(models.items()):
        setting = Setting(setting.loss, modalities=mods)
        say(args, f"explore, {i + 1} of {len(models)}: training the {name} CMDM ({mods}, seed {args.seeds[0]}, "
                  f"profile {args.profile})")
        result, row, _ = train_setting(corpus, setting, args.seeds[0], args.epochs, args.device, profile=args.profile)
        parts = []
        for split in ("train", "val", "test"):
            pred = predict(result.model, splits[split], decode=False)
            z, frame = latent.stack(pred["latents"], splits[split].y.numpy(), corpus.classes)
            parts.append((z, frame.assign(split=split)))
        z, frame = np.concatenate([p[0] for p in parts]), pd.concat([p[1] for p in parts], ignore_index=True)
        xy = latent.project(z, args.projection, seed=args.seeds[0])
        maps[name] = (xy, frame)
        try:
            numbers[name] = {**latent.map_scores(z, frame, xy), "test_ua": row["ua"]}
        except ValueError:   # too few utterances for the neighbourhood measures
            numbers[name] = {"test_ua": row["ua"]}
    say(args, f"drawing the maps ({args.projection}) into {out}")
    images = []
    for colour in ("emotion", "modality", "split"):
        readable = {name: {MEASURES.get(k, k): v for k, v in n.items()} for name, n in numbers.items()}
        fig = plots.latent_maps(maps, colour, f"{corpus.name}: latents of the labeled clips by {colour}", readable,
                                axis=args.projection.upper())
        path = out / f"latent_{colour}.png"
        fig.savefig(path, dpi=120)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120)
        images.append((colour, base64.b64encode(buf.getvalue()).decode()))
        matplotlib.pyplot.close(fig)
    keys = list(dict.fromkeys(k for n in numbers.values() for k in n))
    rows = "".join(f"<tr><td>{html.escape(m)}</td>" + "".join(f"<td>{n[k]:.3f}</td>" if k in n else "<td>-</td>"
                                                             for k in keys) + "</tr>" for m, n in numbers.items())
    head = "".join(f"<th>{html.escape(MEASURES.get(k, k))}</th>" for k in keys)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(corpus.name)} latent maps"
            f"</title></head><body style='font-family:sans-serif'><h1>{html.escape(corpus.name)}: latent maps</h1>"
            f"<table border=1 cellpadding=4><tr><th>model</th>{head}</tr>{rows}</table>"
            + "".join(f"<h2>by {c}</h2><img src='data:image/png;base64,{b}'>" for c, b in images)
            + "</body></html>")
    (out / "index.html").write_text(page, encoding="utf-8")
    return {"corpus": repr(corpus), "html": str(out / "index.html"),
            "png": [str(out / f"latent_{c}.png") for c, _ in images], "numbers": tidy(numbers)}

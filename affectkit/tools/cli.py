"""``python -m affectkit`` (or the ``affectkit`` command): one entry to the kit.

    affectkit run [--profile lab] [notebooks ...]          execute the notebooks, HTML gallery
    affectkit bench meld --data-dir DIR --split dev         the fine-tuned text model on MELD, JSON
    affectkit demo DIR                                       write the demo clips and labels.csv
    affectkit extract CLIPS/ --labels labels.csv --out corpus.npz
    affectkit train cmdm --data corpus.npz                   CMDM's main comparisons, JSON
    affectkit train easum --data corpus.npz [--data ...]     EASUM's DG + DS models, JSON
    affectkit explore --data corpus.npz --out maps/          latent maps: PNG + a self-contained HTML page

``--profile`` only sets sizes (architectures, epochs, batch, learning rate)
when the data is a corpus file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .args import positive_int, seed


def _corpora(paths) -> dict:
    from ..data.corpus import check_learnable, load_corpus

    corpora = {}
    for path in paths:
        corpus = load_corpus(path)
        for warning in check_learnable(corpus):
            print(f"warning: {warning}", file=sys.stderr)
        if corpus.name in corpora:
            raise ValueError(f"two corpora are named {corpus.name!r}: rename one of the files")
        corpora[corpus.name] = corpus
    return corpora


def train_cmdm(args) -> dict:
    """Table 4's comparisons on the corpus: each modality alone, A+V+L without and
    with distribution matching (+ the unpaired term), and semi-supervised with the
    corpus's unlabeled pool when it has one."""
    from ..cmdm.experiments import Setting, run_settings, summarize
    from ..cmdm.objectives import CMDMLoss

    (corpus,) = _corpora([args.data]).values()
    matched = CMDMLoss(sigma="median", beta=1.0, omega=1.0)
    settings = {f"{m} alone": Setting(matched.replace(matching=False, unpaired=False), modalities=m)
                for m in "AVL" if m in corpus.train.x}
    settings["AVL vanilla"] = Setting(CMDMLoss(reconstruction=False, matching=False, unpaired=False))
    settings["AVL matched"] = Setting(matched)
    if corpus.unlabeled is not None:
        settings["AVL semi"] = Setting(matched, semi=True)
    runs = run_settings(settings, profile=args.profile, seeds=args.seeds, epochs=args.epochs, data=corpus,
                        device=args.device, progress=not args.quiet)
    table = summarize(runs, values=("ua", "wa", "wap", "spread"))
    return {"corpus": repr(corpus), "profile": args.profile, "seeds": list(args.seeds),
            "results": table.round(4).to_dict(orient="records")}


def train_easum(args) -> dict:
    """A DG model over the corpora (moment matching across them when there are
    several), then per corpus a DS model with and without its soft pseudo labels."""
    from ..easum.experiments import DSSetting, run_dg, run_ds, summarize_metrics

    corpora = _corpora(args.data)
    models = {}
    omegas = {"matched": args.omega} if len(corpora) > 1 else {"single corpus": 0.0}
    dg = run_dg(omegas, profile=args.profile, seeds=args.seeds, epochs=args.epochs, data=corpora,
                device=args.device, progress=not args.quiet, models=models, untrained=False)
    teachers = {s: models[(next(iter(omegas)), s)].model for s in args.seeds}
    settings = {f"{name} | {spl}": DSSetting(name, spl, eta=args.eta, init="dg") for name in corpora
                for spl in ("none", "soft")}
    ds = run_ds(settings, teachers, profile=args.profile, seeds=args.seeds, epochs=args.epochs, data=corpora,
                device=args.device, progress=not args.quiet)
    return {"corpora": [repr(c) for c in corpora.values()], "profile": args.profile, "seeds": list(args.seeds),
            "dg": dg.drop(columns=["md_total", "probe_acc", "chance"], errors="ignore").round(4)
                    .to_dict(orient="records"),
            "ds": summarize_metrics(ds, by=("domain", "spl")).round(4).to_dict(orient="records")}


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

    (corpus,) = _corpora([args.data]).values()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    models = {"vanilla": Setting(CMDMLoss(reconstruction=False, matching=False, unpaired=False)),
              "matched": Setting(CMDMLoss(sigma="median", beta=1.0, omega=1.0))}
    maps, numbers = {}, {}
    splits = prepare(corpus, "".join(m for m in "AVL" if m in corpus.train.x))
    for name, setting in models.items():
        result, row, _ = train_setting(corpus, setting, args.seeds[0], args.epochs, args.device, profile=args.profile)
        parts = []
        for split in ("train", "val", "test"):
            pred = predict(result.model, splits[split], decode=False)
            z, frame = latent.stack(pred["latents"], splits[split].y.numpy(), corpus.classes)
            parts.append((z, frame.assign(split=split)))
        z, frame = np.concatenate([p[0] for p in parts]), pd.concat([p[1] for p in parts], ignore_index=True)
        xy = latent.project(z, "pca" if args.projection == "pca" else "umap", seed=args.seeds[0])
        maps[name] = (xy, frame)
        try:
            numbers[name] = {**latent.map_scores(z, frame, xy), "test_ua": row["ua"]}
        except ValueError:   # too few utterances for the neighbourhood measures
            numbers[name] = {"test_ua": row["ua"]}
    images = []
    for colour in ("emotion", "modality", "split"):
        fig = plots.latent_maps(maps, colour, f"{corpus.name}: latents of the labeled utterances by {colour}", numbers)
        path = out / f"latent_{colour}.png"
        fig.savefig(path, dpi=120)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120)
        images.append((colour, base64.b64encode(buf.getvalue()).decode()))
        matplotlib.pyplot.close(fig)
    rows = "".join(f"<tr><td>{html.escape(m)}</td>" + "".join(f"<td>{v:.3f}</td>" for v in s.values()) + "</tr>"
                   for m, s in numbers.items())
    head = "".join(f"<th>{html.escape(k)}</th>" for k in next(iter(numbers.values())))
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(corpus.name)} latent maps"
            f"</title></head><body style='font-family:sans-serif'><h1>{html.escape(corpus.name)}: latent maps</h1>"
            f"<table border=1 cellpadding=4><tr><th>model</th>{head}</tr>{rows}</table>"
            + "".join(f"<h2>by {c}</h2><img src='data:image/png;base64,{b}'>" for c, b in images)
            + "</body></html>")
    (out / "index.html").write_text(page, encoding="utf-8")
    return {"corpus": repr(corpus), "html": str(out / "index.html"),
            "png": [str(out / f"latent_{c}.png") for c, _ in images], "numbers": numbers}


def _training_args(p):
    p.add_argument("--profile", default="lab", choices=["smoke", "lab", "paper"], help="sizes (default lab)")
    p.add_argument("--seeds", type=seed, nargs="+", default=[0], help="seeds (default 0)")
    p.add_argument("--epochs", type=positive_int, default=None, help="default: the profile's")
    p.add_argument("--device", default="auto")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="affectkit", description=__doc__.split("\n\n")[0])
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="execute the notebooks (arguments of python -m affectkit.tools.runner)", add_help=False)
    sub.add_parser("bench", help="benchmarks on real corpora (arguments of python -m affectkit.tools.bench)",
                   add_help=False)
    d = sub.add_parser("demo", help="write the demo clips and their labels.csv into a folder")
    d.add_argument("folder")
    d.add_argument("--per-speaker", type=positive_int, default=3)
    e = sub.add_parser("extract", help="a folder of clips + labels.csv -> a corpus .npz")
    e.add_argument("clips")
    e.add_argument("--labels", required=True, help="CSV with clip,label,speaker,transcript,split")
    e.add_argument("--out", required=True, help="the corpus file (.npz)")
    e.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: every core)")
    e.add_argument("--keep-parts", action="store_true", help="keep the per-clip files after assembly")
    e.add_argument("--quiet", action="store_true")
    t = sub.add_parser("train", help="the papers' main experiments on a corpus file, metrics as JSON")
    t.add_argument("method", choices=["cmdm", "easum"])
    t.add_argument("--data", required=True, action="append", help="a corpus .npz (easum: repeat for several)")
    t.add_argument("--eta", type=float, default=0.5, help="easum: weight of the pseudo-label loss")
    t.add_argument("--omega", type=float, default=0.1, help="easum: weight of MD_total between corpora")
    _training_args(t)
    x = sub.add_parser("explore", help="latent maps of a corpus: PNG + HTML")
    x.add_argument("--data", required=True)
    x.add_argument("--out", required=True, help="folder for the maps")
    x.add_argument("--projection", choices=["umap", "pca"], default="umap")
    _training_args(x)
    return top


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("run", "bench"):
        from . import bench, runner
        return (runner if argv[0] == "run" else bench).main(argv[1:])
    args = parser().parse_args(argv)
    try:
        if args.command == "demo":
            from ..features.demo import make_demo_corpus
            print(f"wrote {make_demo_corpus(args.folder, args.per_speaker)}")
            return 0
        if args.command == "extract":
            from ..features.extract import extract
            result = extract(args.clips, args.labels, args.out, args.jobs, not args.quiet, args.keep_parts)
            print(json.dumps({"corpus": repr(result["corpus"]), "path": str(result["path"]),
                              "extracted": result["extracted"], "reused": result["reused"],
                              "skipped": result["skipped"]}, indent=2))
            return 0
        if args.command == "train":
            if args.method == "cmdm" and len(args.data) > 1:
                raise ValueError("train cmdm takes one corpus (--data once)")
            if args.method == "cmdm":
                args.data = args.data[0]
            result = (train_cmdm if args.method == "cmdm" else train_easum)(args)
        else:
            result = explore(args)
    except (FileNotFoundError, ValueError, TypeError) as err:
        print(f"affectkit {args.command}: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())

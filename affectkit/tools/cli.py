"""``python -m affectkit`` (or the ``affectkit`` command): one entry to the kit.

    affectkit run [--profile lab] [notebooks ...]            execute the notebooks, HTML gallery
    affectkit bench meld --data-dir DIR --split dev           the fine-tuned text model on MELD, JSON
    affectkit demo DIR                                         write the demo clips and labels.csv
    affectkit extract CLIPS/ --labels labels.csv --out corpus.npz
    affectkit train cmdm --data corpus.npz [--save DIR]        CMDM's main comparisons, JSON; keep the model
    affectkit train easum --data corpus.npz [--data ...]       EASUM's DG + DS models, JSON
    affectkit explore --data corpus.npz --out maps/            latent maps: PNG + a self-contained HTML page
    affectkit predict --model DIR CLIPS/ [--labels new.csv]    label new clips: predictions.csv
    affectkit sweep cmdm --grid collapse --seeds 0-9 --out DIR  a table at any size, resumable (--scheduler: Dask)

``--profile`` only sets sizes (architectures, epochs, batch, learning rate)
when the data is a corpus file. Progress goes to stderr, the JSON result to
stdout (and to ``--out FILE``).
"""

from __future__ import annotations

import argparse
import json
import sys

from .args import positive_int, seed


def _training_args(p):
    p.add_argument("--profile", default="lab", choices=["smoke", "lab", "paper"],
                   help="model sizes and training length: smoke (seconds, a check), lab (default, a laptop), "
                        "paper (the papers' sizes, a GPU)")
    p.add_argument("--seeds", type=seed, nargs="+", default=[0], help="seeds to train with (default 0; several give "
                   "a mean and std)")
    p.add_argument("--epochs", type=positive_int, default=None, help="default: the profile's")
    p.add_argument("--device", default="auto", help="auto (a GPU when there is one), cpu, cuda, cuda:1, mps")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _keys_help() -> str:
    from .commands import OUTPUT_KEYS

    return "output keys (JSON on stdout):\n" + "\n".join(f"  {k}: {v}" for k, v in OUTPUT_KEYS.items())


def _predict_help() -> str:
    from .commands import PREDICT_KEYS

    return ("predictions.csv: clip, predicted, p_<class> per class (sums to 1), label where --labels gives one.\n"
            "output keys (JSON on stdout):\n" + "\n".join(f"  {k}: {v}" for k, v in PREDICT_KEYS.items()))


def parser() -> argparse.ArgumentParser:
    from affectkit import __version__

    top = argparse.ArgumentParser(prog="affectkit", description=__doc__.split("\n\n")[0].replace("``", ""),
                                  epilog="Run `affectkit COMMAND --help` for a command's arguments.")
    top.add_argument("--version", action="version", version=f"affectkit {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="execute the notebooks, HTML gallery (affectkit run --help)", add_help=False)
    sub.add_parser("bench", help="benchmarks on real corpora (affectkit bench --help)", add_help=False)
    sub.add_parser("sweep", help="a notebook's table at any size, resumable, locally or on Dask (affectkit sweep --help)",
                   add_help=False)
    d = sub.add_parser("demo", help="write the demo clips and their labels.csv into a folder")
    d.add_argument("folder", help="where the clips and labels.csv go (created)")
    d.add_argument("--per-speaker", type=positive_int, default=3, help="clips per class and speaker (default 3)")
    d.add_argument("--seed", type=seed, default=0, help="another seed gives other clips (e.g. new clips to predict)")
    e = sub.add_parser("extract", help="a folder of clips + labels.csv -> a corpus .npz")
    e.add_argument("clips", help="the folder of clips (videos with sound, or .wav + video pairs, or sound files)")
    e.add_argument("--labels", required=True, help="CSV with the columns clip,label,speaker,transcript,split")
    e.add_argument("--out", required=True, help="the corpus file (.npz)")
    e.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: every core)")
    e.add_argument("--keep-parts", action="store_true", help="keep the per-clip files after assembly")
    e.add_argument("--quiet", action="store_true", help="no progress on stderr")
    formatter = argparse.RawDescriptionHelpFormatter
    t = sub.add_parser("train", help="the papers' main experiments on a corpus file, metrics as JSON",
                       epilog=_keys_help(), formatter_class=formatter)
    t.add_argument("method", choices=["cmdm", "easum"], help="cmdm (any modalities) or easum (needs transcripts)")
    t.add_argument("--data", required=True, action="append", help="a corpus .npz (easum: repeat for several)")
    t.add_argument("--save", default=None, metavar="DIR", help="keep the model in DIR (model.pt, card.json, card.md) "
                   "for `affectkit predict`; easum with several corpora: DIR/<corpus>/")
    t.add_argument("--out", default=None, metavar="FILE", help="also write the JSON result to FILE")
    t.add_argument("--map", action="append", default=[], metavar="CLASS=COMMON",
                   help="easum: count your class CLASS as EASUM-9's COMMON (happy, angry, sad, neutral, excited, "
                        "frustrated, fear, disgust, surprise), e.g. --map melancholy=sad; repeat for several")
    t.add_argument("--eta", type=float, default=0.5, help="easum: weight of the pseudo-label loss (default 0.5)")
    t.add_argument("--omega", type=float, default=0.1, help="easum: weight of MD_total between corpora (default 0.1)")
    _training_args(t)
    x = sub.add_parser("explore", help="latent maps of a corpus: PNG + HTML")
    x.add_argument("--data", required=True, help="a corpus .npz")
    x.add_argument("--out", required=True, help="folder for the maps (index.html, latent_*.png, summary.json)")
    x.add_argument("--projection", choices=["umap", "pca"], default="umap",
                   help="how the latents go to 2-D (default umap; pca is faster)")
    _training_args(x)
    p = sub.add_parser("predict", help="label new clips with a saved model: predictions.csv",
                       epilog=_predict_help(), formatter_class=formatter)
    p.add_argument("clips", help="the folder of new clips")
    p.add_argument("--model", required=True, metavar="DIR", help="a folder written by `affectkit train ... --save`")
    p.add_argument("--labels", default=None, help="CSV with a clip column (and transcript, needed when the model "
                   "reads words; label, when given, is scored); default: every sound or video file of the folder")
    p.add_argument("--out", default="predictions.csv", metavar="FILE", help="the predictions (default predictions.csv)")
    p.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: every core)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return top


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("run", "bench", "sweep"):
        from . import bench, runner, sweep
        return {"run": runner, "bench": bench, "sweep": sweep}[argv[0]].main(argv[1:], prog=f"affectkit {argv[0]}")
    args = parser().parse_args(argv)
    try:
        if args.command == "demo":
            from ..features.demo import make_demo_corpus
            labels = make_demo_corpus(args.folder, args.per_speaker, args.seed)
            print(f"wrote the demo clips and {labels}; next: affectkit extract {args.folder} --labels {labels} "
                  f"--out corpus.npz")
            return 0
        if args.command == "extract":
            from ..features.extract import extract
            result = extract(args.clips, args.labels, args.out, args.jobs, not args.quiet, args.keep_parts)
            for warning in result["warnings"]:
                print(f"warning: {warning}", file=sys.stderr)
            for m, reason in result["dropped"].items():
                print(f"note: modality {m} is left out of the corpus: {reason}", file=sys.stderr)
            for clip, reason in result["skipped"].items():
                print(f"skipped {clip}: {reason}", file=sys.stderr)
            if result["skipped"]:
                print(f"note: {len(result['skipped'])} clip(s) skipped; their part files stay in "
                      f"{args.out}.parts/ so that a rerun after a fix retries only them", file=sys.stderr)
            print(json.dumps({"corpus": repr(result["corpus"]), "path": str(result["path"]),
                              "modalities": "".join(result["corpus"].train.x), "extracted": result["extracted"],
                              "reused": result["reused"], "skipped": result["skipped"],
                              "dropped": result["dropped"]}, indent=2))
            return 0
        from . import commands
        if args.command == "train":
            if args.method == "cmdm" and len(args.data) > 1:
                raise ValueError("train cmdm takes one corpus (--data once)")
            if args.method == "cmdm" and args.map:
                raise ValueError("--map is for easum (EASUM-9's common classes); cmdm learns your classes as they are")
            if args.method == "cmdm":
                args.data = args.data[0]
            result = (commands.train_cmdm if args.method == "cmdm" else commands.train_easum)(args)
        elif args.command == "predict":
            result = commands.predict(args)
        else:
            result = commands.explore(args)
        text = json.dumps(result, indent=2, default=str)
        out = getattr(args, "out", None) if args.command == "train" else None
        if args.command == "explore":
            from pathlib import Path
            out = Path(args.out) / "summary.json"
        if out:
            from pathlib import Path

            from ..files import atomic_write
            with atomic_write(Path(out), suffix=".json") as tmp:
                Path(tmp).write_text(text + "\n", encoding="utf-8")
    except (OSError, ValueError, TypeError) as err:   # OSError: a missing file, a folder where a file goes, ...
        print(f"affectkit {args.command}: {err}", file=sys.stderr)
        return 2
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

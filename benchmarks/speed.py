"""Speed of the kit's lab-size training steps and notebooks: today's code next to
the naive baseline it replaced, measured in one run, printed as ratios.

    .venv/bin/python benchmarks/speed.py                  # the training steps and two tables (about 6 minutes)
    .venv/bin/python benchmarks/speed.py --notebooks      # + every notebook at the lab profile
    make bench                                            # the same as --notebooks

Steps (2 CPU cores unless --threads; the median of ``--repeats`` timings of ``--steps`` steps):

- ``cmdm``: a semi-supervised CMDM lab step (a labeled and an unlabeled batch of
  128, the full objective). Naive: one forward pass per batch (the kit's
  first version); today: one pass over both batches joined (:func:`join_batches`).
- ``dg``: an EASUM DG lab step (a batch of 48 from each of four domains, moment
  matching): one forward pass per domain, unchanged (naive = today). Also timed:
  one pass over all four joined, which is faster but changes the dropout stream
  and with it a finding of notebook 06 (see :class:`JoinedDGStep`): not used.
- ``text``: a MELD fine-tuning step of all-MiniLM-L6-v2 (batch 32 of 24 tokens).
  Naive: every layer fine-tuned; today: the lab profile's ``frozen_layers``
  (their outputs computed once per text, so a step runs only the upper layers).

Tables (:func:`tables`): two of the notebooks' tables of independent trainings,
one after the other in one process (naive) and side by side on one process per
core with one thread each (:mod:`affectkit.parallel`, today).

Notebooks: each lab notebook's wall time with the kit's runner, one after the
other. Results: ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import torch

import affectkit
from affectkit import loop
from affectkit.cmdm import CMDM
from affectkit.cmdm.objectives import CMDMLoss
from affectkit.cmdm.train import CMDMStep
from affectkit.config import get_profile
from affectkit.data.dataset import join_batches, split_rows
from affectkit.easum import DGStep, balance_domains, prepare_domains
from affectkit.easum.dg import zero_out_rates
from affectkit.easum.losses import dg_loss
from affectkit.easum.models import DGModel

REPO = Path(__file__).resolve().parents[1]


class NaiveCMDMStep(CMDMStep):
    """The CMDM step as first written: one forward pass per batch."""

    def terms(self, batch):
        out = self.model(batch["x"], batch["mask"], decode=self.decode)
        terms = self.loss.supervised_terms(out, batch["y"], batch["mask"], self.shuffles)
        ub = next(self.pool)
        u_terms = self.loss.unsupervised_terms(self.model(ub["x"], ub["mask"], decode=self.decode),
                                               ub["mask"], self.shuffles)
        terms["total"] = terms["total"] + self.loss.omega * u_terms["total"]
        return terms


class JoinedDGStep(DGStep):
    """Tried, not used: one forward pass over all four domains' batches. It draws
    dropout and the temporal zero-out in another order than one pass per domain,
    so the DG models (and the DS models that 06 warm-starts from them) change;
    that flipped a finding of 06 (the warm start helps MELD on every seed: +0.042
    +- 0.023 became +0.014 +- 0.019, worse on one seed). Kept here as a measurement."""

    def terms(self, batches):
        names = list(batches)
        x, mask, sizes = join_batches([batches[name] for name in names])
        rates = [zero_out_rates(self.prepared[name], batches[name]["index"], self.device) for name in names]
        zero_out = None if all(r is None for r in rates) else torch.cat(
            [torch.zeros(n) if r is None else r for r, n in zip(rates, sizes)])
        outputs = dict(zip(names, split_rows(self.model(x, mask, zero_out), sizes)))
        targets = {name: self.prepared[name].train.hidden["dg_target"][b["index"]]
                   for name, b in batches.items()}
        return dg_loss(outputs, targets, self.tasks, self.omega, self.k)


def time_steps(step: loop.Step, optimizer, steps: int, repeats: int) -> float:
    """Median seconds per training step (forward, loss, backward, optimizer) over ``repeats`` runs."""
    def batches():
        while True:
            yield from step.batches(0)

    source = batches()
    step.model.train()

    def one():
        terms = step.terms(next(source))
        optimizer.zero_grad(set_to_none=True)
        terms["total" if "total" in terms else "loss"].backward()
        optimizer.step()

    for _ in range(3):   # warm-up
        one()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            one()
        timings.append((time.perf_counter() - start) / steps)
    return statistics.median(timings)


def cmdm_steps(steps, repeats) -> dict:
    prof = get_profile("lab")
    world = affectkit.make_world("lab", seed=0)
    loss = CMDMLoss(sigma=1.0)
    out = {}
    for name, cls in (("naive", NaiveCMDMStep), ("today", CMDMStep)):
        torch.manual_seed(0)
        model = CMDM(world.train.shapes, len(world.classes), "lab")
        step = cls(model, world.train, world.val, world.unlabeled, loss, prof.batch_size, 0, torch.device("cpu"))
        out[name] = time_steps(step, torch.optim.Adam(model.parameters(), lr=prof.lr, fused=True), steps, repeats)
    return out


def dg_steps(steps, repeats) -> dict:
    prof = get_profile("lab")
    prepared = balance_domains(prepare_domains(affectkit.make_domains("lab", seed=0)), seed=0)
    shapes = next(iter(prepared.values())).train.shapes
    out = {}
    for name, cls in (("naive", DGStep), ("today", DGStep), ("joined, not used", JoinedDGStep)):
        torch.manual_seed(0)
        model = DGModel(shapes, "lab")
        step = cls(model, prepared, 0.1, 2, prof.easum_training.batch_size, 0, torch.device("cpu"))
        out[name] = time_steps(step, torch.optim.AdamW(model.parameters(), lr=1e-3), steps, repeats)
    return out


def text_steps(steps, repeats) -> dict:
    """A fine-tuning step on 32 made-up lines of 22 words (no corpus needed)."""
    import numpy as np

    from affectkit.text.models import TextClassifier, TextStep

    rng = np.random.default_rng(0)
    words = "we were on a break and you know it so please do not do that again ok".split()
    texts = [" ".join(rng.choice(words, 22)) for _ in range(256)]
    y = rng.integers(0, 7, len(texts))
    out = {}
    frozen = get_profile("lab").meld_run.frozen_layers
    for name, k in (("naive", 0), ("today", frozen)):
        torch.manual_seed(0)
        clf = TextClassifier(7, max_length=24, frozen_layers=k)
        start = time.perf_counter()   # the step runs the frozen layers over every text once (k > 0)
        step = TextStep(clf, texts, y, torch.nn.CrossEntropyLoss(), 32, 0, torch.device("cpu"),
                        warn_truncation=False)
        cache = time.perf_counter() - start
        optimizer = torch.optim.AdamW([p for p in clf.parameters() if p.requires_grad], lr=8e-5)
        out[name] = time_steps(step, optimizer, steps, repeats)
        if k:   # the one-off pass over every text, spread over the steps of one epoch (8 here)
            out["today"] += cache / 8
    out["frozen_layers"] = frozen
    return out


def tables() -> dict:
    """Seconds for two of the notebooks' tables at the lab profile, trained one after the other
    in this process (naive) and side by side on one process per core (today; the workers'
    start-up included): notebook 03's collapse study (4 settings x 3 seeds) and
    notebook 05's DG models (omega 0 and 0.1, 3 seeds)."""
    from affectkit import parallel
    from affectkit.cmdm.experiments import collapse_settings, run_settings
    from affectkit.easum.experiments import run_dg
    from affectkit.teach.lessons.collapse import COLLAPSE_BETA, COLLAPSE_SIGMA

    study = collapse_settings(COLLAPSE_BETA, COLLAPSE_SIGMA)
    work = {"cmdm (03's collapse table)": lambda w: run_settings(study, "lab", workers=w, progress=False),
            "dg (05's DG table)": lambda w: run_dg({"omega0": 0.0, "mm": 0.1}, "lab", workers=w, progress=False)}
    out = {}
    for name, fn in work.items():
        seconds = {}
        for label, workers in (("naive", 1), ("today", parallel.cores())):
            parallel.shutdown()
            start = time.perf_counter()
            fn(workers)
            seconds[label] = time.perf_counter() - start
        seconds["workers"] = parallel.cores()
        out[name] = seconds
    return out


def notebooks() -> dict:
    from affectkit.tools.runner import execute, list_notebooks

    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in list_notebooks():
            run = execute(path, Path(tmp) / path.stem, {"profile": "lab"}, cell_timeout=1800)
            seconds[path.stem] = round(run.seconds, 1)
            print(f"  {path.stem}: {seconds[path.stem]} s", flush=True)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=10, help="steps per timing")
    parser.add_argument("--repeats", type=int, default=5, help="timings per step kind (the median is kept)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own)")
    parser.add_argument("--notebooks", action="store_true", help="also time every notebook at the lab profile")
    parser.add_argument("--steps-only", action="store_true", help="only the training steps, not the tables")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")
    results = {"threads": torch.get_num_threads(), "torch": torch.__version__}
    for name, fn in (("cmdm", cmdm_steps), ("dg", dg_steps), ("text", text_steps)):
        r = fn(args.steps, args.repeats)
        results[name] = r
        print(f"{name:5s} step: naive {r['naive'] * 1000:7.1f} ms ({1 / r['naive']:5.1f} steps/s), "
              f"today {r['today'] * 1000:7.1f} ms ({1 / r['today']:5.1f} steps/s): "
              f"{r['naive'] / r['today']:.2f}x", flush=True)
        for extra in set(r) - {"naive", "today", "frozen_layers"}:
            print(f"       {extra}: {r[extra] * 1000:7.1f} ms: {r['naive'] / r[extra]:.2f}x", flush=True)
    if not args.steps_only:
        results["tables"] = tables()
        for name, r in results["tables"].items():
            print(f"{name}: one after the other {r['naive']:6.1f} s, side by side on {r['workers']} processes "
                  f"{r['today']:6.1f} s: {r['naive'] / r['today']:.2f}x", flush=True)
    if args.notebooks:
        results["notebooks"] = notebooks()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()

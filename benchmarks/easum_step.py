"""Training steps per second of the paper-size EASUM models (EASUM Sec. 4.4).

    .venv/bin/python benchmarks/easum_step.py [--device cuda] [--steps 5] [--warmup 2] [--model dg|ds-sentiment|ds-emotion|all]

Shapes: text 40 x 768, acoustic 157 x 64, visual 32 x 64; hidden 768.

- DG step: one batch of 48 from each of the four corpora (192 utterances),
  MAG -> 8-layer ConvBERT -> both heads, L_DG with MD_total, backward, AdamW.
- DS step: one batch of 48 of one corpus, MAG -> DeBERTa (8 layers for
  sentiment, 3 for emotion) -> main and auxiliary heads, L_DS with the soft
  pseudo labels (precomputed, as in ``fit_ds``), backward, AdamW.

Results: benchmarks/RESULTS.md.
"""

import argparse
import time

import torch

from affectkit.config import get_profile, resolve_device
from affectkit.easum.losses import dg_loss, ds_loss
from affectkit.easum.models import DGModel, DSModel

DOMAINS = {"mosi": "sentiment", "mosei": "sentiment", "meld": "emotion", "iemocap": "emotion"}


def batch(shapes, n, device, gen):
    x = {m: torch.randn(n, *s, generator=gen).to(device) for m, s in shapes.items()}
    mask = {m: torch.ones(n, s[0], dtype=torch.bool, device=device) for m, s in shapes.items()}
    return x, mask


def timed(step, steps, warmup, dev):
    for _ in range(warmup):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def dg_step(shapes, bs, dev, gen):
    model = DGModel(shapes, "paper").to(dev).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    batches = {d: batch(shapes, bs, dev, gen) for d in DOMAINS}
    targets = {d: torch.randint(0, 3 if t == "sentiment" else 9, (bs,), generator=gen).to(dev)
               for d, t in DOMAINS.items()}

    def step():
        outputs = {d: model(*b) for d, b in batches.items()}
        terms = dg_loss(outputs, targets, DOMAINS, omega=0.1)
        opt.zero_grad(set_to_none=True)
        terms["total"].backward()
        opt.step()
    return model, step


def ds_step(task, shapes, bs, dev, gen):
    model = DSModel(shapes, task, n_classes=7 if task == "emotion" else None, arch="paper").to(dev).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    x, mask = batch(shapes, bs, dev, gen)
    target = (torch.randn(bs, generator=gen) if task == "sentiment" else torch.randint(0, 7, (bs,), generator=gen)).to(dev)
    teacher = torch.randn(bs, 9 if task == "sentiment" else 3, generator=gen).to(dev)

    def step():
        terms = ds_loss(model(x, mask), target, teacher, task, eta=0.5)
        opt.zero_grad(set_to_none=True)
        terms["total"].backward()
        opt.step()
    return model, step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=48)
    parser.add_argument("--model", default="all", choices=["dg", "ds-sentiment", "ds-emotion", "all"])
    args = parser.parse_args()
    dev = resolve_device(args.device)
    shapes = get_profile("paper").domain_shapes
    gen = torch.Generator().manual_seed(0)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    print(f"device: {name}; torch {torch.__version__}; shapes {shapes}; batch {args.batch} per corpus")
    which = ["dg", "ds-sentiment", "ds-emotion"] if args.model == "all" else [args.model]
    for kind in which:
        model, step = dg_step(shapes, args.batch, dev, gen) if kind == "dg" else \
            ds_step(kind.split("-")[1], shapes, args.batch, dev, gen)
        per_step = timed(step, args.steps, args.warmup, dev)
        params = sum(p.numel() for p in model.parameters())
        print(f"{kind}: {params / 1e6:.1f} M parameters, {per_step * 1000:.0f} ms per step ({1 / per_step:.2f} steps/s)")
        del model, step
        if dev.type == "cuda":
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()

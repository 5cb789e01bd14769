"""Training steps per second of the paper-profile CMDM (CMDM Table 3 sizes).

    .venv/bin/python benchmarks/cmdm_step.py [--device cuda] [--steps 20] [--warmup 3]

One step = A+V+L, semi-supervised (Lsemi, Eq. 9): a labeled batch of 128 and an
unlabeled batch of 128 (A 1582, V 18 x 342, L 22 x 1024), forward, all loss
terms, backward, Adam. Target on an H100-class GPU: <= 32 ms per step,
i.e. one 157-step epoch over a 20k pool in <= 5 s. Results: benchmarks/RESULTS.md.
"""

import argparse
import time
import warnings

import torch

from affectkit.cmdm.model import CMDM
from affectkit.cmdm.objectives import CMDMLoss
from affectkit.config import get_profile, resolve_device


def batch(shapes, n, device, gen):
    x = {m: torch.randn(n, *s, generator=gen).to(device) for m, s in shapes.items()}
    mask = {m: torch.ones(n, s[0], dtype=torch.bool, device=device) for m, s in shapes.items() if len(s) == 2}
    return x, mask


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    dev = resolve_device(args.device)
    shapes = get_profile("paper").shapes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the visual transformer's 4 -> 3 heads
        model = CMDM(shapes, 4, "paper").to(dev)
    loss = CMDMLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)  # as affectkit.cmdm.train.fit
    gen = torch.Generator().manual_seed(0)
    (xl, ml), (xu, mu) = batch(shapes, args.batch, dev, gen), batch(shapes, args.batch, dev, gen)
    y = torch.randint(0, 4, (args.batch,), generator=gen).to(dev)
    shuffles = torch.Generator().manual_seed(1)

    def step():
        terms = loss.supervised_terms(model(xl, ml), y, ml, shuffles)
        u_terms = loss.unsupervised_terms(model(xu, mu), mu, shuffles)
        total = terms["total"] + loss.omega * u_terms["total"]
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    per_step = (time.perf_counter() - start) / args.steps
    params = sum(p.numel() for p in model.parameters())
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    print(f"device: {name}; torch {torch.__version__}; parameters {params / 1e6:.1f} M")
    print(f"{per_step * 1000:.1f} ms per step ({1 / per_step:.2f} steps/s); "
          f"157-step epoch: {157 * per_step:.1f} s")


if __name__ == "__main__":
    main()

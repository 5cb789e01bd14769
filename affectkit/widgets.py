"""ipywidgets explorers over pure library functions.

Each explorer is a plain function that returns a Figure (and the numbers it
shows), unit-tested on its own; a notebook wraps it in ``ipywidgets.interact``.
A headless run (papermill) executes the default view once.
"""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np
import torch

from .losses import gaussian_kernel, mmd


def headless() -> bool:
    """True when the kit's runner executes the notebook (papermill, no browser)."""
    return os.environ.get("AFFECTKIT_HEADLESS") == "1"


def interact(view, **sliders):
    """``ipywidgets.interact(view, **sliders)`` in a live notebook; in a headless
    run, ``view()`` once with its defaults, its figure shown as a static image.

    ``view`` returns (Figure, value) like :func:`mmd_view`. Headless runs take
    this path because papermill cannot drive widgets: a widget whose output
    holds a matplotlib figure can leave the executing client waiting for
    output until the cell timeout.
    """
    if headless():
        fig, value = view()
        return value
    import ipywidgets

    def show(**kwargs):
        fig, value = view(**kwargs)
        plt.show()

    return ipywidgets.interact(show, **{k: v for k, v in sliders.items()})


def mmd_view(shift: float = 1.0, sigma: float = 1.0, n: int = 200, seed: int = 0):
    """Two 2-D Gaussian clouds ``shift`` apart and the Eq. 3 MMD between them at bandwidth ``sigma``.

    Left: the samples; right: the kernel matrix of both clouds stacked
    (p first, then q): MMD compares the within blocks with the cross blocks.

    Returns:
        (Figure, mmd value as a float).
    """
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(n, 2, generator=g)
    q = torch.randn(n, 2, generator=g) + torch.tensor([shift, 0.0])
    value = float(mmd(p, q, sigma))
    both = torch.cat([p, q])
    p_np, q_np = p.numpy(), q.numpy()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8))
    ax1.scatter(p_np[:, 0], p_np[:, 1], s=6, label="p", alpha=0.6)
    ax1.scatter(q_np[:, 0], q_np[:, 1], s=6, label="q", alpha=0.6)
    ax1.set_title(f"two clouds {shift:.2f} apart")
    ax1.set_xlabel("dim 1")
    ax1.set_ylabel("dim 2")
    ax1.legend()
    im = ax2.imshow(gaussian_kernel(both, both, sigma).numpy(), cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax2, label="k(x, y)")
    ax2.set_title(f"kernel, sigma = {sigma:.2f}: MMD = {value:.3f}")
    ax2.set_xlabel("sample (p, then q)")
    ax2.set_ylabel("sample (p, then q)")
    fig.tight_layout()
    return fig, value


def mmd_bandwidth_curve(shift: float = 1.0, sigmas=np.geomspace(0.05, 20, 25), n: int = 200,
                        seed: int = 0) -> list:
    """MMD of :func:`mmd_view`'s clouds for each bandwidth: rows {"sigma", "mmd"}."""
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(n, 2, generator=g)
    q = torch.randn(n, 2, generator=g) + torch.tensor([shift, 0.0])
    return [{"sigma": float(s), "mmd": float(mmd(p, q, float(s)))} for s in sigmas]

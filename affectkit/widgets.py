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


def latent_view(sources: dict, model: str | None = None, colour: str = "emotion", projection: str = "pca",
                n_neighbors: int = 15, min_dist: float = 0.1, modalities: str = "AVL", seed: int = 0):
    """One latent map of one model, with its numbers (the latent explorer's view).

    Args:
        sources: model name -> (z (n, d), frame) with a "modality" column and
            the colouring columns (see :func:`affectkit.latent.stack`).
        model: which source (default: the first); colour: a frame column;
        projection: "umap" or "pca" (and UMAP's n_neighbors, min_dist);
        modalities: which modalities' points to show (e.g. "AV"); points whose
            modality is not one of A, V, L (a fused representation) always show.
    Returns: (Figure, scores dict of :func:`affectkit.latent.scores`).
    """
    from . import latent, plots

    model = model or next(iter(sources))
    if model not in sources:
        raise ValueError(f"no model {model!r}; choose from {list(sources)}")
    z, frame = sources[model]
    keep = np.ones(len(frame), bool)
    if "modality" in frame:  # points of other kinds (e.g. "fused" representations) are always shown
        mods = frame["modality"]
        keep = (mods.isin(list(modalities)) | ~mods.isin(list("AVL"))).to_numpy()
    if not keep.any():
        raise ValueError(f"{model}: no points of modalities {modalities!r}; it has {sorted(frame['modality'].unique())}")
    z, frame = np.asarray(z)[keep], frame[keep].reset_index(drop=True)
    xy = latent.project(z, projection, n_neighbors, min_dist, seed)
    numbers = latent.scores(z, frame, xy)
    fig = plots.latent_maps({model: (xy, frame)}, colour, title=f"{model}: {projection.upper()} map",
                            scores={model: numbers})
    return fig, numbers

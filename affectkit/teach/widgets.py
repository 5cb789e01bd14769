"""ipywidgets explorers over pure library functions.

Each explorer is a plain function that returns a Figure (and the numbers it
shows), unit-tested on its own; a notebook wraps it in :func:`interact`, which
draws the default view as a static figure under every executor and adds
sliders that redraw it where a front-end can drive them.
"""

from __future__ import annotations

import inspect
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display

from ..cmdm.losses import gaussian_kernel, mmd


def headless() -> bool:
    """True when the kit's runner executes the notebook for its gallery (no front-end
    will ever move a slider, so :func:`interact` leaves the sliders out)."""
    return os.environ.get("AFFECTKIT_HEADLESS") == "1"


def interact(view, **sliders):
    """Draw ``view()`` once as a static figure, then add sliders that redraw it.

    Args:
        view: a function returning (Figure, value), like :func:`mmd_view`; its
            keyword defaults are the default view.
        sliders: ``ipywidgets.interact`` abbreviations per parameter of ``view``:
            ``(min, max, step)`` for a slider, a list for a drop-down,
            ``ipywidgets.fixed(x)`` for a value without a control.
    Returns:
        the default view's value (with the ``fixed`` values).

    The default view is displayed as an image output, so the executed notebook
    (papermill, nbconvert, the HTML gallery) shows the figure, and the Figure is
    closed so that it is not drawn twice. The sliders come below it; moving one
    redraws the view into an Output widget under them. Nothing is drawn into a
    widget while the cell runs: nbclient (under papermill and nbconvert) mimics
    an Output widget by sending its new state to the kernel on the shell channel
    while it waits on that channel for the cell's reply, and can then miss the
    reply until the cell timeout (jupyter/nbclient#312): a plain
    ``ipywidgets.interact`` cell sat idle for the whole timeout and left no figure.
    The kit's runner (``AFFECTKIT_HEADLESS=1``) leaves the sliders out of its
    gallery runs; nothing else depends on it.
    """
    import ipywidgets

    params = inspect.signature(view).parameters
    unknown = sorted(set(sliders) - set(params))
    if unknown and not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        raise ValueError(f"interact: {getattr(view, '__name__', 'view')} has no parameter {unknown}; "
                         f"it takes {list(params)}")
    fixed = {k: v.value for k, v in sliders.items() if isinstance(v, ipywidgets.fixed)}
    fig, value = view(**fixed)
    display(fig)
    plt.close(fig)
    if headless():
        return value
    controls = {}
    for name, abbrev in sliders.items():
        if name in fixed:
            continue
        default = params[name].default if name in params else inspect.Parameter.empty
        control = ipywidgets.interactive.widget_from_abbrev(abbrev, default)
        if control is None:
            raise ValueError(f"interact: cannot make a control for {name}={abbrev!r}")
        if default is not inspect.Parameter.empty and default is not None and control.value != default:
            warnings.warn(f"interact: the {name} control starts at {control.value!r}, not at the default "
                          f"view's {default!r}", stacklevel=2)
        control.description = control.description or name
        if hasattr(control, "continuous_update"):
            control.continuous_update = False  # redraw on release, not at every step of a drag
        controls[name] = control
    out = ipywidgets.Output()

    def redraw(change=None):
        with out:  # shows a failing view's traceback in the widget
            out.clear_output(wait=True)
            new_fig, _ = view(**fixed, **{k: c.value for k, c in controls.items()})
            display(new_fig)
            plt.close(new_fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    display(ipywidgets.VBox([*controls.values(), out]))
    return value


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


def mmd_bandwidth_curve(shift: float = 1.0, sigmas=None, n: int = 200,
                        seed: int = 0) -> list:
    """MMD of :func:`mmd_view`'s clouds for each bandwidth (default: 25, log-spaced from 0.05 to 20):
    rows {"sigma", "mmd"}."""
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(n, 2, generator=g)
    q = torch.randn(n, 2, generator=g) + torch.tensor([shift, 0.0])
    sigmas = np.geomspace(0.05, 20, 25) if sigmas is None else sigmas
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
    Returns: (Figure, scores dict of :func:`affectkit.latent.map_scores`).
    """
    from .. import latent
    from . import plots

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
    numbers = latent.map_scores(z, frame, xy)
    fig = plots.latent_maps({model: (xy, frame)}, colour, title=f"{model}: {projection.upper()} map",
                            scores={model: numbers})
    return fig, numbers

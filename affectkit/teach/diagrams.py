"""Architecture diagrams of the two methods, drawn from a model so they stay true to it.

:func:`cmdm` reads a :class:`affectkit.cmdm.CMDM` (its modalities, input shapes,
latent and classifier sizes) and draws where each loss term of Eq. 2-9 acts;
:func:`easum` reads a DG and a DS model (hidden size, layers, heads) and draws
the two phases: the domain-general model with moment matching, then the
domain-specific model learning from the frozen DG model's soft pseudo labels.
Colours follow :mod:`affectkit.teach.palette` (modalities, domains); loss terms are red.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from . import palette as pal

LOSS = "#c0392b"      # every loss term
MODEL = "#f2f2f2"     # trainable blocks
FROZEN = "#d9d9d9"    # the frozen teacher


def _box(ax, x, y, w, h, text, face=MODEL, edge="#333333", fontsize=8, style="round,pad=0.02", **kw):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=style, facecolor=face, edgecolor=edge, lw=1.2, **kw))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize)
    return (x, y, w, h)


def _arrow(ax, a, b, color="#333333", style="-|>", ls="-", rad=0.0):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle=style, mutation_scale=10, color=color, lw=1.1,
                                 linestyle=ls, connectionstyle=f"arc3,rad={rad}"))


def _loss(ax, x, y, text, fontsize=8, ha="left"):
    ax.text(x, y, text, color=LOSS, fontsize=fontsize, ha=ha, va="center")


def _canvas(w, h, title):
    fig, ax = plt.subplots(figsize=(w, h))
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    return fig, ax


def _shape(s) -> str:
    return " x ".join(str(int(d)) for d in s)


def cmdm(model, title: str | None = None):
    """CMDM (Liang et al. 2020, Fig. 2-4, Eq. 2-9) drawn from a model.

    Args:
        model: a :class:`affectkit.cmdm.CMDM` (e.g. ``CMDM(world.train.shapes, 4, "paper")``).
    Returns: a matplotlib Figure (axes off: a drawing, not a plot).
    """
    mods = list(model.modalities)
    arch = model.arch
    fig, ax = _canvas(13.4, 2.4 + 1.35 * len(mods), title or
                      f"CMDM: one DAE per modality, matching in the latent space ({arch.latent}-d per modality)")
    top = 1.35 * len(mods) + 1.45
    rows = {m: top - 1.35 * i for i, m in enumerate(mods)}
    y0 = 0.85   # the fusion row
    for m, y in rows.items():
        colour = pal.MODALITY.get(m, "#777777")
        seq = len(model.shapes[m]) == 2
        _box(ax, 0.1, y - 0.3, 1.6, 0.6, f"$x_{m}$\n{_shape(model.shapes[m])}", face="white", edge=colour)
        _box(ax, 2.2, y - 0.35, 1.9, 0.7, "encoder\n" + ("transformer + conv" if seq else "linear layers"),
             edge=colour)
        _box(ax, 4.6, y - 0.3, 1.2, 0.6, f"$z_{m}$\n{arch.latent}-d", face="white", edge=colour)
        _box(ax, 9.3, y - 0.35, 1.9, 0.7, "decoder\n" + ("deconv + transformer" if seq else "linear layers"),
             edge=colour)
        _box(ax, 11.7, y - 0.3, 1.5, 0.6, f"rec($x_{m}$)" + ("\nreversed order" if seq else ""), face="white",
             edge=colour)
        _arrow(ax, (1.7, y), (2.2, y), colour)
        _arrow(ax, (4.1, y), (4.6, y), colour)
        _arrow(ax, (5.8, y), (9.3, y), colour)
        _arrow(ax, (11.2, y), (11.7, y), colour)
        ax.plot([5.8, 6.05], [y - 0.15, y - 0.15], color="#333333", lw=1.0)   # onto the fusion bus
    ax.plot([6.05, 6.05], [rows[mods[0]] - 0.15, y0 + 0.3], color="#333333", lw=1.0)
    _loss(ax, 12.45, rows[mods[-1]] - 0.6, "$L_{rec}$: MSE to the target\n(Eq. 2)", ha="center")
    if len(mods) > 1:   # matching between latents: a bracket beside the z column
        ys = list(rows.values())
        ax.plot([6.35, 6.5, 6.5, 6.35], [ys[0] + 0.2, ys[0] + 0.2, ys[-1] - 0.2, ys[-1] - 0.2], color=LOSS, lw=1.2)
        _loss(ax, 6.6, (ys[0] + ys[1]) / 2, "$L_{pair}$: MMD between the\nlatents of paired samples\n(Eq. 3-4, 6)",
              fontsize=7.5)
        _loss(ax, 6.6, (ys[-2] + ys[-1]) / 2, "$L_{unpair}$: minus the MMD of\nshuffled (unpaired) latents\n(Eq. 7)",
              fontsize=7.5)
    _box(ax, 4.6, y0 - 0.3, 2.4, 0.6, "concatenate [" + "; ".join(f"$z_{m}$" for m in mods) + "]", face="white")
    _box(ax, 7.6, y0 - 0.3, 2.4, 0.6, f"classifier C\n{arch.classifier_hidden} hidden, {model.n_classes} classes")
    _arrow(ax, (7.0, y0), (7.6, y0))
    _arrow(ax, (10.0, y0), (10.5, y0))
    _loss(ax, 10.6, y0, "$L_{cls}$: cross-entropy (Eq. 5)")
    ax.text(0.1, 0.18, r"$L_s = L_{cls} + \alpha L_{rec} + \beta (L_{pair} + L_{unpair})$ (Eq. 6-7)     "
            r"$L_u = \alpha L^u_{rec} + \beta (L^u_{pair} + L^u_{unpair})$ on unlabeled data (Eq. 8)     "
            r"$L_{semi} = L_s + \omega L_u$ (Eq. 9)", fontsize=8, color=LOSS)
    fig.tight_layout()
    return fig


def easum(dg, ds, domains=("mosi", "mosei", "meld", "iemocap"), title: str | None = None):
    """EASUM (Hwang & Kim, Fig. 1-2) drawn from a DG and a DS model.

    Args:
        dg: a :class:`affectkit.easum.DGModel`; ds: a :class:`affectkit.easum.DSModel`.
        domains: the corpora of the DG phase (colours from the domain palette).
    Returns: a matplotlib Figure (axes off).
    """
    a = dg.arch
    fig, ax = _canvas(13.0, 5.6, title or "EASUM: a domain-general model, then a domain-specific one per corpus")
    # phase 1
    ax.text(0.1, 5.2, "Phase 1: domain-general (DG), all corpora at once", fontsize=9, weight="bold")
    for i, d in enumerate(domains):
        _box(ax, 0.1, 4.3 - 0.55 * i, 1.3, 0.42, d, face="white", edge=pal.DOMAIN.get(d, "#777777"))
        _arrow(ax, (1.4, 4.5 - 0.55 * i), (1.9, 3.8), pal.DOMAIN.get(d, "#777777"))
    _box(ax, 1.9, 3.35, 1.9, 0.9, "text embeddings\n+ MAG gate\n(acoustic, visual)")
    _box(ax, 4.3, 3.35, 1.7, 0.9, f"ConvBERT\n{dg.encoder.config.num_hidden_layers} layers, {a.hidden}-d")
    _box(ax, 6.5, 3.55, 1.0, 0.5, "rep", face="white")
    _box(ax, 8.0, 4.2, 1.9, 0.5, "sentiment head (3)")
    _box(ax, 8.0, 3.0, 1.9, 0.5, "emotion head (9)")
    _arrow(ax, (3.8, 3.8), (4.3, 3.8))
    _arrow(ax, (6.0, 3.8), (6.5, 3.8))
    _arrow(ax, (7.5, 3.9), (8.0, 4.45))
    _arrow(ax, (7.5, 3.7), (8.0, 3.25))
    _loss(ax, 10.0, 3.85, "$L_{DG} = \\sum_i L_{D_i} + \\omega\\, MD_{total}$\n"
          "task loss per corpus (its own head)\n+ moment distance between the\ncorpora's reps (mean, 2nd moment)",
          fontsize=7.5)
    ax.plot([6.5, 7.5], [3.45, 3.45], color=LOSS, lw=1.2)
    _loss(ax, 6.3, 3.2, "$MD_{total}$", fontsize=7.5)
    # phase 2
    ax.text(0.1, 2.35, f"Phase 2: domain-specific (DS), one corpus ({ds.task} task)", fontsize=9, weight="bold")
    _box(ax, 0.1, 1.1, 1.3, 0.5, "one corpus", face="white")
    _box(ax, 1.9, 0.9, 1.9, 0.9, "text embeddings\n+ MAG gate\n(started from DG)")
    _box(ax, 4.3, 0.9, 1.7, 0.9, f"DeBERTa\n{ds.encoder.config.num_hidden_layers} layers, {ds.arch.hidden}-d")
    _box(ax, 6.5, 1.1, 1.0, 0.5, "rep", face="white")
    main = "main head: intensity (MSE)" if ds.task == "sentiment" else "main head: classes (CE)"
    aux = "aux head: 9 emotions" if ds.task == "sentiment" else "aux head: 3 polarities"
    _box(ax, 8.0, 1.6, 2.2, 0.45, main)
    _box(ax, 8.0, 0.55, 2.2, 0.45, aux)
    _arrow(ax, (1.4, 1.35), (1.9, 1.35))
    _arrow(ax, (3.8, 1.35), (4.3, 1.35))
    _arrow(ax, (6.0, 1.35), (6.5, 1.35))
    _arrow(ax, (7.5, 1.45), (8.0, 1.8))
    _arrow(ax, (7.5, 1.25), (8.0, 0.78))
    _box(ax, 10.9, 2.3, 1.9, 0.6, "the trained DG model,\nfrozen (no gradient)", face=FROZEN)
    _arrow(ax, (8.95, 3.0), (11.5, 2.9), "#555555", ls="--")
    _arrow(ax, (11.85, 2.3), (10.2, 0.78), LOSS, ls="--")
    _loss(ax, 10.45, 1.55, "soft pseudo labels\n$y_a^*$ = teacher's softmax", fontsize=7.5)
    _loss(ax, 10.3, 0.35, "$L_{DS} = L_{task} + \\eta\\, KL(y_a^* \\| \\hat y_a)$", fontsize=8)
    fig.tight_layout()
    return fig

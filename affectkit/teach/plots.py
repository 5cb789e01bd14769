"""The kit's figures: each function takes data and returns a matplotlib Figure
with a title, axis labels and a legend where there is more than one series.

One visual language (:mod:`affectkit.teach.palette`): an emotion, a corpus / domain
and a modality have the same colour in every figure of the kit; other series
(models, settings, loss terms) take the colour-blind-safe series colours.
Legends sit outside the data, to the right of the last panel.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ..data.dataset import MultimodalDataset
from . import palette as pal

PALETTE = pal.SERIES
MODALITY_NAMES = {"A": "acoustic", "V": "visual", "L": "lexical"}


def legend_outside(ax, title: str | None = None, **kwargs):
    """Move (or draw) the axes' legend to the right of the axes, off the data."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    kwargs.setdefault("fontsize", 8)
    legend = ax.legend(handles, labels, title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       borderaxespad=0.0, frameon=False, title_fontsize=8, **kwargs)
    for handle in legend.legend_handles:   # a wide tick mark (the paper's value) stays legible in the legend
        if hasattr(handle, "set_sizes") and max(handle.get_sizes(), default=0) > 200:
            handle.set_sizes([120])
    return legend


def zoom(ax, values, paper=None, pad: float = 0.25):
    """Let the y axis show differences: limits around the drawn values (and the
    paper's, when given) instead of from 0; the axis label says so."""
    values = [float(v) for v in np.ravel(values) if np.isfinite(v)]
    if paper is not None:
        values += [float(v) for v in np.ravel(list(paper.values()) if isinstance(paper, dict) else paper)
                   if v is not None and np.isfinite(v)]
    lo, hi = min(values), max(values)
    span = max(hi - lo, 1e-3 * max(abs(hi), 1e-6))
    ax.set_ylim(lo - pad * span - span * 0.5, hi + pad * span)
    ax.set_ylabel(f"{ax.get_ylabel()}\n(axis zoomed: not from 0)")


def sample_heatmaps(ds: MultimodalDataset, index: int = 0, max_dims: int = 64, title: str | None = None):
    """One utterance, every modality as a heatmap (time x feature; a vector as one row).

    Padding frames (mask False) are shown blank.
    """
    if not 0 <= index < len(ds):
        raise ValueError(f"index {index} outside 0..{len(ds) - 1}")
    mods = ds.modalities
    fig, axes = plt.subplots(1, len(mods), figsize=(4.2 * len(mods), 3.2), squeeze=False)
    label = ds.classes[int(ds.y_true[index])]
    for ax, m in zip(axes[0], mods):
        values = ds.x[m][index].numpy()
        values = values[None, :] if values.ndim == 1 else values
        values = values[:, :max_dims].astype(float)
        if m in ds.mask:
            values[~ds.mask[m][index].numpy()] = np.nan
        sns.heatmap(values, ax=ax, cmap="vlag", center=0, cbar=True, xticklabels=False,
                    yticklabels=values.shape[0] > 1)
        ax.set_title(f"{MODALITY_NAMES.get(m, m)} ({m}) {tuple(ds.x[m].shape[1:])}")
        ax.set_xlabel("feature dimension")
        ax.set_ylabel("frame / word" if values.shape[0] > 1 else "utterance vector")
    fig.suptitle(title or f"{ds.name} sample {index}: true class '{label}'")
    fig.tight_layout()
    return fig


def class_balance(datasets: dict, true: bool = True):
    """Grouped bars of class proportions, one group per class, one bar per dataset.

    Args:
        datasets: name -> MultimodalDataset (same classes); ``true`` counts the
            hidden true classes (so the unlabeled pool can be shown too).
    """
    rows = []
    for name, ds in datasets.items():
        counts = ds.class_counts(true=true)
        for c, k in zip(ds.classes, counts):
            rows.append({"split": name, "class": c, "share": k / counts.sum()})
    df = pd.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    sns.barplot(df, x="class", y="share", hue="split", palette=pal.colours(datasets, "series"), ax=ax, saturation=1)
    ax.set_title("Class balance: labeled splits vs the unlabeled pool")
    ax.set_xlabel("emotion class")
    ax.set_ylabel("share of the split")
    legend_outside(ax, "split")
    fig.tight_layout()
    return fig


def moment_bars(moments: pd.DataFrame, relative: bool = False):
    """Per-dimension first and second moments, one line per group (e.g. domain).

    Args:
        moments: rows {"group", "dim", "mean", "std"}
            (``affectkit.data.domains.feature_moments``).
        relative: label the axes for ``feature_moments(..., relative=True)``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    labels = {"mean": "mean - pooled mean (pooled std)", "std": "std / pooled std"} if relative \
        else {"mean": "mean", "std": "std"}
    for ax, col, what in zip(axes, ("mean", "std"), ("first moment: mean", "second moment: std")):
        sns.lineplot(moments, x="dim", y=col, hue="group", palette=pal.for_column("group", moments["group"]),
                     ax=ax, marker="o", markersize=3, legend=ax is axes[-1])
        ax.set_title(f"Per-dimension {what}")
        ax.set_xlabel("feature dimension")
        ax.set_ylabel(labels[col])
    legend_outside(axes[-1], "domain")
    fig.tight_layout()
    return fig


def metric_bars(df: pd.DataFrame, x: str, y: str, hue: str | None = None, title: str = "",
                ylabel: str | None = None, chance: float | None = None, paper: dict | None = None,
                zoomed: bool = False, xlabel: str | None = None, palette: dict | None = None):
    """Bar chart of a tidy table (error bars: the std when ``df`` has several rows per bar).

    Args:
        hue: a column that splits each bar; colours follow the column's palette
            (emotion, domain, modality) or the series colours.
        chance: a dashed line at the chance level.
        paper: x value -> the paper's number, drawn as a black tick on the bar
            (labelled "paper") so the run and the paper are read side by side.
        zoomed: start the y axis near the data instead of 0 (said on the axis),
            so that small differences are visible.
        palette: level -> colour, to keep one setting's colour across figures
            (default: the column's palette, :func:`affectkit.teach.palette.for_column`).
    """
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    key = hue or x
    sns.barplot(df, x=x, y=y, hue=key, legend=bool(hue), palette=palette or pal.for_column(key, df[key]), ax=ax,
                errorbar="sd", saturation=1)
    if chance is not None:
        ax.axhline(chance, color="grey", linestyle="--", linewidth=1, label="chance")
    if paper:
        order = list(dict.fromkeys(df[x]))
        pos = [order.index(k) for k in paper if k in order and paper[k] is not None]
        val = [paper[k] for k in paper if k in order and paper[k] is not None]
        ax.scatter(pos, val, marker="_", s=900, linewidths=2.5, color="black", zorder=5, label="paper")
    ax.set_title(title)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    if zoomed:
        zoom(ax, df[y], paper)
    legend_outside(ax, hue)
    fig.tight_layout()
    return fig


def line(df: pd.DataFrame, x: str, y: str, hue: str | None = None, title: str = "",
         xlabel: str | None = None, ylabel: str | None = None, palette: dict | None = None):
    """A line plot of a tidy table with markers (a sweep over a knob).

    Where ``df`` has several rows per x (one per seed), the line is their mean and
    the shaded band the mean ± their standard deviation (not a confidence
    interval: three seeds cannot give one worth drawing); say so in the title.

    Args:
        palette: hue level -> colour, to keep one setting's colour across figures
            (default: the column's palette, :func:`affectkit.teach.palette.for_column`).
    """
    fig, ax = plt.subplots(figsize=(6, 3.5))
    colours = (palette or pal.for_column(hue, df[hue])) if hue else None
    sns.lineplot(df, x=x, y=y, hue=hue, style=hue, palette=colours, markers=True, dashes=False, ax=ax,
                 errorbar="sd")
    ax.set_title(title)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    legend_outside(ax, hue)
    fig.tight_layout()
    return fig


def latent_pca(latents: dict, labels, classes, title: str = "Test latents, first two principal components"):
    """One panel per model: its latents (all modalities stacked) projected on
    their own first two principal components, on **shared axes**, so that a
    collapsed space shows as a small cloud. Colour: emotion class; marker: modality.

    Args:
        latents: model name -> {modality: (n, d)}.
        labels: (n,) class per utterance; classes: class names.
    """
    from sklearn.decomposition import PCA

    labels = np.asarray(labels)
    names = list(latents)
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.6), sharex=True, sharey=True,
                             squeeze=False)
    colors = pal.colours(classes, "emotion") if pal.known("emotion", classes) else pal.colours(classes)
    for ax, name in zip(axes[0], names):
        mods = list(latents[name])
        z = np.concatenate([np.asarray(latents[name][m]) for m in mods])
        y = np.tile(labels, len(mods))
        which = np.repeat(mods, len(labels))
        xy = PCA(2, random_state=0).fit_transform(z)
        for m in mods:
            for c, cname in enumerate(classes):
                pick = (y == c) & (which == m)
                ax.scatter(*xy[pick].T, s=6, alpha=0.5, color=colors[cname], linewidths=0,
                           marker=pal.MODALITY_MARKERS.get(m, "o"))
        ax.set_title(name)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
    last = axes[0][-1]
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], linestyle="", marker="o", color=colors[c], label=c) for c in classes]
    handles += [Line2D([], [], linestyle="", marker=pal.MODALITY_MARKERS.get(m, "o"), color="black",
                       label=f"{MODALITY_NAMES.get(m, m)} ({m})") for m in latents[names[-1]]]
    last.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8,
                title="class / modality", title_fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def loss_curves(history: pd.DataFrame, components=None, title: str = "Training losses by component",
                log: bool = False):
    """One line per loss component against the epoch (CMDM Fig. 7b).

    Args:
        history: a fit history (one row per epoch, an ``epoch`` column).
        components: columns to draw; default every loss column present among
            cls, rec, pair, unpair, u_rec, u_pair, u_unpair, total, train_mse, val_mse.
        log: log-scaled y axis (only for positive components).
    """
    known = ("cls", "rec", "pair", "unpair", "u_rec", "u_pair", "u_unpair", "total", "train_mse", "val_mse")
    components = [c for c in (components or known) if c in history]
    if not components:
        raise ValueError(f"history has none of the loss columns {known}: it has {list(history.columns)}")
    tidy = history.melt(id_vars="epoch", value_vars=components, var_name="component", value_name="loss")
    # a labeled term and its unlabeled twin share a colour; the unlabeled one is dashed
    base = list(dict.fromkeys(c.removeprefix("u_") for c in components))
    colour = pal.colours(base)
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    for c in components:
        rows = tidy[tidy.component == c]
        ax.plot(rows.epoch, rows.loss, color=colour[c.removeprefix("u_")], marker="o", markersize=3,
                linestyle="--" if c.startswith("u_") else "-", label=c)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean loss over the epoch's steps")
    pool = any(c.startswith("u_") for c in components)
    legend_outside(ax, "term (u_: unlabeled, dashed)" if pool else "term")
    fig.tight_layout()
    return fig


def confusion_matrices(matrices: dict, classes, title: str = "Confusion matrices: % of each true class"):
    """One heatmap per model, rows normalised per true class (recall on the diagonal).

    Args:
        matrices: name -> (k, k) matrix from :func:`affectkit.metrics.confusion`
            (normalize=True), or raw counts (normalised here).
    """
    names = list(matrices)
    k = len(classes)
    size = max(3.9, 0.62 * k + 1.6)   # room for one two-digit number per cell
    cols = min(len(names), 3 if k > 5 else 4)
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows), squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names):
        cm = np.asarray(matrices[name], dtype=float)
        if cm.shape != (k, k):
            raise ValueError(f"{name}: confusion matrix is {cm.shape}, expected {k} x {k}")
        cm = cm / np.clip(cm.sum(1, keepdims=True), 1e-12, None)
        # percentages without decimals: a 7 x 7 matrix stays readable
        sns.heatmap(100 * cm, ax=ax, annot=True, fmt=".0f", cmap="Blues", vmin=0, vmax=100, cbar=False,
                    xticklabels=classes, yticklabels=classes, square=True,
                    annot_kws={"fontsize": 9 if k <= 5 else 7})
        ax.tick_params(axis="x", labelrotation=45 if k > 4 else 0, labelsize=8)
        ax.tick_params(axis="y", labelrotation=0, labelsize=8)
        ax.set_title(name)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def reconstruction_heatmaps(x, target, recon, length: int | None = None, title: str = "",
                            max_dims: int = 64, target_label: str = "target (reversed input)"):
    """Input, target (the reversed input) and reconstruction of one sequence, side by side.

    Args:
        x, target, recon: (T, dim) arrays of one utterance; length: its real
            frames (padding rows are blanked).
    """
    panels = {"input": x, target_label: target, "reconstruction": recon}
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharey=True)
    values = [np.asarray(v, dtype=float)[:, :max_dims].copy() for v in panels.values()]
    lim = max(np.nanmax(np.abs(v)) for v in values)
    for ax, (name, v) in zip(axes, zip(panels, values)):
        if length is not None:
            v[length:] = np.nan
        sns.heatmap(v, ax=ax, cmap="vlag", center=0, vmin=-lim, vmax=lim, xticklabels=False, cbar=ax is axes[-1])
        ax.set_title(name)
        ax.set_xlabel("feature dimension")
    axes[0].set_ylabel("frame / word")
    fig.suptitle(title or "One test utterance through the sequence DAE")
    fig.tight_layout()
    return fig


def representation_maps(reps: dict, colour: dict, title: str = "Representations, first two principal components"):
    """A grid of 2-D PCA maps: one row per model, one column per colouring.

    Each model's representations are projected on their own first two principal
    components (fit on that model's points).

    Args:
        reps: model name -> (n, d) array.
        colour: colouring name -> (n,) category names or ints (e.g. "domain",
            "EASUM-9 class"); every array has the n of every model.
    """
    from sklearn.decomposition import PCA

    names, keys = list(reps), list(colour)
    n = {len(np.asarray(r)) for r in reps.values()}
    bad = {k: len(v) for k, v in colour.items() if {len(v)} != n}
    if len(n) != 1 or bad:
        raise ValueError(f"every model and colouring needs the same number of points: models {sorted(n)}, "
                         f"colourings of another length {bad}")
    fig, axes = plt.subplots(len(names), len(keys), figsize=(4.2 * len(keys), 3.6 * len(names)), squeeze=False)
    for i, name in enumerate(names):
        xy = PCA(2, random_state=0).fit_transform(np.asarray(reps[name]))
        for j, key in enumerate(keys):
            ax = axes[i][j]
            values = pd.Series(np.asarray(colour[key])).astype(str)
            sns.scatterplot(x=xy[:, 0], y=xy[:, 1], hue=values, palette=pal.for_column(key, sorted(set(values))),
                            s=6, alpha=0.6, linewidth=0, ax=ax, legend=i == 0)
            ax.set_title(f"{name}: coloured by {key}")
            ax.set_xlabel("PC 1")
            ax.set_ylabel("PC 2")
            if i == 0:
                legend_outside(ax, key, markerscale=2)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def mag_gate(text_norm, shift_norm, lam, tokens=None, title: str = "MAG on one utterance"):
    """MAG per token: the text vector's norm against the applied shift
    ``lambda * ||R||`` (top), and lambda itself (bottom, capped at 1).

    Args: text_norm, shift_norm (``||R||`` before scaling), lam: (T,) arrays;
    tokens: (T,) labels for the x axis (default: positions).
    """
    text_norm, shift_norm, lam = (np.asarray(a, dtype=float) for a in (text_norm, shift_norm, lam))
    pos = np.arange(len(lam))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
    colors = list(pal.colours(["text", "shift", "lambda"]).values())
    top.bar(pos - 0.2, text_norm, width=0.4, color=colors[0], label=r"$\|X_t\|$ (text token)")
    top.bar(pos + 0.2, lam * shift_norm, width=0.4, color=colors[1], label=r"$\lambda \|R\|$ (applied shift)")
    top.set_ylabel("L2 norm")
    top.set_title(title)
    legend_outside(top)
    bottom.plot(pos, lam, marker="o", color=colors[2], label=r"$\lambda$")
    bottom.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="cap (1)")
    bottom.set_ylim(0, 1.1)
    bottom.set_ylabel(r"$\lambda$")
    bottom.set_xlabel("text token")
    bottom.set_xticks(pos, tokens if tokens is not None else pos)
    legend_outside(bottom)
    fig.tight_layout()
    return fig


def latent_maps(maps: dict, colour: str = "emotion", title: str = "Latent maps", scores: dict | None = None,
                axis: str = "map"):
    """Side-by-side 2-D maps, one panel per model, coloured by a column.

    Args:
        maps: model name -> (xy (n, 2), frame with a ``colour`` column of n values),
            e.g. from :func:`affectkit.latent.project` and :func:`affectkit.latent.stack`.
        colour: the frame column to colour by ("emotion", "modality", "domain", "origin", ...).
        scores: model name -> {measure: value}, printed under each panel's title.
        axis: what the two axes are ("UMAP", "PCA"): "UMAP 1", "UMAP 2".
    """
    names = list(maps)
    for name, (xy, frame) in maps.items():
        if colour not in frame:
            raise ValueError(f"{name}: no column {colour!r} to colour by; have {list(frame.columns)}")
        if len(frame) != len(xy):
            raise ValueError(f"{name}: {len(xy)} points but the colouring has {len(frame)} rows")
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4.0), squeeze=False)
    levels = sorted({str(v) for _, frame in maps.values() for v in frame[colour]})
    palette = pal.for_column(colour, levels)
    for ax, name in zip(axes[0], names):
        xy, frame = maps[name]
        xy = np.asarray(xy)
        values = frame[colour].astype(str).to_numpy()
        for level in levels:
            pick = values == level
            if pick.any():
                ax.scatter(*xy[pick].T, s=4, alpha=0.5, color=palette[level], label=level)
        sub = ""
        if scores and name in scores:
            items = [f"{k} {v:.2f}" for k, v in scores[name].items()]
            sub = "".join(("\n" if i % 2 == 0 else ", ") + item for i, item in enumerate(items))
        ax.set_title(f"{name}{sub}", fontsize=9)
        ax.set_xlabel(f"{axis} 1")
        ax.set_ylabel(f"{axis} 2")
    legend_outside(axes[0][-1], colour, markerscale=3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig

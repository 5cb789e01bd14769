"""Notebook 11's figure: an idea's payoff along a knob, every exploration seed and every fresh one."""

from __future__ import annotations

import matplotlib.pyplot as plt


def payoff_curves(panels: list, title: str = ""):
    """One panel per grid: the gain ("with" minus "without", positive = the idea helped) against the knob.

    Each exploration seed is a grey dot, their mean a line with a band of ± one std over seeds; the
    picked point is circled; the fresh seeds' gains (where given) are orange diamonds and their mean an
    orange dash. The dashed line is no gain.

    Args:
        panels: dicts with "explore" (DataFrame: value, seed, gain), "fresh" (the same or None),
            "picked" (a value), "title", "xlabel", "ylabel" and optionally "log_x" (bool).
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 3.6), squeeze=False)
    for ax, p in zip(axes[0], panels):
        explore = p["explore"]
        grouped = explore.groupby("value")["gain"]
        stats = grouped.mean().to_frame("mean").assign(std=grouped.std(ddof=0))
        x = stats.index.to_numpy(dtype=float)
        ax.axhline(0.0, color="black", lw=0.8, ls="--")
        ax.fill_between(x, stats["mean"] - stats["std"], stats["mean"] + stats["std"], color="tab:blue", alpha=0.15)
        ax.plot(x, stats["mean"], marker="o", color="tab:blue", label="exploration mean ± std")
        ax.scatter(explore["value"], explore["gain"], color="grey", s=14, zorder=3, label="exploration seeds")
        picked = float(p["picked"])
        ax.scatter([picked], [stats.loc[p["picked"], "mean"]], s=160, facecolors="none", edgecolors="tab:red",
                   lw=1.5, zorder=4, label="picked")
        fresh = p.get("fresh")
        if fresh is not None and len(fresh):
            ax.scatter(fresh["value"], fresh["gain"], marker="D", color="tab:orange", s=30, zorder=5,
                       label="fresh seeds")
            means = fresh.groupby("value")["gain"].mean()
            ax.scatter(means.index, means.to_numpy(), marker="_", s=500, lw=2.5, color="tab:orange", zorder=6,
                       label="fresh mean")
        if p.get("log_x"):
            ax.set_xscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{v:g}" for v in x])
        ax.set_title(p["title"], fontsize=10)
        ax.set_xlabel(p["xlabel"])
        ax.set_ylabel(p["ylabel"])
    handles, labels = axes[0][0].get_legend_handles_labels()
    for ax in axes[0][1:]:
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, bbox_to_anchor=(0.5, -0.04))
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


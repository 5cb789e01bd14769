"""Figures for raw media and its features (notebook 01): waveform and
spectrogram, the make-up of the IS10 vector, face crops, feature sequences.
Each function returns a matplotlib Figure with a title and labelled axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .plots import PALETTE, legend_outside


def waveform_spectrogram(signal: np.ndarray, sr: int, title: str = "The sample clip's speech"):
    """Waveform (top) and spectrogram in dB (bottom; 25 ms windows, 10 ms hop, as IS10's frames).

    Args:
        signal: (samples,) float; sr: sample rate in Hz.
    """
    signal = np.asarray(signal, dtype=float)
    t = np.arange(len(signal)) / sr
    # a narrow right column holds the spectrogram's colour bar; the waveform's cell stays empty, so the
    # two time axes line up
    fig, axes = plt.subplots(2, 2, figsize=(9.4, 4.6), sharex="col",
                             gridspec_kw={"height_ratios": [1, 2], "width_ratios": [40, 1]})
    (ax1, spare), (ax2, cax) = axes
    spare.axis("off")
    ax1.plot(t, signal, lw=0.5, color=sns.color_palette(PALETTE)[0])
    ax1.set_ylabel("amplitude")
    ax1.set_title("waveform")
    win, hop = int(0.025 * sr), int(0.010 * sr)
    with np.errstate(divide="ignore"):          # exact silence: log10(0) = -inf, left blank
        *_, image = ax2.specgram(signal, NFFT=win, Fs=sr, noverlap=win - hop, cmap="magma", scale="dB")
    fig.colorbar(image, cax=cax, label="power (dB)")
    cax.set_label("<colorbar>")   # matplotlib's own name for a colour bar's axes (the figure audit skips them)
    ax2.set_ylabel("frequency (Hz)")
    ax2.set_xlabel("time (s)")
    ax2.set_title("spectrogram (dB)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def is10_makeup(table: pd.DataFrame, title: str = "The 1,582 IS10 values: descriptors x functionals"):
    """Bars: how many IS10 values each low-level descriptor contributes (contour and delta).

    Args:
        table: from :func:`affectkit.features.acoustic.is10_table`.
    """
    counts = (table.assign(kind=np.where(table["delta"], "delta contour", "contour"))
              .groupby(["descriptor", "kind"]).size().unstack(fill_value=0))
    counts = counts.loc[counts.sum(1).sort_values(ascending=False).index]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    counts.plot.barh(stacked=True, ax=ax, color=sns.color_palette(PALETTE)[:2])
    ax.invert_yaxis()
    ax.set_xlabel("number of values in the vector")
    ax.set_ylabel("low-level descriptor")
    ax.set_title(title)
    legend_outside(ax, "functionals of")
    fig.tight_layout()
    return fig


def face_strip(track, title: str = "Face crops, one frame in ten"):
    """The crops of a :class:`~affectkit.features.visual.FaceTrack` in a row, each
    titled with its frame number and whether the face was found or the box reused."""
    n = len(track.crops)
    # shared axes: one x and one y label on the first crop speak for the whole row
    fig, axes = plt.subplots(1, n, figsize=(1.15 * n, 2.1), squeeze=False, sharex=True, sharey=True)
    for ax, crop, frame, found in zip(axes[0], track.crops, track.frame_index, track.detected):
        ax.imshow(crop, cmap="gray", vmin=0, vmax=255)
        ax.set_title(f"{frame}\n{'found' if found else 'reused'}", fontsize=8,
                     color="black" if found else "firebrick")
        ax.set_xticks([]), ax.set_yticks([])
    axes[0][0].set_ylabel("64 px")
    axes[0][0].set_xlabel("64 px")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def sequence_heatmap(x, mask=None, row_labels=None, max_dims: int = 96, title: str = ""):
    """One feature sequence (time, dim) as a heatmap, time on the rows; padded rows hatched.

    Args:
        x: (time, dim); mask: (time,) True on real steps; row_labels: e.g. the words.
    """
    x = np.asarray(x, dtype=float)[:, :max_dims]
    mask = np.ones(len(x), bool) if mask is None else np.asarray(mask, bool)
    fig, ax = plt.subplots(figsize=(8, 0.22 * len(x) + 1.3))
    lim = np.abs(x[mask]).max() if mask.any() else 1.0
    sns.heatmap(x, ax=ax, cmap="vlag", center=0, vmin=-lim, vmax=lim, cbar_kws={"label": "value"},
                yticklabels=row_labels if row_labels is not None else "auto")
    for i in np.flatnonzero(~mask):
        ax.axhspan(i, i + 1, fill=False, hatch="//", edgecolor="grey", lw=0)
    ax.set_xlabel(f"feature dimension (first {x.shape[1]})")
    ax.set_ylabel("time step")
    ax.set_title(title)
    fig.tight_layout()
    return fig

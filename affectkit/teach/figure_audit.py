"""Every figure has a title and axis labels: a check, and a hook that runs it in a notebook.

:func:`problems` inspects one matplotlib Figure. With ``AFFECTKIT_AUDIT_FIGURES=1``
in the kernel's environment (the tests set it), ``import affectkit`` installs
an IPython hook that checks every open figure after each cell, before the
inline backend shows and closes it, and prints each problem to stderr with the
prefix :data:`PREFIX`, where the executed-notebook scan of the tests finds it.
"""

from __future__ import annotations

import sys

PREFIX = "affectkit figure audit:"


def _data_axes(fig):
    return [ax for ax in fig.axes
            if ax.get_visible() and ax.axison and ax.get_label() != "<colorbar>"]


def _title(fig) -> str:
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        return sup.get_text().strip()
    for ax in fig.axes:
        for loc in ("center", "left", "right"):
            if ax.get_title(loc).strip():
                return ax.get_title(loc).strip()
    return ""


def problems(fig) -> list:
    """What a reader would miss in ``fig``: a title, an x or a y label.

    An axes without a label passes when an axes it shares that axis with has one
    (a row of panels with one y label). Hidden axes, colour bars and drawings
    with their axes switched off (diagrams) are not checked for labels.
    """
    out = []
    title = _title(fig)
    name = f"figure {title!r}" if title else "a figure"
    if not title:
        out.append(f"{name} has no title")
    axes = _data_axes(fig)
    for i, ax in enumerate(axes):
        for axis, get, shared in (("x", "get_xlabel", ax.get_shared_x_axes()),
                                  ("y", "get_ylabel", ax.get_shared_y_axes())):
            if getattr(ax, get)().strip():
                continue
            siblings = [s for s in shared.get_siblings(ax) if s is not ax and s in axes]
            if any(getattr(s, get)().strip() for s in siblings):
                continue
            out.append(f"{name}: panel {i + 1} ({ax.get_title() or 'untitled'}) has no {axis} label")
    return out


def _check_open_figures():
    import matplotlib.pyplot as plt
    for num in plt.get_fignums():
        for p in problems(plt.figure(num)):
            print(PREFIX, p, file=sys.stderr)


def install(shell=None) -> bool:
    """Check every open figure after each cell (before the inline backend closes them)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    hooks = shell.events.callbacks["post_execute"]
    if _check_open_figures not in hooks:
        hooks.insert(0, _check_open_figures)
    return True


def load_ipython_extension(ipython) -> None:
    """IPython's entry point: ``%load_ext affectkit.teach.figure_audit``, or
    ``c.InteractiveShellApp.extensions`` in a profile's config."""
    install(ipython)

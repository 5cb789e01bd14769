"""Progress bars that leave one summary line behind.

In a terminal :func:`bar` is tqdm's text bar. In a Jupyter kernel it is tqdm's
widget, displayed under a display id; when the loop ends the widget is
*replaced* by one plain line ("training: 12/12 in 34.2 s"). A live front-end
(JupyterLab) shows the moving bar and then the line; a headless run (papermill,
nbconvert) stores only the line, so a static view (GitHub, the HTML gallery)
never shows a widget frozen at "0%".
"""

from __future__ import annotations

from tqdm.std import tqdm as text_bar


def in_kernel() -> bool:
    """True inside a Jupyter (IPython) kernel, where widgets can be displayed."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def summary(bar) -> str:
    """One line for a finished (or interrupted) bar: what, how many, how long."""
    d = bar.format_dict
    n, total, unit = d["n"], d["total"], d.get("unit", "it")
    count = f"{n}/{total}" if total else f"{n}"
    state = "" if not total or n >= total else " (stopped early)"
    desc = f"{d['prefix']}: " if d.get("prefix") else ""
    return f"{desc}{count} {unit} in {d['elapsed']:.1f} s{state}"


def _notebook_class():
    from IPython.display import display
    from tqdm.notebook import tqdm as widget_bar

    class NotebookBar(widget_bar):
        """tqdm's widget under a display id, replaced by :func:`summary` on close."""

        def __init__(self, *args, **kwargs):
            kwargs["display"] = False
            super().__init__(*args, **kwargs)
            self._handle = None
            if not self.disable:
                self._handle = display(self.container, display_id=True)

        def close(self):
            handle, self._handle = getattr(self, "_handle", None), None
            line = summary(self) if handle is not None else None
            super().close()
            if handle is not None:
                handle.update({"text/plain": line}, raw=True)

    return NotebookBar


def bar(iterable=None, **kwargs):
    """A tqdm progress bar (same arguments) that leaves a static summary line in notebooks.

    Example:
        for x in bar(items, desc="IS10", disable=not progress): ...
    """
    kwargs.setdefault("leave", False)
    if in_kernel() and not kwargs.get("disable"):
        try:
            return _notebook_class()(iterable, **kwargs)
        except ImportError:   # ipywidgets missing: the text bar
            pass
    return text_bar(iterable, **kwargs)

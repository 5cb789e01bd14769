"""Progress bars that leave one line."""

import matplotlib

from affectkit import progress

matplotlib.use("Agg")


def test_progress_summary_line():
    import io
    bar = progress.text_bar(total=4, desc="training", unit="run", file=io.StringIO())
    bar.n = 4
    assert progress.summary(bar).startswith("training: 4/4 run in ")
    bar.n = 2
    assert progress.summary(bar).endswith("(stopped early)")
    assert not progress.in_kernel()

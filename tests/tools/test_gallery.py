"""The gallery ``make run`` publishes: a page per notebook set, readable offline,
checked in a real headless browser (Debian's chromium; ``.ci/run`` installs it
when missing, elsewhere the browser test skips and says why)."""

import shutil
import subprocess
from html import escape as html_escape

import pytest

from affectkit.tools import gallery
from affectkit.tools.runner import execute, list_notebooks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=20000"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    tour = next(p for p in list_notebooks() if p.stem == "00_tour")
    run = execute(tour, out / "notebooks", {"profile": "smoke"}, results_dir=out / "results")
    page = gallery.render_html(run.output)
    index = gallery.write([run], out, "smoke")
    return out, run, page, index


def test_gallery_page(built):
    out, run, page, index = built
    text = index.read_text()
    info = gallery.summary(run.output)
    assert info["title"].startswith("00") and info["teaches"]
    assert html_escape(info["title"]) in text and html_escape(info["teaches"]) in text
    assert "data:image/png;base64," in text, "a headline figure"
    assert f"{run.seconds:.1f} s" in text and "notebooks/00_tour.html" in text
    assert "paper claim" in text, "the findings table"
    html = page.read_text()
    import re
    sources = re.findall(r"<script[^>]+src=[\"']([^\"']+)", html)
    mathjax = [s for s in sources if "mathjax" in s.lower()]
    assert mathjax == [f"../mathjax/MathJax.js?config={gallery.MATHJAX_CONFIG}"], \
        f"equations must not need the internet: MathJax from {mathjax}"
    assert (out / "mathjax" / "MathJax.js").exists()


def _browser(args, tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium; .ci/run installs it)")
    run = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_browser_screenshot_is_not_blank(built, tmp_path):
    out, _, _, index = built
    shot = tmp_path / "index.png"
    _browser([f"--screenshot={shot}", "--window-size=1200,1600", index.as_uri()], tmp_path)
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.std() > 0.05, "the screenshot of the gallery is blank"
    assert (pixels.reshape(-1, 3).round(2)[:, None] != pixels.reshape(-1, 3).round(2)[0]).any(), "one colour only"


def test_browser_typesets_the_equations(built, tmp_path):
    _, _, page, _ = built
    dom = _browser(["--dump-dom", page.as_uri()], tmp_path)
    assert 'class="MathJax_Display"' in dom and 'class="MathJax"' in dom, \
        "MathJax did not typeset the equations offline"
    assert "$$" not in dom.split("<body", 1)[-1].replace("\\$", ""), "raw TeX left in the page"

"""Packaging truths: pyproject.toml, environment.yml, the Makefile and the README
agree, and the library names nothing outside the repository."""

import re
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"pytorch": "torch"}
LIBRARY = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "affectkit").rglob("*.py"))


def parse(spec):
    name, bound = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec.strip()).groups()
    name = name.lower().replace("_", "-")
    return CONDA_NAMES.get(name, name), bound.replace(" ", "")


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_pyproject_and_environment_agree():
    wanted = dict(parse(s) for s in project()["dependencies"])
    for extra in ("dev", "labs"):
        wanted.update(parse(s) for s in project()["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    have = {}
    for item in env:
        specs = item["pip"] if isinstance(item, dict) else [item]
        have.update(parse(s) for s in specs if not s.startswith("-"))
    have.pop("python"), have.pop("pip")
    assert have == wanted


def test_torch_bound_admits_the_fused_cpu_adam():
    uses_fused = any("fused=True" in (ROOT / p).read_text() for p in LIBRARY)
    bound = dict(parse(s) for s in project()["dependencies"])["torch"]
    lower = tuple(int(v) for v in re.match(r">=(\d+)\.(\d+)", bound).groups())
    assert not uses_fused or lower >= (2, 4), f"Adam(fused=True) on the CPU needs torch >= 2.4, not {bound}"


def test_python_version_is_stated_once_everywhere():
    makefile, readme = (ROOT / "Makefile").read_text(), (ROOT / "README.md").read_text()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    found = {
        "pyproject requires-python": re.fullmatch(r">=(\d+\.\d+)", project()["requires-python"]).group(1),
        "Makefile check": ".".join(re.search(r"sys\.version_info >= \((\d+), (\d+)\)", makefile).groups()),
        "README": re.search(r"Python >= (\d+\.\d+)", readme).group(1),
        "environment.yml": next(re.fullmatch(r"python>=(\d+\.\d+)", s).group(1) for s in env
                                if isinstance(s, str) and s.startswith("python")),
    }
    stated = set(re.findall(r"Python >= (\d+\.\d+)", makefile))   # its header and its error message
    assert len(stated) == 1, f"the Makefile states {sorted(stated)}"
    found["Makefile message"] = stated.pop()
    assert len(set(found.values())) == 1, found


# A docstring may cite public sources only: the library ships without the
# project's folders beside it and without its tracker.
OUTSIDE = re.compile(r"\.\./shared|\bissue [0-9]+", re.IGNORECASE)
@pytest.mark.parametrize("path", LIBRARY)
def test_library_names_nothing_outside_the_repository(path):
    hits = [f"{path}:{i}: {line.strip()}" for i, line in enumerate((ROOT / path).read_text().splitlines(), 1)
            if OUTSIDE.search(line)]
    assert not hits, "\n".join(hits)


def test_the_sample_clip_ships_inside_the_package():
    """A non-editable `pip install .` carries it (package data), so sample_clip() works anywhere."""
    import tomllib
    from pathlib import Path

    import affectkit
    from affectkit.features import sample_clip

    clip = sample_clip()
    package = Path(affectkit.__file__).parent
    assert clip.audio.is_relative_to(package) and clip.video.exists() and clip.text
    config = tomllib.loads((package.parent / "pyproject.toml").read_text())
    assert "sample_clip/*" in config["tool"]["setuptools"]["package-data"]["affectkit.features"]

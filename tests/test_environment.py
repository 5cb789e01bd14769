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


LOCK = ROOT / "requirements-lock.txt"


def canonical(name: str) -> str:
    """A distribution's name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict:
    """requirements-lock.txt as {canonical name: version}: one `name==version` a line."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;#]+)", line.strip())
        assert match, f"requirements-lock.txt: not an exact pin: {line!r}"
        name, version = match.groups()
        assert canonical(name) not in pins, f"requirements-lock.txt pins {name} twice"
        pins[canonical(name)] = version
    return pins


def declared() -> list:
    """Every requirement of pyproject.toml: the dependencies and the dev and labs extras."""
    from packaging.requirements import Requirement

    extras = project()["optional-dependencies"]
    return [Requirement(s) for s in project()["dependencies"] + extras["dev"] + extras["labs"]]


def test_the_lock_pins_every_dependency_inside_its_bound():
    """What `make setup` installs (the lock) is what pyproject.toml and environment.yml allow."""
    from packaging.version import Version

    pins = locked()
    missing = [str(r) for r in declared() if canonical(r.name) not in pins]
    outside = [f"{r} (locked {pins[canonical(r.name)]})" for r in declared()
               if canonical(r.name) in pins and Version(pins[canonical(r.name)]) not in r.specifier]
    assert not missing, f"requirements-lock.txt lacks {missing}: run `make lock`"
    assert not outside, f"requirements-lock.txt pins outside pyproject.toml's bounds: {outside}"
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    names = [parse(s)[0] for item in env for s in (item["pip"] if isinstance(item, dict) else [item])
             if not s.startswith("-") and parse(s)[0] not in ("python", "pip")]
    assert [n for n in names if canonical(n) not in pins] == []
    assert "affectkit" not in pins, "the lock names the kit itself (make lock excludes the editable install)"


def test_every_bound_is_a_lower_bound_the_lowest_env_can_install():
    """`make test-lowest` turns `name>=X` into `name==X`: every requirement needs one."""
    for req in declared():
        lower = [s.version for s in req.specifier if s.operator == ">="]
        assert len(lower) == 1, f"{req}: give it one lower bound `>=X` (X a release), for make test-lowest"


def test_the_lock_has_the_makefiles_torch_and_a_supported_python():
    pins = locked()
    torch = re.search(r"^TORCH\s*\?=\s*torch==(\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert pins["torch"] == torch, f"the lock pins torch {pins['torch']}, the Makefile installs {torch}"
    python = re.search(r"^# python: (\d+)\.(\d+)$", LOCK.read_text(), re.M)
    assert python, "requirements-lock.txt names the Python it was made for (`# python: X.Y`)"
    lowest = tuple(int(v) for v in project()["requires-python"].removeprefix(">=").split("."))
    assert tuple(int(v) for v in python.groups()) >= lowest


def test_the_readme_states_the_tested_range():
    """README's "Tested versions" rows: each lower bound of pyproject.toml (torch: the one build CI
    has) and each locked version, so that a new bound or a new lock changes them too."""
    from packaging.version import Version

    section = (ROOT / "README.md").read_text().split("## Tested versions", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([a-z][a-z0-9\-]*) \| ([0-9][^ |]*) \| ([0-9][^ |]*) \|$", section, re.M)
    assert len(rows) >= 5, "README's Tested versions table"
    pins, bounds = locked(), {canonical(r.name): r.specifier for r in declared()}
    torch = re.search(r"^TORCH\s*\?=\s*torch==(\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    wrong = []
    for name, lowest, pinned in rows:
        lower = torch if name == "torch" else next(s.version for s in bounds[canonical(name)] if s.operator == ">=")
        if Version(lowest) != Version(lower) or Version(pinned) != Version(pins[canonical(name)]):
            wrong.append(f"{name}: README {lowest} / {pinned}, pyproject.toml / lock {lower} / {pins[canonical(name)]}")
    assert not wrong, wrong


def test_this_environment_is_the_lock():
    """Where `make setup` installed from the lock, every locked package has its locked version."""
    import sys
    from importlib.metadata import distributions

    constraints = Path(sys.prefix) / "lock-constraints.txt"
    if not constraints.exists() or not constraints.read_text().strip():
        pytest.skip("this environment was not set up from requirements-lock.txt (make setup LOCK=, another "
                    "Python, make test-lowest or an environment of your own)")
    import sysconfig

    pins = locked()
    # the environment's own site-packages: not sys.path, where an imported setuptools appends the
    # dist-info of the packages it vendors (setuptools/_vendor: older importlib-metadata, zipp, ...)
    site = list(dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib")))
    installed = {canonical(d.metadata["Name"]): d.version for d in distributions(path=site)}
    differ = {name: (installed[name], version) for name, version in pins.items()
              if name in installed and installed[name].split("+")[0] != version}
    assert not differ, f"installed vs locked: {differ}: run `make setup`"
    extras = project()["optional-dependencies"]
    from packaging.requirements import Requirement
    setup = {canonical(Requirement(s).name) for s in project()["dependencies"] + extras["dev"]}
    assert sorted(setup - set(installed)) == [], "make setup installs the dependencies and the dev extra"


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


HISTORY = re.compile(r"\bissues? #?[0-9]+", re.IGNORECASE)


def test_no_process_history_in_tests_benchmarks_or_results():
    """Code, tests and benchmarks say what is, not which ticket changed it: a maintainer
    reads them without the tracker (the history is git's and the closing notes')."""
    paths = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").glob("*.py"),
             ROOT / "benchmarks" / "RESULTS.md", ROOT / "README.md", ROOT / "Makefile"]
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in paths
            for i, line in enumerate(p.read_text().splitlines(), 1) if HISTORY.search(line)]
    assert not hits, "\n".join(hits)


def test_the_sample_clip_ships_inside_the_package():
    """A non-editable `pip install .` carries it (package data), so sample_clip() works anywhere."""
    from pathlib import Path

    import tomllib

    import affectkit
    from affectkit.features import sample_clip

    clip = sample_clip()
    package = Path(affectkit.__file__).parent
    assert clip.audio.is_relative_to(package) and clip.video.exists() and clip.text
    config = tomllib.loads((package.parent / "pyproject.toml").read_text())
    assert "sample_clip/*" in config["tool"]["setuptools"]["package-data"]["affectkit.features"]

"""pyproject.toml and environment.yml name the same packages with the same bounds."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"pytorch": "torch"}


def parse(spec):
    name, bound = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec.strip()).groups()
    name = name.lower().replace("_", "-")
    return CONDA_NAMES.get(name, name), bound.replace(" ", "")


def test_pyproject_and_environment_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(parse(s) for s in project["dependencies"])
    for extra in ("dev",):
        wanted.update(parse(s) for s in project["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    have = {}
    for item in env:
        specs = item["pip"] if isinstance(item, dict) else [item]
        have.update(parse(s) for s in specs if not s.startswith("-"))
    have.pop("python"), have.pop("pip")
    assert have == wanted

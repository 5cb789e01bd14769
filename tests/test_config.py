"""The one registry of profiles, seeding, devices."""

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
import torch

import affectkit
from affectkit.config import PROFILES, CMDMArch, EASUMArch, EASUMTraining, MeldRun, get_profile, resolve_device, seed_everything

LIBRARY = Path(affectkit.__file__).parent


def test_profiles():
    lab = get_profile("lab")
    assert lab.name == "lab" and get_profile(lab) is lab
    paper = get_profile("paper")
    assert paper.shapes == {"A": (1582,), "V": (18, 342), "L": (22, 1024)}
    assert paper.domain_shapes == {"L": (40, 768), "A": (157, 64), "V": (32, 64)}
    assert paper.domain_sizes["mosi"] == (1284, 229, 686)
    assert paper.n_unlabeled == 20000
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        get_profile("fast")


def test_bad_profile_sizes():
    with pytest.raises(ValueError, match="n_train must be a positive int"):
        dataclasses.replace(affectkit.config.PROFILES["smoke"], name="x", n_train=0)


def test_seed_everything_repeats_draws():
    seed_everything(7)
    a = (torch.rand(3), np.random.rand(3))
    seed_everything(7)
    b = (torch.rand(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)


def test_resolve_device():
    assert resolve_device("auto").type in ("cpu", "cuda")
    assert resolve_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="device"):
        resolve_device("tpu-please")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA"):
            resolve_device("cuda")


def test_one_registry_holds_every_size():
    for prof in PROFILES.values():
        assert isinstance(prof.cmdm_arch, CMDMArch) and isinstance(prof.easum_arch, EASUMArch)
        assert isinstance(prof.easum_training, EASUMTraining) and isinstance(prof.meld_run, MeldRun)
    from affectkit.cmdm import CMDM
    from affectkit.easum.experiments import training_for
    from affectkit.text.experiments import meld_run

    assert CMDM({"A": (16,)}, 4, "smoke").arch is PROFILES["smoke"].cmdm_arch
    assert training_for("lab") is PROFILES["lab"].easum_training and meld_run("paper") is PROFILES["paper"].meld_run
    keyed = [str(p.relative_to(LIBRARY)) for p in LIBRARY.rglob("*.py") if p.name != "config.py"
             and re.search(r'^\s*"(smoke|lab|paper)":', p.read_text(), flags=re.M)]
    assert keyed == [], f"per-profile tables outside affectkit/config.py: {keyed}"

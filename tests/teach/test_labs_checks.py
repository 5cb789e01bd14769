"""The labs' grader (``affectkit.teach.labs``): right answers pass, each classic mistake is named,
the kit's own implementation earns nothing, helpers are the kit's, the hidden tests' fresh copy
ignores a notebook's patches, each student gets their own inputs, and labs 1-2 stay light."""

import functools
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from affectkit.teach.labs import check, grader, student_id, variant

ROOT = Path(__file__).resolve().parents[2]


def verdict(fn, name=None):
    return grader.grade("lab1_mmd", name or fn.__name__, fn)


def gaussian_kernel(x, y, sigma):
    return torch.exp(-torch.cdist(x, y) ** 2 / (2 * sigma ** 2))


def mmd(p, q, sigma):
    m, n = len(p), len(q)
    kpp, kqq = gaussian_kernel(p, p, sigma), gaussian_kernel(q, q, sigma)
    return ((kpp.sum() - kpp.trace()) / (m * (m - 1)) + (kqq.sum() - kqq.trace()) / (n * (n - 1))
            - 2 * gaussian_kernel(p, q, sigma).mean())


def test_right_answers_pass_and_mistakes_are_named(capsys):
    assert verdict(gaussian_kernel).ok and verdict(mmd).ok
    v = verdict(lambda x, y, s: torch.exp(-torch.cdist(x, y) ** 2 / s ** 2), "gaussian_kernel")
    assert not v.ok and "2 sigma^2" in v.message

    def biased(p, q, sigma):
        return gaussian_kernel(p, p, sigma).mean() + gaussian_kernel(q, q, sigma).mean() \
            - 2 * gaussian_kernel(p, q, sigma).mean()
    v = verdict(biased, "mmd")
    assert not v.ok and "i == j" in v.message and "biased" in v.message
    assert "return" in verdict(lambda p, q, s: None, "mmd").message
    assert "ZeroDivisionError" in verdict(lambda p, q, s: 1 / 0, "mmd").message
    v = verdict(lambda x, y, s: gaussian_kernel(x, y, s).T, "gaussian_kernel")
    assert not v.ok and "shape (5, 4)" in v.message and "expected shape (4, 5)" in v.message
    assert check(mmd) is True and capsys.readouterr().out.startswith("right: mmd:")
    with pytest.raises(AssertionError, match="^mmd: your MMD includes the i == j terms"):
        check(biased, name="mmd", strict=True)
    with pytest.raises(ValueError, match="no lab function is called 'kernel'.*gaussian_kernel"):
        check(gaussian_kernel, name="kernel")
    assert not grader.grade("lab1_mmd", "mmd", 3).ok


def test_both_median_conventions_are_accepted():
    def bandwidth(p, q, lower, pooled=True):
        x = torch.cat([p, q]) if pooled else p
        i, j = torch.triu_indices(len(x), len(x), offset=1)
        d2 = (x[i] - x[j]).pow(2).sum(-1)
        return ((d2.median() if lower else d2.quantile(0.5)) / 2).sqrt()
    numpy_like = verdict(lambda p, q: bandwidth(p, q, False), "median_bandwidth")
    lower = verdict(lambda p, q: bandwidth(p, q, True), "median_bandwidth")
    assert numpy_like.ok and lower.ok and "lower of the two middle values" in lower.message
    calls = []

    def lower_then_wrong(p, q):   # an accepted convention on the first case does not excuse the later ones
        calls.append(1)
        return bandwidth(p, q, True) * (1 if len(calls) == 1 else 2)
    assert not verdict(lower_then_wrong, "median_bandwidth").ok
    v = verdict(lambda p, q: bandwidth(p, q, False, pooled=False), "median_bandwidth")
    assert not v.ok and "pool p and q" in v.message


def test_derangement_is_checked_by_its_properties():
    def derangement(n, generator):
        order = torch.randperm(n, generator=generator)
        perm = torch.empty(n, dtype=torch.long)
        perm[order] = order.roll(1)
        return perm
    assert verdict(derangement).ok
    assert "fixed point" in verdict(lambda n, g: torch.randperm(n, generator=g), "derangement").message
    assert "always the same" in verdict(lambda n, g: torch.arange(n).roll(1), "derangement").message


def test_the_kits_implementation_earns_nothing():
    import affectkit.cmdm
    from affectkit.cmdm import mmd as kit_mmd

    def via_import(p, q, sigma):
        from affectkit.cmdm.losses import mmd as m
        return m(p, q, sigma)

    def via_importlib(p, q, sigma):
        return importlib.import_module("affectkit.cmdm").mmd(p, q, sigma)

    def kit_kernel_inside(p, q, sigma):   # the kit's kernel called by its kit name, not the lab's helper
        k = affectkit.cmdm.gaussian_kernel
        m, n = len(p), len(q)
        kpp, kqq = k(p, p, sigma), k(q, q, sigma)
        return (kpp.sum() - kpp.trace()) / (m * (m - 1)) + (kqq.sum() - kqq.trace()) / (n * (n - 1)) \
            - 2 * k(p, q, sigma).mean()

    for fn in (via_import, via_importlib, kit_mmd, functools.partial(kit_mmd), kit_kernel_inside):
        v = grader.grade("lab1_mmd", "mmd", fn)
        assert not v.ok and "the kit's own implementation" in v.message and v.kit_calls, (fn, v)
    assert verdict(via_import, "mmd").kit_calls == ("affectkit.cmdm.losses.mmd",)   # what it called, not below

    def through_exec(p, q, sigma):   # exec'd text is not an import: what it calls is still watched
        scope = {"p": p, "q": q, "sigma": sigma}
        exec("import affectkit.cmdm\nr = affectkit.cmdm.mmd(p, q, sigma)", scope)
        return scope["r"]
    v = verdict(through_exec, "mmd")
    assert not v.ok and "affectkit.cmdm.losses.mmd" in v.message

    def switched_off(p, q, sigma):
        sys.setprofile(None)
        return kit_mmd(p, q, sigma)
    v = verdict(switched_off, "mmd")
    assert not v.ok and "switches off the grader" in v.message
    assert sys.getprofile() is None


def test_a_function_is_graded_with_the_kits_helpers():
    """A wrong kernel costs the kernel only: mmd is checked with a right one."""
    scope = {"torch": torch, "gaussian_kernel": lambda x, y, s: torch.exp(-torch.cdist(x, y) ** 2 / s ** 2)}
    exec(compile("def mmd(p, q, sigma):\n"
                 "    m, n = len(p), len(q)\n"
                 "    kpp, kqq = gaussian_kernel(p, p, sigma), gaussian_kernel(q, q, sigma)\n"
                 "    return ((kpp.sum() - kpp.trace()) / (m * (m - 1)) + (kqq.sum() - kqq.trace()) / (n * (n - 1))\n"
                 "            - 2 * gaussian_kernel(p, q, sigma).mean())\n", "<student>", "exec"), scope)
    assert not verdict(scope["gaussian_kernel"], "gaussian_kernel").ok
    assert verdict(scope["mmd"]).ok
    assert scope["gaussian_kernel"](torch.zeros(1, 2), torch.ones(1, 2), 1.0).item() != 1   # the notebook untouched


def test_the_hidden_tests_fresh_grader_ignores_patches(monkeypatch):
    def wrong(x, y, sigma):
        return torch.exp(-torch.cdist(x, y) ** 2 / sigma ** 2)
    monkeypatch.setattr(grader, "check", lambda *a, **k: True)
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(grader, "grade", lambda *a, **k: grader.Verdict("x", True, "patched"))
    spec = importlib.util.find_spec("affectkit.teach.labs.grader")
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    with pytest.raises(AssertionError, match="gaussian_kernel: the exponent lacks the 2"):
        fresh.check(wrong, "gaussian_kernel", "lab1_mmd", strict=True)


def test_each_student_has_their_own_variant(tmp_path, monkeypatch):
    a, b = variant("lab1_mmd", "ada", quiet=True), variant("lab1_mmd", "bo", quiet=True)
    assert a == variant("lab1_mmd", "ada", quiet=True) and a.seed != b.seed
    assert a.seed != variant("lab2_collapse", "ada", quiet=True).seed
    assert a.pick([1, 2, 3]) == a.pick([1, 2, 3])
    assert torch.equal(torch.randn(3, generator=a.generator()), torch.randn(3, generator=a.generator()))
    monkeypatch.delenv("AFFECTKIT_STUDENT", raising=False)
    graded = tmp_path / "course" / "autograded" / "alice" / "lab1_mmd"
    graded.mkdir(parents=True)
    monkeypatch.chdir(graded)
    assert student_id() == ("alice", "nbgrader's autograded/ folder")
    monkeypatch.setenv("AFFECTKIT_STUDENT", "s123")
    assert student_id()[0] == "alice", "when grading, the folder names the student"
    monkeypatch.chdir(tmp_path)
    assert student_id() == ("s123", "AFFECTKIT_STUDENT")


def test_labs_one_and_two_need_no_transformers():
    code = ("import sys, affectkit.teach.labs, affectkit.cmdm, affectkit.cmdm.experiments\n"
            "print(sorted(m for m in ('transformers', 'affectkit.easum') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]", out.stdout


def test_stored_cases_are_current_and_hold_values_only():
    out = subprocess.run([sys.executable, str(ROOT / "labs" / "make_cases.py"), "--check"], capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout + out.stderr
    for path in (ROOT / "affectkit" / "teach" / "labs" / "cases").glob("*.json"):
        text = path.read_text()
        assert not re.search(r"def \w+\(|lambda \w*:|\breturn \w+\(", text), f"{path.name} holds code"
        spec = json.loads(text)
        for name, fn in spec["functions"].items():
            assert fn.get("cases") or fn.get("properties"), f"{path.stem}.{name} checks nothing"
            assert fn["right"] and fn["otherwise"], (path.stem, name)

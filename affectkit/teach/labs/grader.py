"""Grade one function a student wrote, and say in words what is wrong with it.

A lab's functions are described in ``cases/<lab>.json`` (written by
``labs/make_cases.py``): for each function, fixed inputs, the value the kit's
implementation gives, the values of the classic mistakes with the sentence that
names each, the helpers the function may call, and property checks. Grading a
function:

1. **On its own.** The helpers it calls (``mmd`` calls ``gaussian_kernel``) are
   replaced, for the check, by the kit's versions: a wrong kernel costs the
   kernel's points, not the MMD's as well.
2. **Written, not borrowed.** While it runs, every call into the kit's code is
   watched (:class:`KitCalls`); a function that calls the kit's implementation
   of what it is asked to write (``affectkit.cmdm.mmd``, the MAG module's forward,
   ...) gets no points, and the message says so. The declared helpers are allowed.
3. **Against values, not code**: the stored right value and mistakes.

Hidden tests load a fresh copy of this module from its file and call
:func:`grade`, so a notebook that redefines ``check`` (or patches this module)
does not switch them off. A student who rewrites Python's runtime can defeat
any in-process grader (nbgrader runs the student's code in the grading kernel);
this one closes the doors a notebook opens by accident or on a whim.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

KIT = Path(__file__).resolve().parents[2]          # the affectkit package
HERE = Path(__file__).resolve()
CASES = Path(__file__).resolve().parent / "cases"
TOL = 1e-4


# -- values <-> JSON ------------------------------------------------------------------------

def encode(value):
    """A value of a case as JSON: tensors (with dtype), arrays, dicts, lists, numbers, generators."""
    if isinstance(value, torch.Generator):
        raise TypeError("encode a generator as {'generator': seed}")
    if isinstance(value, torch.Tensor):
        return {"tensor": value.detach().cpu().tolist(), "dtype": str(value.dtype).replace("torch.", "")}
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, dict):
        return {"dict": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"list": [encode(v) for v in value]}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store a {type(value).__name__} in a lab case")


def decode(value):
    """The inverse of :func:`encode`; ``{"generator": seed}`` becomes a seeded torch.Generator."""
    if isinstance(value, dict):
        if not value:
            return {}
        if "tensor" in value:
            return torch.tensor(value["tensor"], dtype=getattr(torch, value["dtype"]))
        if "array" in value:
            return np.asarray(value["array"], dtype=value["dtype"])
        if "dict" in value:
            return {k: decode(v) for k, v in value["dict"].items()}
        if "list" in value:
            return [decode(v) for v in value["list"]]
        if "generator" in value:
            return torch.Generator().manual_seed(int(value["generator"]))
        raise ValueError(f"unknown case value {sorted(value)}")
    return value


def load_cases(lab: str) -> dict:
    path = CASES / f"{lab}.json"
    if not path.exists():
        raise ValueError(f"no lab {lab!r}: the labs are {sorted(p.stem for p in CASES.glob('*.json'))}")
    return json.loads(path.read_text())


def find(name: str, lab: str | None = None) -> tuple:
    """(lab, spec) of the function ``name``; a ValueError listing the gradable names otherwise."""
    labs = [lab] if lab else sorted(p.stem for p in CASES.glob("*.json"))
    known = []
    for one in labs:
        functions = load_cases(one)["functions"]
        if name in functions:
            return one, functions[name]
        known += list(functions)
    raise ValueError(f"no lab function is called {name!r}; the labs grade {', '.join(known)}")


# -- the kit's code, watched ------------------------------------------------------------------

def _resolve(target: str):
    """``"affectkit.cmdm:gaussian_kernel"`` -> the object (imported now, not at module import)."""
    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _allowed_helper(fn):
    """``fn`` wrapped in a frame the watcher lets through (with everything it calls)."""
    def helper(*args, **kwargs):
        return fn(*args, **kwargs)
    helper.__name__ = getattr(fn, "__name__", "helper")
    return helper


ALLOWED_CODE = _allowed_helper(len).__code__
SWITCHED_OFF = "sys.setprofile"


class KitCalls:
    """A profiler hook that lists the kit functions entered while a student's function runs.

    Frames of the allowed code (the injected helpers, ``allowed`` code objects)
    and of module imports are let through, with everything called below them.
    """

    def __init__(self, allowed=()):
        self.allowed = {ALLOWED_CODE, *allowed}
        self.inside: list = []      # the allowed frames we are in
        self.found: list = []

    def __call__(self, frame, event, arg):
        if event == "call":
            code = frame.f_code
            if self.inside:
                return
            # a module being imported runs its own top level: let it through (a file, not exec'd text)
            if code in self.allowed or (code.co_name == "<module>" and not code.co_filename.startswith("<")):
                self.inside.append(frame)
                return
            path = code.co_filename
            if path.startswith(str(KIT)) and path != str(HERE):
                # the kit function the student called; what it calls in turn is not listed
                self.found.append(f"{frame.f_globals.get('__name__', '?')}.{getattr(code, 'co_qualname', code.co_name)}")
                self.inside.append(frame)
        elif event == "return" and self.inside and frame is self.inside[-1]:
            self.inside.pop()

    def run(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)`` watched; the hook is removed afterwards, whatever happens."""
        previous = sys.getprofile()
        sys.setprofile(self)
        try:
            return fn(*args, **kwargs)
        finally:
            switched_off = sys.getprofile() is not self
            sys.setprofile(previous)
            if switched_off:
                self.found.append(SWITCHED_OFF)


def with_helpers(fn, helpers: dict):
    """A copy of the student's ``fn`` whose global names ``helpers`` point to the given
    callables (the kit's versions, wrapped so that the watcher allows them)."""
    if not isinstance(fn, types.FunctionType) or not helpers:
        return fn
    scope = dict(fn.__globals__)
    scope.update({name: _allowed_helper(h) for name, h in helpers.items()})
    copy_ = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)
    copy_.__kwdefaults__ = fn.__kwdefaults__
    return copy_


# -- comparing --------------------------------------------------------------------------------

def _as_tensor(out):
    if isinstance(out, dict):
        return {k: _as_tensor(v) for k, v in out.items()}
    if isinstance(out, (tuple, list)):
        return [_as_tensor(v) for v in out]
    return torch.as_tensor(out.detach() if isinstance(out, torch.Tensor) else out).to(torch.float64)


def _close(got, want, tol: float) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and set(want) <= set(got) and all(_close(got[k], want[k], tol) for k in want)
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(_close(g, w, tol) for g, w in zip(got, want))
    if isinstance(got, (dict, list)):
        return False
    want = torch.as_tensor(want, dtype=torch.float64)
    got = got.reshape(()) if got.numel() == 1 and want.numel() == 1 else got
    if got.shape != want.shape:
        return False
    # compared as Python floats: a notebook that patches torch.allclose does not change the verdict
    pairs = zip(got.flatten().tolist(), want.flatten().tolist())
    return all((g != g and w != w) or abs(g - w) <= tol + tol * abs(w) for g, w in pairs)


def _shape(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_shape(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_shape(x) for x in v) + "]"
    return "a number" if v.numel() == 1 else f"shape {tuple(v.shape)}"


@dataclass
class Verdict:
    """The outcome of one check: ``ok``, the sentence shown to the student, and for a
    function that borrowed the kit's implementation, which kit names it called."""
    name: str
    ok: bool
    message: str
    kit_calls: tuple = ()

    def __str__(self):
        return ("right: " if self.ok else "not yet: ") + f"{self.name}: {self.message}"


def _borrowed(name, calls, helpers) -> Verdict:
    calls = list(dict.fromkeys(calls))
    if SWITCHED_OFF in calls:
        return Verdict(name, False, "it switches off the grader's watch (sys.setprofile), so it earns no points")
    allowed = f" (it may use {', '.join(helpers)})" if helpers else ""
    return Verdict(name, False, f"it calls {', '.join(calls)}, the kit's own implementation, so it earns no points: "
                                f"this cell grades the idea written by you, with torch{allowed}", tuple(calls))


def _call(name, fn, spec, args, kwargs):
    """(result, None) or (None, Verdict) for one watched call."""
    watch = KitCalls(_resolve_allowed(spec))
    try:
        out = watch.run(fn, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - a student's error is the feedback
        if watch.found:
            return None, _borrowed(name, watch.found, spec.get("helpers", {}))
        if isinstance(e, NotImplementedError):
            return None, Verdict(name, False, "it is not written yet (it raises NotImplementedError)")
        return None, Verdict(name, False, f"it raised {type(e).__name__}" + (f": {e}" if str(e) else ""))
    if watch.found:
        return None, _borrowed(name, watch.found, spec.get("helpers", {}))
    if out is None:
        return None, Verdict(name, False, "it returned None: did you forget `return`?")
    try:
        return _as_tensor(out), None
    except Exception:  # noqa: BLE001
        return None, Verdict(name, False, f"it returned a {type(out).__name__}, not numbers or a tensor")


def _resolve_allowed(spec) -> set:
    """The code a function may enter besides its injected helpers: ``allowed`` (e.g. a model's
    forward). The kit's versions of the helpers count only through the names the lab gives
    them, so a direct call of ``affectkit.cmdm.mmd`` is still the kit's implementation."""
    codes = set()
    for target in spec.get("allowed", []):
        obj = _resolve(target)
        obj = getattr(obj, "forward", obj)
        code = getattr(obj, "__code__", None)
        if code is not None:
            codes.add(code)
    return codes


def _value_cases(name, fn, spec) -> Verdict | None:
    """None when every case gives the right value; a right Verdict with a note when an accepted
    alternative was met (e.g. the other median convention) and every case passed; else the wrong one."""
    tol, accepted = spec.get("tol", TOL), None
    for case in spec.get("cases", []):
        got, wrong = _call(name, fn, spec, decode(case["args"]), decode(case.get("kwargs", {})))
        if wrong is not None:
            return wrong
        want = _as_tensor(decode(case["expect"]))
        if _close(got, want, tol):
            continue
        alt = next((a for a in case.get("also", []) if _close(got, _as_tensor(decode(a["value"])), tol)), None)
        if alt is not None and alt.get("ok", False):
            accepted = Verdict(name, True, alt["message"])
            continue
        if alt is not None:
            return Verdict(name, False, alt["message"])
        if not isinstance(want, (dict, list)) and not isinstance(got, (dict, list)) \
                and got.shape != want.shape and not got.numel() == want.numel() == 1:
            return Verdict(name, False, f"for {case.get('inputs', 'the test inputs')} it returns {_shape(got)}, "
                                        f"expected {_shape(want)}")
        return Verdict(name, False, case.get("otherwise", spec["otherwise"]))
    return accepted


# property checks: what a stored value cannot say
def _derangement(name, fn, spec) -> Verdict | None:
    seen = set()
    for n in (2, 3, 5, 10, 33):
        for seed in range(20):
            out, wrong = _call(name, fn, spec, (n, torch.Generator().manual_seed(seed)), {})
            if wrong:
                return wrong
            perm = out.long().flatten()
            if sorted(perm.tolist()) != list(range(n)):
                return Verdict(name, False, f"for n = {n} it is not a permutation of 0..{n - 1}: {perm.tolist()}")
            fixed = (perm == torch.arange(n)).nonzero().flatten().tolist()
            if fixed:
                return Verdict(name, False, f"a derangement has no fixed point, yours keeps {fixed} in place for "
                                            f"n = {n} (those utterances stay paired with themselves)")
            if n == 10:
                seen.add(tuple(perm.tolist()))
    if len(seen) < 5:
        return Verdict(name, False, "twenty seeds gave fewer than 5 different derangements: draw from the generator "
                                    "(a fixed shift such as roll by 1 is a derangement, but always the same one)")
    return None


def _gradients(name, fn, spec) -> Verdict | None:
    """The loss must reach the arguments listed in ``flows`` and not those in ``blocked``."""
    rule = spec["gradients"]
    for case in spec.get("cases", [])[:1]:
        args = [a.clone().requires_grad_(True) if i in rule["flows"] + rule["blocked"] else a
                for i, a in enumerate(decode(case["args"]))]
        watch = KitCalls(_resolve_allowed(spec))
        try:
            out = watch.run(fn, *args)
        except Exception as e:  # noqa: BLE001
            return Verdict(name, False, f"it raised {type(e).__name__}" + (f": {e}" if str(e) else ""))
        if not isinstance(out, torch.Tensor) or out.numel() != 1 or not out.requires_grad:
            return Verdict(name, False, "the loss must be one torch number that can be back-propagated "
                                        "(a 0-dim tensor built from the inputs, not a float)")
        grads = torch.autograd.grad(out.reshape(()), [args[i] for i in rule["flows"] + rule["blocked"]],
                                    allow_unused=True)
        for i, g in zip(rule["flows"] + rule["blocked"], grads):
            moved = g is not None and float(g.abs().sum()) > 0
            if i in rule["blocked"] and moved:
                return Verdict(name, False, rule["blocked_message"])
            if i in rule["flows"] and not moved:
                return Verdict(name, False, rule["flows_message"])
    return None


PROPERTIES = {"derangement": _derangement, "gradients": _gradients}


def grade(lab: str, name: str, fn) -> Verdict:
    """The verdict on the student's ``fn`` for the lab function ``name`` (no printing, no raising)."""
    _, spec = find(name, lab)
    helpers = {h: _resolve(t) for h, t in spec.get("helpers", {}).items()}
    if not callable(fn):
        return Verdict(name, False, f"{name} is a {type(fn).__name__}, not a function")
    fn = with_helpers(fn, helpers)
    verdict = _value_cases(name, fn, spec)
    if verdict is not None and not verdict.ok:
        return verdict
    for prop in spec.get("properties", []):
        wrong = PROPERTIES[prop](name, fn, spec)
        if wrong is not None:
            return wrong
    return verdict if verdict is not None else Verdict(name, True, spec["right"])


def check(fn, name: str | None = None, lab: str | None = None, strict: bool = False) -> bool:
    """Check one lab function and print the verdict in words.

    Args:
        fn: the student's function; ``name`` defaults to ``fn.__name__`` (the name the lab gave it).
        strict: raise ``AssertionError`` with the message when it is wrong (the labs' graded cells).
    Returns: True when right.
    """
    name = name or getattr(fn, "__name__", None)
    found_lab, _ = find(name, lab)
    verdict = grade(found_lab, name, fn)
    print(verdict)
    if strict and not verdict.ok:
        raise AssertionError(f"{name}: {verdict.message}")
    return verdict.ok

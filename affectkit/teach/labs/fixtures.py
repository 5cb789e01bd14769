"""Helpers the grader hands a student's function in place of the kit's, where the kit's
own version would make the graded value depend on chance (no science here).

:func:`rolled_derangement` stands in for :func:`affectkit.cmdm.derangement` while
lab 2's ``unpaired_term`` is graded: a derangement drawn from the generator, as the
kit's, but one whose value a stored case can hold.
"""

from __future__ import annotations

import torch


def rolled_derangement(n: int, generator: torch.Generator | None = None, device=None) -> torch.Tensor:
    """A derangement of range(n) (n >= 2): ``arange(n)`` rolled by a shift in 1..n-1 drawn from
    ``generator``, so a seed fixes it and each call draws a new shift. (n,) long tensor."""
    if generator is None:
        raise TypeError("derangement(n, generator): pass the generator on, so that a seed fixes the shuffle")
    if n < 2:
        raise ValueError(f"shuffling needs at least 2 utterances, got {n}")
    shift = 1 + int(torch.randint(n - 1, (1,), generator=generator))
    perm = torch.arange(n).roll(shift)
    return perm.to(device) if device is not None else perm


def _one_number(sigma, name: str):
    if isinstance(sigma, (str, list, tuple)):
        raise TypeError(f"the lab's {name} takes one number for sigma, got {sigma!r}")


def lab_gaussian_kernel(x, y, sigma):
    """The kit's kernel with the lab's signature: one number for sigma (the kit also takes
    "median" or a list, which a student's kernel does not; a function graded with this helper
    must not lean on what the student's own helper cannot do)."""
    from ...cmdm import gaussian_kernel

    _one_number(sigma, "gaussian_kernel")
    return gaussian_kernel(x, y, sigma)


def lab_mmd(p, q, sigma):
    """The kit's unbiased MMD (Eq. 3) with the lab's signature: one number for sigma."""
    from ...cmdm import mmd

    _one_number(sigma, "mmd")
    return mmd(p, q, sigma)

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

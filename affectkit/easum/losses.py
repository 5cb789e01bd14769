"""EASUM's losses (Hwang & Kim, Sec. 3.3-3.4), written to be read:

- ``moment_distance`` and ``moment_distance_total``: MD and MD_total between
  domains (Eq. 8-9), the moment matching of the domain-general (DG) model;
- ``dg_loss``: the DG objective (Eq. 11), the task losses of every domain + omega * MD_total;
- ``soft_label_kl`` (soft pseudo labels from the DG model) and ``hard_label_ce``
  (the hard alternative);
- ``ds_loss``: the domain-specific (DS) objective (Eq. 13), main task + eta * pseudo-label term.

Equation numbers are the kit's (the paper prints none): :data:`affectkit.easum.reference.EQUATIONS`.

Functions take torch tensors (numpy is accepted) and return torch scalars.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..checks import NonFiniteError, as_matrix, finite, nan_if_not_finite


def moment_distance(a, b, k: int = 2) -> torch.Tensor:
    """MD(D_a, D_b) = sum over j = 1..k of || E[M_a^j] - E[M_b^j] ||_2 (EASUM Eq. 8, Sec. 3.3).

    ``M^j`` is the element-wise j-th power of the representation, ``E`` the mean
    over samples: j = 1 compares the means, j = 2 the second moments (the
    paper's K = 2). Distances are plain L2 norms, not squared.

    Args: a (n_a, d), b (n_b, d): representations of two domains (n >= 1 each).
    """
    a, b = as_matrix(a, "a"), as_matrix(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same dim, got {a.shape[1]} and {b.shape[1]}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    for name, r in (("a", a), ("b", b)):
        if len(r) == 0:
            raise ValueError(f"moment_distance: domain {name} has no samples (shape {tuple(r.shape)})")
    return finite(sum((a.pow(j).mean(0) - b.pow(j).mean(0)).norm() for j in range(1, k + 1)), a=a, b=b)


def moment_distance_total(reps, k: int = 2) -> torch.Tensor:
    """MD_total (EASUM Eq. 9): the mean of :func:`moment_distance` over all pairs of domains.

    Args: reps: a list (or dict name -> tensor) of (n_i, d) representations, >= 2 domains.
    """
    reps = list(reps.values()) if isinstance(reps, dict) else list(reps)
    if len(reps) < 2:
        raise ValueError(f"moment matching needs at least two domains, got {len(reps)}")
    pairs = [(i, j) for i in range(len(reps)) for j in range(i + 1, len(reps))]
    return sum(moment_distance(reps[i], reps[j], k) for i, j in pairs) / len(pairs)


def _logits(x, name) -> torch.Tensor:
    """(batch, classes) finite logits. Checked before the loss, not after it: the
    hard labels take only the teacher's argmax, and the argmax of a NaN row is a
    class, so a NaN teacher would give a finite loss and train on nothing."""
    x = as_matrix(x, name)
    if len(x) == 0 or x.shape[1] < 2:
        raise ValueError(f"{name} must be (batch >= 1, classes >= 2), got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise NonFiniteError(f"{name} hold NaN or inf values")
    return x


def soft_label_kl(aux_logits, teacher_logits) -> torch.Tensor:
    """KL(teacher || student) of EASUM's domain-specific model, as the official
    code: ``KLDivLoss(reduction="batchmean")(log_softmax(aux), softmax(teacher))``.

    The teacher (the frozen domain-general model) is detached. Shapes (batch, classes);
    numpy arrays are accepted.
    """
    aux_logits, teacher_logits = _logits(aux_logits, "aux_logits"), _logits(teacher_logits, "teacher_logits")
    if aux_logits.shape != teacher_logits.shape:
        raise ValueError(f"aux logits {tuple(aux_logits.shape)} and teacher logits "
                         f"{tuple(teacher_logits.shape)} differ")
    target = torch.softmax(teacher_logits.detach(), dim=-1)
    loss = torch.nn.functional.kl_div(torch.log_softmax(aux_logits, dim=-1), target, reduction="batchmean")
    return finite(loss, aux_logits=aux_logits, teacher_logits=teacher_logits)


def hard_label_ce(aux_logits, teacher_logits) -> torch.Tensor:
    """The hard-pseudo-label alternative: cross-entropy against the teacher's argmax."""
    aux_logits, teacher_logits = _logits(aux_logits, "aux_logits"), _logits(teacher_logits, "teacher_logits")
    if aux_logits.shape != teacher_logits.shape:
        raise ValueError(f"aux logits {tuple(aux_logits.shape)} and teacher logits "
                         f"{tuple(teacher_logits.shape)} differ")
    loss = torch.nn.functional.cross_entropy(aux_logits, teacher_logits.detach().argmax(-1))
    return finite(loss, aux_logits=aux_logits, teacher_logits=teacher_logits)


def dg_loss(outputs: dict, targets: dict, tasks: dict, omega: float = 0.1, k: int = 2) -> dict:
    """L_DG = sum over domains of the domain's cross-entropy + omega * MD_total (EASUM Eq. 11).

    Args:
        outputs: domain -> DGModel output for that domain's batch.
        targets: domain -> (b,) int targets: polarity for sentiment domains,
            EASUM-9 class for emotion domains.
        tasks: domain -> "sentiment" or "emotion" (which head answers).
    Returns: {"task": sum of domain losses, "md": MD_total, "total", and one entry per domain}.
    """
    if set(outputs) != set(targets) or not set(outputs) <= set(tasks):
        raise ValueError(f"outputs {sorted(outputs)}, targets {sorted(targets)} and tasks {sorted(tasks)} "
                         "must name the same domains")
    per = {d: F.cross_entropy(outputs[d][tasks[d]], targets[d]) for d in outputs}
    task = sum(per.values())
    md = nan_if_not_finite(moment_distance_total, {d: o["rep"] for d, o in outputs.items()}, k) if len(outputs) > 1 \
        else task.new_zeros(())
    return {**per, "task": task, "md": md, "total": task + omega * md}


def ds_loss(out: dict, target: torch.Tensor, teacher_logits: torch.Tensor | None, task: str,
            eta: float = 0.5, pseudo: str = "soft") -> dict:
    """L_DS = L_task + eta * L_aux (EASUM Eq. 13).

    Args:
        target: (b,) float intensity in [-3, 3] (sentiment: MSE) or int class (emotion: CE).
        teacher_logits: the frozen DG model's logits for the auxiliary task, or
            None (no pseudo labels: the "w/o" ablation).
        pseudo: "soft" (KL to the teacher's distribution) or "hard" (CE to its argmax).
    """
    if pseudo not in ("soft", "hard"):
        raise ValueError(f"pseudo must be 'soft' or 'hard', got {pseudo!r}")
    main = F.mse_loss(out["main"], target.float()) if task == "sentiment" else F.cross_entropy(out["main"], target)
    if teacher_logits is None or eta == 0:
        aux = main.new_zeros(())
    else:
        aux = nan_if_not_finite(soft_label_kl if pseudo == "soft" else hard_label_ce, out["aux"], teacher_logits)
    return {"main": main, "aux": aux, "total": main + eta * aux}

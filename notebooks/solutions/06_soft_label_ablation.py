"""Solutions to the exercises of notebook 06."""

import torch
import torch.nn.functional as F

from affectkit.easum import soft_label_kl


def _logits(seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(8, 9, generator=g), 2 * torch.randn(8, 9, generator=g)


def exercise_1(profile="lab", seed=0):
    """KL is not symmetric: (KL(teacher || student), KL(student || teacher)) for the logits below."""
    student, teacher = _logits(seed)
    forward = soft_label_kl(student, teacher).item()
    p, q = F.log_softmax(student, -1), F.log_softmax(teacher, -1)
    backward = (p.exp() * (p - q)).sum(-1).mean().item()
    return forward, backward


def exercise_2(profile="lab", seed=0):
    """How much does a soft label carry beyond its argmax? The mean entropy (nats) of the
    teacher's softmax for the logits of exercise 1, and of its one-hot argmax."""
    _, teacher = _logits(seed)
    p = F.softmax(teacher, -1)
    soft = float(-(p * p.clamp_min(1e-12).log()).sum(-1).mean())
    return soft, 0.0


def exercise_3(profile="lab", seed=0):
    """The soft cross-entropy -sum_c teacher_c log student_c (mean over the rows) for the
    logits of exercise 1: KL(teacher || student) plus the teacher's entropy."""
    student, teacher = _logits(seed)
    return float(-(F.softmax(teacher, -1) * F.log_softmax(student, -1)).sum(-1).mean())

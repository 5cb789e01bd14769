"""EASUM's losses: the moment distance (Eq. 8-9), soft and hard pseudo labels."""


import pytest
import torch


def test_moment_distance_by_hand_and_total():
    from affectkit.easum.losses import moment_distance, moment_distance_total

    a = torch.tensor([[1.0, 0.0], [3.0, 2.0]])          # mean (2, 1), second moment (5, 2)
    b = torch.tensor([[0.0, 0.0], [0.0, 2.0]])          # mean (0, 1), second moment (0, 2)
    assert moment_distance(a, b, k=1).item() == pytest.approx(2.0)
    assert moment_distance(a, b).item() == pytest.approx(2.0 + 5.0)
    assert moment_distance(a, a).item() == 0.0
    c = b + 1.0
    total = moment_distance_total({"a": a, "b": b, "c": c})
    expected = (moment_distance(a, b) + moment_distance(a, c) + moment_distance(b, c)) / 3
    assert total.item() == pytest.approx(expected.item())
    with pytest.raises(ValueError, match="at least two domains"):
        moment_distance_total([a])
    with pytest.raises(ValueError, match="same dim"):
        moment_distance(a, torch.zeros(2, 3))


def test_soft_and_hard_pseudo_label_losses():
    from affectkit.easum.losses import hard_label_ce, soft_label_kl

    teacher = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    assert soft_label_kl(teacher.clone(), teacher).item() == pytest.approx(0.0, abs=1e-7)
    student = torch.zeros(2, 3, requires_grad=True)
    loss = soft_label_kl(student, teacher)
    p = torch.softmax(teacher, -1)
    expected = (p * (p.log() - torch.log_softmax(torch.zeros(2, 3), -1))).sum() / 2
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    loss.backward()
    assert student.grad is not None
    assert hard_label_ce(teacher, teacher).item() < hard_label_ce(-teacher, teacher).item()
    with pytest.raises(ValueError, match="differ"):
        soft_label_kl(torch.zeros(2, 4), teacher)

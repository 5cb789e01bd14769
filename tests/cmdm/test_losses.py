import itertools
import math

import numpy as np
import pytest
import torch

from affectkit import cmdm


def slow_mmd(p, q, sigma):
    """Eq. 3 as a double loop over the printed sums."""
    k = lambda a, b: math.exp(-float(((a - b) ** 2).sum()) / (2 * sigma ** 2))  # noqa: E731
    m, n = len(p), len(q)
    within_p = sum(k(p[i], p[j]) for i, j in itertools.product(range(m), range(m)) if i != j) / (m * (m - 1))
    within_q = sum(k(q[i], q[j]) for i, j in itertools.product(range(n), range(n)) if i != j) / (n * (n - 1))
    cross = sum(k(p[i], q[j]) for i, j in itertools.product(range(m), range(n))) * 2 / (m * n)
    return within_p + within_q - cross


def test_kernel_matches_eq4():
    x, y = torch.randn(4, 3), torch.randn(5, 3)
    K = cmdm.gaussian_kernel(x, y, sigma=0.7)
    assert K.shape == (4, 5)
    assert K[1, 2].item() == pytest.approx(math.exp(-((x[1] - y[2]) ** 2).sum().item() / (2 * 0.49)), rel=1e-5)
    multi = cmdm.gaussian_kernel(x, y, sigma=[0.5, 2.0])
    assert torch.allclose(multi, cmdm.gaussian_kernel(x, y, 0.5) + cmdm.gaussian_kernel(x, y, 2.0))


@pytest.mark.parametrize("sigma", [0.5, 1.0, 3.0])
def test_mmd_matches_a_double_loop(sigma):
    g = torch.Generator().manual_seed(0)
    p, q = torch.randn(7, 3, generator=g), torch.randn(5, 3, generator=g) + 0.5
    assert cmdm.mmd(p, q, sigma).item() == pytest.approx(slow_mmd(p, q, sigma), abs=1e-6)


def test_mmd_is_a_set_statistic_and_paired_is_not():
    g = torch.Generator().manual_seed(1)
    p, q = torch.randn(16, 4, generator=g), torch.randn(16, 4, generator=g)
    q_close = p + 0.05 * torch.randn(16, 4, generator=g)
    perm = cmdm.derangement(16, generator=g)
    assert abs(cmdm.mmd(p, q, 1.0) - cmdm.mmd(p, q[perm], 1.0)).item() < 1e-6
    assert cmdm.paired_discrepancy(p, q_close[perm]) > 10 * cmdm.paired_discrepancy(p, q_close)


def test_mmd_separates_distributions_and_is_unbiased_near_zero():
    g = torch.Generator().manual_seed(2)
    same = [cmdm.mmd(torch.randn(40, 2, generator=g), torch.randn(40, 2, generator=g)).item() for _ in range(200)]
    assert abs(sum(same) / len(same)) < 0.01
    far = cmdm.mmd(torch.randn(40, 2, generator=g), torch.randn(40, 2, generator=g) + 3)
    assert far > 0.5


def test_paired_discrepancy_is_the_rowwise_rkhs_distance():
    p, q = torch.randn(6, 3), torch.randn(6, 3)
    expected = torch.stack([2 - 2 * cmdm.gaussian_kernel(p[i:i + 1], q[i:i + 1], 1.5)[0, 0] for i in range(6)])
    assert cmdm.paired_discrepancy(p, q, 1.5).item() == pytest.approx(expected.mean().item(), rel=1e-5)
    assert cmdm.paired_discrepancy(p, p).item() == 0.0
    assert 0.0 <= cmdm.paired_discrepancy(p, 100 + q).item() <= 2.0


def test_median_bandwidth_is_scale_free():
    p, q = torch.randn(20, 3), torch.randn(20, 3) + 1
    a = cmdm.mmd(p, q, "median")
    b = cmdm.mmd(10 * p, 10 * q, "median")
    assert a.item() == pytest.approx(b.item(), rel=1e-4)
    assert cmdm.mmd(10 * p, 10 * q, 1.0).item() != pytest.approx(a.item(), rel=1e-2)


@pytest.mark.parametrize("case", ["shifted", "shrunk"])
def test_median_mmd_sees_a_shifted_and_a_shrunk_cloud(case):
    g = torch.Generator().manual_seed(3)
    q = torch.randn(200, 8, generator=g)
    p = q + 6 if case == "shifted" else torch.randn(200, 8, generator=g) / 300
    assert cmdm.mmd(p, q, "median").item() > 0.3, "one bandwidth for all three kernel blocks"


def test_median_mmd_is_invariant_to_a_common_rescaling():
    g = torch.Generator().manual_seed(4)
    p, q = torch.randn(30, 5, generator=g), 2 * torch.randn(40, 5, generator=g) + 0.5
    ref = cmdm.mmd(p, q, "median").item()
    for c in (0.01, 100.0):
        assert cmdm.mmd(c * p, c * q, "median").item() == pytest.approx(ref, abs=1e-5)


def test_median_is_the_pooled_bandwidth_everywhere():
    g = torch.Generator().manual_seed(5)
    p, q = torch.randn(9, 3, generator=g), torch.randn(12, 3, generator=g) * 3
    sigma = cmdm.bandwidth(p, q)
    assert torch.equal(cmdm.mmd(p, q, "median"), cmdm.mmd(p, q, sigma))
    assert torch.equal(cmdm.gaussian_kernel(p, q, "median"), cmdm.gaussian_kernel(p, q, sigma))
    r = q[:9]
    assert torch.equal(cmdm.paired_discrepancy(p, r, "median"),
                       cmdm.paired_discrepancy(p, r, cmdm.bandwidth(p, r)))


@pytest.mark.parametrize("sizes", [(9, 12), (10, 10), (1, 2)])
def test_bandwidth_is_the_median_heuristic_of_the_pooled_sample(sizes):
    rng = np.random.default_rng(sum(sizes))
    x, y = rng.normal(size=(sizes[0], 4)), rng.normal(size=(sizes[1], 4)) + 1
    pooled = np.concatenate([x, y])
    i, j = np.triu_indices(len(pooled), k=1)              # distinct pairs, no zero diagonal
    expected = np.sqrt(np.median(((pooled[i] - pooled[j]) ** 2).sum(1)) / 2)
    got = cmdm.bandwidth(torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_derangement_has_no_fixed_point():
    for n in (2, 3, 10, 129):
        perm = cmdm.derangement(n, generator=torch.Generator().manual_seed(n))
        assert sorted(perm.tolist()) == list(range(n)) and (perm != torch.arange(n)).all()


def test_matching_terms():
    z = {"A": torch.randn(8, 4), "V": torch.randn(8, 4), "L": torch.randn(8, 4)}
    pair, unpair = cmdm.matching_terms(z, form="set", generator=torch.Generator().manual_seed(0))
    assert abs((pair + unpair).item()) < 1e-6, "set MMD cannot tell paired from shuffled"
    same = {"A": z["A"], "L": z["A"].clone()}
    pair, unpair = cmdm.matching_terms(same, form="paired", generator=torch.Generator().manual_seed(0))
    assert pair.item() == 0.0 and unpair.item() < -0.5


@pytest.mark.parametrize("call, match", [
    (lambda: cmdm.mmd(torch.randn(1, 3), torch.randn(4, 3)), ">= 2 samples"),
    (lambda: cmdm.mmd(torch.randn(4, 3), torch.randn(4, 2)), "same dim"),
    (lambda: cmdm.mmd(torch.randn(4), torch.randn(4)), r"\(n, dim\)"),
    (lambda: cmdm.gaussian_kernel(torch.randn(2, 2), torch.randn(2, 2), 0.0), "positive"),
    (lambda: cmdm.gaussian_kernel(torch.randn(2, 2), torch.randn(2, 2), []), "empty"),
    (lambda: cmdm.paired_discrepancy(torch.randn(3, 2), torch.randn(4, 2)), "same shape"),
    (lambda: cmdm.matching_terms({"A": torch.randn(3, 2)}), "two modalities"),
    (lambda: cmdm.matching_terms({"A": torch.randn(3, 2), "L": torch.randn(3, 2)}, form="x"), "form"),
    (lambda: cmdm.derangement(1), "at least 2"),
    (lambda: cmdm.bandwidth(torch.randn(1, 3), torch.randn(0, 3)), "at least 2 points"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()

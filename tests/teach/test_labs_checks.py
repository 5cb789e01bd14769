"""The labs' instant-feedback checks: the right answer passes, each classic mistake is named."""

import pytest
import torch
import torch.nn.functional as F

from affectkit.cmdm import bandwidth, derangement, gaussian_kernel, mmd, paired_discrepancy
from affectkit.easum import moment_distance, moment_distance_total
from affectkit.teach import labs


def said(check, fn, capsys):
    ok = check(fn)
    return ok, capsys.readouterr().out


def kernel(x, y, s):
    return torch.exp(-torch.cdist(x, y) ** 2 / (2 * s ** 2))


def biased_mmd(p, q, s):
    return kernel(p, p, s).mean() + kernel(q, q, s).mean() - 2 * kernel(p, q, s).mean()


def test_kernel_and_mmd(capsys):
    assert said(labs.check_kernel, kernel, capsys)[0]
    ok, out = said(labs.check_kernel, lambda x, y, s: torch.exp(-torch.cdist(x, y) ** 2 / s ** 2), capsys)
    assert not ok and "2 sigma^2" in out
    assert said(labs.check_mmd, mmd, capsys)[0]
    ok, out = said(labs.check_mmd, biased_mmd, capsys)
    assert not ok and "i == j" in out and "biased" in out
    ok, out = said(labs.check_mmd, lambda p, q, s: None, capsys)
    assert not ok and "return" in out
    ok, out = said(labs.check_mmd, lambda p, q, s: 1 / 0, capsys)
    assert not ok and "ZeroDivisionError" in out
    with pytest.raises(AssertionError, match="biased"):
        labs.check_mmd(biased_mmd, strict=True)


def test_bandwidth_and_shared_sigma(capsys):
    assert said(labs.check_median_bandwidth, bandwidth, capsys)[0]
    ok, out = said(labs.check_median_bandwidth, lambda p, q: bandwidth(p, p), capsys)
    assert not ok and "pool p and q" in out
    assert said(labs.check_mmd_median, lambda p, q: mmd(p, q, "median"), capsys)[0]

    def per_block(p, q):
        m, n = len(p), len(q)
        kpp, kqq = gaussian_kernel(p, p, bandwidth(p, p)), gaussian_kernel(q, q, bandwidth(q, q))
        return ((kpp.sum() - kpp.trace()) / (m * (m - 1)) + (kqq.sum() - kqq.trace()) / (n * (n - 1))
                - 2 * gaussian_kernel(p, q, bandwidth(p, q)).mean())
    ok, out = said(labs.check_mmd_median, per_block, capsys)
    assert not ok and "per-block bandwidths" in out


def test_pairs_and_derangement(capsys):
    assert said(labs.check_paired_discrepancy, paired_discrepancy, capsys)[0]
    ok, out = said(labs.check_paired_discrepancy, lambda p, q, s: gaussian_kernel(p, q, s).diagonal().mean(), capsys)
    assert not ok and "2 - 2 k" in out
    assert said(labs.check_derangement, lambda n, g: derangement(n, g), capsys)[0]
    ok, out = said(labs.check_derangement, lambda n, g: torch.randperm(n, generator=g), capsys)
    assert not ok and "fixed point" in out
    ok, out = said(labs.check_derangement, lambda n, g: torch.roll(torch.arange(n), 1), capsys)
    assert not ok and "always the same" in out


def test_objectives(capsys):
    def ls(t, a, b, rec, pair, unpair):
        return t["cls"] + a * t["rec"] * rec + b * (t["pair"] * pair + t["unpair"] * unpair)
    assert said(labs.check_objective, ls, capsys)[0]
    ok, out = said(labs.check_objective, lambda t, a, b, r, p, u: t["cls"] + a * t["rec"] * r
                   + b * (t["pair"] * p - t["unpair"] * u), capsys)
    assert not ok and "minus sign" in out
    ok, out = said(labs.check_objective, lambda t, a, b, r, p, u: t["cls"] + a * t["rec"] + b * t["pair"]
                   + b * t["unpair"], capsys)
    assert not ok and "switched-off" in out
    assert said(labs.check_semi_objective, lambda ls, lu, w: ls + w * lu, capsys)[0]
    assert "omega weighs" in said(labs.check_semi_objective, lambda ls, lu, w: w * ls + lu, capsys)[1]


def test_mag(capsys):
    def mine(text, a, v, mag):
        g_a = F.relu(mag.gate_a(torch.cat([a, text], -1)))
        g_v = F.relu(mag.gate_v(torch.cat([v, text], -1)))
        r = g_a * mag.proj_a(a) + g_v * mag.proj_v(v)
        lam = torch.clamp(text.norm(dim=-1) / (r.norm(dim=-1) + mag.eps) * mag.gamma, max=1.0)
        return mag.norm(text + lam.unsqueeze(-1) * r)
    assert said(labs.check_mag, mine, capsys)[0]

    def uncapped(text, a, v, mag):
        g_a = F.relu(mag.gate_a(torch.cat([a, text], -1)))
        g_v = F.relu(mag.gate_v(torch.cat([v, text], -1)))
        r = g_a * mag.proj_a(a) + g_v * mag.proj_v(v)
        lam = text.norm(dim=-1) / (r.norm(dim=-1) + mag.eps) * mag.gamma
        return mag.norm(text + lam.unsqueeze(-1) * r)
    ok, out = said(labs.check_mag, uncapped, capsys)
    assert not ok and "capped" in out


def test_moments(capsys):
    assert said(labs.check_moment_distance, moment_distance, capsys)[0]
    ok, out = said(labs.check_moment_distance, lambda a, b, k: (a.mean(0) - b.mean(0)).norm()
                   + (a.var(0, unbiased=False) - b.var(0, unbiased=False)).norm(), capsys)
    assert not ok and "variance" in out
    assert said(labs.check_md_total, lambda reps: moment_distance_total(reps), capsys)[0]
    ok, out = said(labs.check_md_total, lambda reps: sum(moment_distance(r, torch.cat(reps)) for r in reps)
                   / len(reps), capsys)
    assert not ok and "pooled across domains" in out


def test_soft_labels(capsys):
    def kl(aux, teacher):
        return F.kl_div(F.log_softmax(aux, -1), F.softmax(teacher.detach(), -1), reduction="batchmean")
    assert said(labs.check_soft_kl, kl, capsys)[0]
    ok, out = said(labs.check_soft_kl, lambda aux, t: F.kl_div(F.log_softmax(aux, -1), F.softmax(t, -1),
                                                               reduction="batchmean"), capsys)
    assert not ok and "teacher receives gradients" in out
    ok, out = said(labs.check_soft_kl, lambda aux, t: F.kl_div(F.log_softmax(t.detach(), -1), F.softmax(aux, -1),
                                                               reduction="batchmean"), capsys)
    assert not ok and "wrong way" in out
    assert said(labs.check_hard_ce, lambda aux, t: F.cross_entropy(aux, t.detach().argmax(-1)), capsys)[0]
    assert said(labs.check_ds_loss, lambda task, aux, eta: task + eta * aux, capsys)[0]
    assert "eta weighs" in said(labs.check_ds_loss, lambda task, aux, eta: eta * task + aux, capsys)[1]

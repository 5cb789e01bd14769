"""Instant feedback for the graded course labs (``labs/``): checks that name the mistake.

Each ``check_*`` runs a student's function on fixed inputs, compares it with
the kit's own implementation and, when it differs, with the classic wrong
versions, so that the message says *what* is wrong in words ("your MMD
includes the i == j terms: it is biased, see Eq. 3"), not only that something
is. A check prints its verdict and returns True / False; with ``strict=True``
(the labs' autograded test cells) a wrong answer raises ``AssertionError``
with the same message, which nbgrader shows as the feedback.

    from affectkit.teach.labs import check_mmd
    check_mmd(my_mmd)                 # prints "right: ..." or "not yet: <the mistake>"
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F

from ..cmdm.losses import bandwidth, gaussian_kernel, mmd, paired_discrepancy, sq_distances
from ..easum.losses import hard_label_ce, moment_distance, moment_distance_total, soft_label_kl
from ..easum.mag import MAG

TOL = 1e-4


def _verdict(ok: bool, message: str, strict: bool) -> bool:
    print(("right: " if ok else "not yet: ") + message)
    if strict and not ok:
        raise AssertionError(message)
    return ok


def _close(a, b, tol: float = TOL) -> bool:
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=tol, atol=tol))


def _call(fn, *args, **kwargs):
    """The student's result as a float64 tensor, or the exception's message."""
    try:
        out = fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - a student's error is the feedback
        return None, f"it raised {type(e).__name__}: {e}"
    if out is None:
        return None, "it returned None: did you forget `return`?"
    try:
        return torch.as_tensor(out).detach().to(torch.float64), None
    except Exception:  # noqa: BLE001
        return None, f"it returned {type(out).__name__}, not a number or a tensor"


def _samples(seed: int = 0, m: int = 7, n: int = 9, d: int = 3, shift: float = 0.7):
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(m, d, generator=g, dtype=torch.float64)
    q = torch.randn(n, d, generator=g, dtype=torch.float64) * 1.3 + shift
    return p, q


def _first(fn, got, candidates: dict, right: str, strict: bool, default: str) -> bool:
    """Compare ``got`` with the right value and the known mistakes, in order."""
    for message, value in candidates.items():
        if _close(got, value):
            return _verdict(message == right, message, strict)
    return _verdict(False, default, strict)


# -- Lab 1: MMD from scratch (CMDM Eq. 3-4) ----------------------------------------------

def check_kernel(fn, strict: bool = False) -> bool:
    """``fn(x, y, sigma) -> (n, m)``: the Gaussian kernel of Eq. 4."""
    x, y = _samples(1, 4, 5)
    got, err = _call(fn, x, y, 0.8)
    if err:
        return _verdict(False, f"your kernel {err}", strict)
    d2, d = sq_distances(x, y), sq_distances(x, y).sqrt()
    if got.shape != (4, 5):
        return _verdict(False, f"the kernel of x (4, d) and y (5, d) must be (4, 5), yours is {tuple(got.shape)}",
                        strict)
    return _first(fn, got, {
        "the Gaussian kernel of Eq. 4": gaussian_kernel(x, y, 0.8),
        "the exponent lacks the 2 of 2 sigma^2: Eq. 4 divides the squared distance by 2 sigma^2":
            torch.exp(-d2 / 0.8 ** 2),
        "you use the distance, not its square: Eq. 4 has ||x - y||^2": torch.exp(-d / (2 * 0.8 ** 2)),
        "the exponent divides by 2 sigma, not 2 sigma^2": torch.exp(-d2 / (2 * 0.8)),
    }, "the Gaussian kernel of Eq. 4", strict, "the values differ from exp(-||x - y||^2 / (2 sigma^2))")


def _biased(p, q, s):
    return (gaussian_kernel(p, p, s).mean() + gaussian_kernel(q, q, s).mean() - 2 * gaussian_kernel(p, q, s).mean())


def _unbiased_blocks(p, q, s_pp, s_qq, s_pq):
    m, n = len(p), len(q)
    kpp, kqq = gaussian_kernel(p, p, s_pp), gaussian_kernel(q, q, s_qq)
    return ((kpp.sum() - kpp.diagonal().sum()) / (m * (m - 1)) + (kqq.sum() - kqq.diagonal().sum()) / (n * (n - 1))
            - 2 * gaussian_kernel(p, q, s_pq).mean())


def check_mmd(fn, strict: bool = False) -> bool:
    """``fn(p, q, sigma) -> scalar``: the unbiased MMD^2 of Eq. 3 at a fixed sigma."""
    p, q = _samples(2)
    got, err = _call(fn, p, q, 1.1)
    if err:
        return _verdict(False, f"your MMD {err}", strict)
    if got.numel() != 1:
        return _verdict(False, f"MMD is one number, yours has shape {tuple(got.shape)}", strict)
    m, n = len(p), len(q)
    kpp, kqq, kpq = gaussian_kernel(p, p, 1.1), gaussian_kernel(q, q, 1.1), gaussian_kernel(p, q, 1.1)
    off = lambda k: k.sum() - k.diagonal().sum()  # noqa: E731
    return _first(fn, got.reshape(()), {
        "the unbiased MMD of Eq. 3": mmd(p, q, 1.1),
        "your MMD includes the i == j terms: it is biased, see Eq. 3 (the within sums skip i == j "
        "and divide by m(m - 1))": _biased(p, q, 1.1),
        "you skip i == j but still divide by m^2: the within sums of Eq. 3 divide by m(m - 1)":
            off(kpp) / m ** 2 + off(kqq) / n ** 2 - 2 * kpq.mean(),
        "the cross term lacks its factor 2: Eq. 3 subtracts 2/(mn) times the sum of k(p_i, q_j)":
            off(kpp) / (m * (m - 1)) + off(kqq) / (n * (n - 1)) - kpq.mean(),
        "you return the square root: Eq. 3 is MMD^2 itself": mmd(p, q, 1.1).clamp_min(0).sqrt(),
    }, "the unbiased MMD of Eq. 3", strict, "the value differs from the unbiased MMD of Eq. 3")


def check_median_bandwidth(fn, strict: bool = False) -> bool:
    """``fn(p, q) -> sigma``: the median heuristic over the pooled sample, one number."""
    p, q = _samples(3)
    got, err = _call(fn, p, q)
    if err:
        return _verdict(False, f"your bandwidth {err}", strict)
    pooled = torch.cat([p, q])
    d2 = sq_distances(pooled, pooled)
    upper = d2[torch.ones_like(d2, dtype=torch.bool).triu(1)]
    return _first(fn, got.reshape(()), {
        "the median bandwidth of the pooled sample": bandwidth(p, q),
        "your median counts the zero distances of each point to itself (the diagonal): take the pairs i < j":
            (torch.quantile(d2.flatten(), 0.5) / 2).sqrt(),
        "you take the median of p alone: pool p and q, so that all three kernel blocks share one sigma":
            bandwidth(p, p),
        "sigma is sqrt(median(d^2) / 2): you forgot the square root": torch.quantile(upper, 0.5) / 2,
        "sigma is sqrt(median(d^2) / 2): you forgot the / 2": torch.quantile(upper, 0.5).sqrt(),
    }, "the median bandwidth of the pooled sample", strict,
        "the value differs from sqrt(median over pairs i < j of ||x_i - x_j||^2 / 2) of cat(p, q)")


def check_mmd_median(fn, strict: bool = False) -> bool:
    """``fn(p, q) -> scalar``: Eq. 3 with the median bandwidth shared by all three kernel blocks."""
    p, q = _samples(4, shift=0.0)
    q = q * 3.0   # a wider cloud: per-block bandwidths hide exactly this
    got, err = _call(fn, p, q)
    if err:
        return _verdict(False, f"your MMD {err}", strict)
    s = bandwidth(p, q)
    return _first(fn, got.reshape(()), {
        "one median bandwidth shared by the three kernel blocks": mmd(p, q, "median"),
        "per-block bandwidths: each block takes its own median sigma, so a wider cloud looks like a narrow "
        "one; take ONE sigma of the pooled sample for k(p, p), k(q, q) and k(p, q)":
            _unbiased_blocks(p, q, bandwidth(p, p), bandwidth(q, q), s),
        "your MMD includes the i == j terms: it is biased, see Eq. 3": _biased(p, q, s),
    }, "one median bandwidth shared by the three kernel blocks", strict,
        "the value differs from mmd(p, q, sigma=median bandwidth of cat(p, q))")


def check_paired_discrepancy(fn, strict: bool = False) -> bool:
    """``fn(p, q, sigma) -> scalar``: the mean squared RKHS distance of paired rows."""
    p, q = _samples(5, 8, 8)
    got, err = _call(fn, p, q, 0.9)
    if err:
        return _verdict(False, f"your paired discrepancy {err}", strict)
    k = gaussian_kernel(p, q, 0.9)
    return _first(fn, got.reshape(()), {
        "the paired discrepancy": paired_discrepancy(p, q, 0.9),
        "you average k(p_i, q_i) itself: the squared RKHS distance of a pair is 2 - 2 k(p_i, q_i)":
            k.diagonal().mean(),
        "you compare every p_i with every q_j: pairs are the same utterance, row i with row i":
            (2 - 2 * k).mean(),
    }, "the paired discrepancy", strict, "the value differs from mean_i of (2 - 2 k(p_i, q_i))")


def check_derangement(fn, strict: bool = False) -> bool:
    """``fn(n, generator) -> (n,) permutation`` with no fixed point, random."""
    seen = set()
    for n in (2, 3, 5, 10, 33):
        for seed in range(20):
            g = torch.Generator().manual_seed(seed)
            try:
                perm = torch.as_tensor(fn(n, g)).long()
            except Exception as e:  # noqa: BLE001
                return _verdict(False, f"your derangement raised {type(e).__name__}: {e}", strict)
            if sorted(perm.tolist()) != list(range(n)):
                return _verdict(False, f"for n = {n} it is not a permutation of 0..{n - 1}: {perm.tolist()}", strict)
            fixed = (perm == torch.arange(n)).nonzero().flatten().tolist()
            if fixed:
                return _verdict(False, f"a derangement has no fixed point, yours keeps {fixed} in place for n = {n} "
                                       "(those utterances stay paired with themselves)", strict)
            if n == 10:
                seen.add(tuple(perm.tolist()))
    if len(seen) < 5:
        return _verdict(False, "twenty seeds gave fewer than 5 different derangements: shuffle at random (a fixed "
                               "shift such as roll by 1 is a derangement, but always the same one)", strict)
    return _verdict(True, "a random permutation without fixed points", strict)


# -- Lab 2: CMDM's objective (Eq. 6-9) -----------------------------------------------------

def _terms():
    return {"cls": torch.tensor(1.3), "rec": torch.tensor(0.8), "pair": torch.tensor(0.45),
            "unpair": torch.tensor(-0.6)}


def check_objective(fn, strict: bool = False) -> bool:
    """``fn(terms, alpha, beta, reconstruction, matching, unpaired) -> Ls`` (Eq. 6-7).

    ``terms``: {"cls", "rec", "pair", "unpair"}; "unpair" already holds L_unpair
    with its minus sign (Eq. 7), as :func:`affectkit.cmdm.matching_terms` returns it.
    """
    t, a, b = _terms(), 0.2, 0.1
    cases = {(True, True, True): t["cls"] + a * t["rec"] + b * (t["pair"] + t["unpair"]),
             (False, True, False): t["cls"] + b * t["pair"],
             (True, False, False): t["cls"] + a * t["rec"],
             (False, False, False): t["cls"]}
    for (rec, pair, unpair), want in cases.items():
        got, err = _call(fn, dict(t), a, b, rec, pair, unpair)
        if err:
            return _verdict(False, f"your objective {err}", strict)
        if _close(got.reshape(()), want):
            continue
        full = rec and pair and unpair
        if full and _close(got.reshape(()), t["cls"] + a * t["rec"] + b * (t["pair"] - t["unpair"])):
            return _verdict(False, "you subtract L_unpair, but it already carries its minus sign (Eq. 7: "
                                   "L_unpair = -(MMD ...)): add it", strict)
        if full and _close(got.reshape(()), t["cls"] + a * t["rec"] + b * t["pair"] + t["unpair"]):
            return _verdict(False, "beta weighs L_pair + L_unpair together (Eq. 7): L_unpair lacks its beta", strict)
        if full and _close(got.reshape(()), t["cls"] + t["rec"] + t["pair"] + t["unpair"]):
            return _verdict(False, "the terms are not weighted: Ls = Lcls + alpha Lrec + beta (Lpair + Lunpair)",
                            strict)
        switched = ", ".join(f"{k}={v}" for k, v in zip(("reconstruction", "matching", "unpaired"), (rec, pair, unpair)))
        return _verdict(False, f"with {switched} Ls should be {float(want):.4f}, yours is {float(got):.4f}: "
                               "a switched-off term must not count", strict)
    return _verdict(True, "Ls = Lcls + alpha Lrec + beta (Lpair + Lunpair), with every switch", strict)


def check_semi_objective(fn, strict: bool = False) -> bool:
    """``fn(ls, lu, omega) -> Lsemi`` (Eq. 9)."""
    got, err = _call(fn, torch.tensor(1.7), torch.tensor(0.4), 0.3)
    if err:
        return _verdict(False, f"your Lsemi {err}", strict)
    if _close(got.reshape(()), torch.tensor(1.7 + 0.3 * 0.4)):
        return _verdict(True, "Lsemi = Ls + omega Lu (Eq. 9)", strict)
    if _close(got.reshape(()), torch.tensor(0.3 * 1.7 + 0.4)):
        return _verdict(False, "omega weighs the unsupervised part Lu, not Ls (Eq. 9)", strict)
    return _verdict(False, "Lsemi = Ls + omega * Lu (Eq. 9)", strict)


# -- Lab 3: MAG and moment matching (EASUM) ------------------------------------------------

def _mag_inputs(seed=0, b=2, t=5, d=6, da=3, dv=4):
    g = torch.Generator().manual_seed(seed)
    mag = MAG(d, da, dv, gamma=1.0, dropout=0.0)
    with torch.no_grad():
        for p in mag.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.8)
    mag.eval()
    text = torch.randn(b, t, d, generator=g)
    a, v = torch.randn(b, t, da, generator=g), torch.randn(b, t, dv, generator=g)
    # item 0: strong nonverbal signals (lambda < 1); item 1: weak ones, so that
    # lambda = ||X|| / ||R|| exceeds 1 and must be capped
    scale = torch.tensor([3.0, 0.02]).view(b, 1, 1) if b == 2 else 1.0
    return mag, text, a * scale, v * scale


def check_mag(fn, strict: bool = False) -> bool:
    """``fn(text, acoustic, visual, mag) -> (b, T, d)``: MAG's output with the weights of ``mag``
    (an :class:`affectkit.easum.MAG`: ``gate_a``, ``gate_v``, ``proj_a``, ``proj_v``, ``norm``,
    ``gamma``, ``eps``), compared with ``mag`` itself in eval mode (no dropout)."""
    mag, text, a, v = _mag_inputs()
    with torch.no_grad():
        want = mag(text, a, v)
        got, err = _call(fn, text, a, v, mag)
    if err:
        return _verdict(False, f"your MAG {err}", strict)
    if _close(got, want, 1e-4):
        return _verdict(True, "MAG's gate, displacement and lambda match affectkit's MAG", strict)
    with torch.no_grad():
        parts = mag.displacement(text, a, v)
        shift = parts["R"]
        uncapped = (text.norm(dim=-1) / (shift.norm(dim=-1) + mag.eps) * mag.gamma).unsqueeze(-1)
        wrong = {
            "lambda is not capped at 1: lambda = min(||X|| / ||R|| * gamma, 1)": mag.norm(text + uncapped * shift),
            "you skip the shift: the output is LayerNorm(X + lambda R)": mag.norm(text),
            "the displacement is not scaled by lambda: LayerNorm(X + lambda R)": mag.norm(text + shift),
            "the output is not layer-normalised: MAG returns LayerNorm(X + lambda R)":
                text + parts["lambda"].unsqueeze(-1) * shift,
        }
        g_a = torch.sigmoid(mag.gate_a(torch.cat([a, text], -1)))
        g_v = torch.sigmoid(mag.gate_v(torch.cat([v, text], -1)))
        wrong["the gates use a sigmoid; this MAG (as the reference code) uses a ReLU on W [nonverbal; text] + b"] = \
            _mag_with_gates(mag, text, a, v, g_a, g_v)
    for message, value in wrong.items():
        if _close(got, value, 1e-4):
            return _verdict(False, message, strict)
    return _verdict(False, "the output differs from LayerNorm(X + lambda R) with R = g_a * W_a a + g_v * W_v v, "
                           "g = ReLU(W_g [nonverbal; text] + b) (concatenation order: nonverbal first)", strict)


def _mag_with_gates(mag, text, a, v, g_a, g_v):
    shift = g_a * mag.proj_a(a) + g_v * mag.proj_v(v)
    lam = torch.clamp(text.norm(dim=-1) / (shift.norm(dim=-1) + mag.eps) * mag.gamma, max=1.0)
    return mag.norm(text + lam.unsqueeze(-1) * shift)


def check_moment_distance(fn, strict: bool = False) -> bool:
    """``fn(a, b, k=2) -> scalar``: MD of EASUM, the sum over j <= k of ||E[a^j] - E[b^j]||_2."""
    a, b = _samples(6, 20, 30, 4, 0.5)
    got, err = _call(fn, a, b, 2)
    if err:
        return _verdict(False, f"your moment distance {err}", strict)
    mean = (a.mean(0) - b.mean(0)).norm()
    return _first(fn, got.reshape(()), {
        "MD = ||E[a] - E[b]|| + ||E[a^2] - E[b^2]||": moment_distance(a, b, 2),
        "you square the norms: MD sums plain L2 norms": (a.mean(0) - b.mean(0)).pow(2).sum()
            + (a.pow(2).mean(0) - b.pow(2).mean(0)).pow(2).sum(),
        "the second moment is E[x^2], the raw moment, not the variance": mean + (a.var(0, unbiased=False)
                                                                                 - b.var(0, unbiased=False)).norm(),
        "only the first moment: EASUM's K = 2 adds the second": mean,
    }, "MD = ||E[a] - E[b]|| + ||E[a^2] - E[b^2]||", strict,
        "the value differs from sum over j = 1..k of ||mean(a^j) - mean(b^j)||_2")


def check_md_total(fn, strict: bool = False) -> bool:
    """``fn(reps) -> scalar``: MD_total, the mean of MD over the pairs of domains (a list of (n_i, d))."""
    g = torch.Generator().manual_seed(7)
    reps = [torch.randn(12 + 3 * i, 4, generator=g, dtype=torch.float64) * (1 + i) + i for i in range(4)]
    got, err = _call(fn, [r.clone() for r in reps])
    if err:
        return _verdict(False, f"your MD_total {err}", strict)
    pairs = list(itertools.combinations(range(4), 2))
    pooled = torch.cat(reps)
    return _first(fn, got.reshape(()), {
        "MD_total: the mean over the 6 pairs of domains": moment_distance_total(reps, 2),
        "moments pooled across domains: you compare each domain with the pooled data; MD_total compares "
        "every pair of domains with each other": sum(moment_distance(r, pooled, 2) for r in reps) / 4,
        "the sum over pairs: MD_total divides by the number of pairs, C(n, 2)":
            sum(moment_distance(reps[i], reps[j], 2) for i, j in pairs),
        "you count every pair twice and the pairs (i, i): take i < j only":
            sum(moment_distance(reps[i], reps[j], 2) for i in range(4) for j in range(4)) / 16,
    }, "MD_total: the mean over the 6 pairs of domains", strict,
        "the value differs from the mean over pairs i < j of MD(D_i, D_j)")


# -- Lab 4: soft pseudo labels (EASUM's L_DS, Eq. 13) ----------------------------------------------

def _logit_pair(seed=8, b=6, c=5):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, c, generator=g) * 1.5, torch.randn(b, c, generator=g) * 2.0


def check_soft_kl(fn, strict: bool = False) -> bool:
    """``fn(aux_logits, teacher_logits) -> scalar``: KL(teacher || student), batch mean,
    with the teacher detached (no gradient may reach it)."""
    aux, teacher = _logit_pair()
    aux.requires_grad_(True)
    teacher.requires_grad_(True)
    try:
        out = fn(aux, teacher)
    except Exception as e:  # noqa: BLE001
        return _verdict(False, f"your KL raised {type(e).__name__}: {e}", strict)
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        return _verdict(False, "the loss must be one torch number (a 0-dim tensor) so that it can be back-propagated",
                        strict)
    got = out.detach().double()
    log_p, log_q = F.log_softmax(aux.detach(), -1), F.log_softmax(teacher.detach(), -1)
    right = soft_label_kl(aux.detach(), teacher.detach())
    if not _close(got, right):
        wrong = {
            "the KL points the wrong way: EASUM's is KL(teacher || student) = sum q log(q / p) with q the "
            "teacher's softmax (nn.KLDivLoss(log_softmax(student), softmax(teacher)))":
                (log_p.exp() * (log_p - log_q)).sum(-1).mean(),
            "you sum over the batch: take the batch mean (reduction='batchmean')":
                (log_q.exp() * (log_q - log_p)).sum(),
            "you average over every element (reduction='mean'): KL sums over the classes and averages over "
            "the batch ('batchmean')": (log_q.exp() * (log_q - log_p)).mean(),
            "you compare logits, not distributions: soften both with (log_)softmax first":
                F.kl_div(aux.detach(), teacher.detach(), reduction="batchmean"),
        }
        for message, value in wrong.items():
            if _close(got, value):
                return _verdict(False, message, strict)
        return _verdict(False, "the value differs from KL(softmax(teacher) || softmax(aux)), batch mean", strict)
    # the gradients of the loss with respect to both inputs (a check, not a training step)
    g_aux, g_teacher = torch.autograd.grad(out, [aux, teacher], allow_unused=True)
    if g_teacher is not None and g_teacher.abs().sum() > 0:
        return _verdict(False, "the teacher receives gradients: detach its logits (teacher_logits.detach()); "
                               "the DG model is frozen and only the student learns", strict)
    if g_aux is None or g_aux.abs().sum() == 0:
        return _verdict(False, "no gradient reaches the student's logits: do not detach aux_logits", strict)
    return _verdict(True, "KL(teacher || student), batch mean, teacher detached", strict)


def check_hard_ce(fn, strict: bool = False) -> bool:
    """``fn(aux_logits, teacher_logits) -> scalar``: cross-entropy to the teacher's argmax."""
    aux, teacher = _logit_pair(9)
    got, err = _call(fn, aux, teacher)
    if err:
        return _verdict(False, f"your hard-label loss {err}", strict)
    return _first(fn, got.reshape(()), {
        "cross-entropy to the teacher's argmax": hard_label_ce(aux, teacher),
        "the teacher's argmax is the target and the student's logits the input, not the reverse":
            F.cross_entropy(teacher, aux.argmax(-1)),
    }, "cross-entropy to the teacher's argmax", strict,
        "the value differs from cross_entropy(aux_logits, teacher_logits.argmax(-1))")


def check_ds_loss(fn, strict: bool = False) -> bool:
    """``fn(task_loss, aux_loss, eta) -> scalar``: L_DS = L_task + eta L_aux (EASUM Eq. 13)."""
    got, err = _call(fn, torch.tensor(0.9), torch.tensor(0.25), 0.5)
    if err:
        return _verdict(False, f"your L_DS {err}", strict)
    if _close(got.reshape(()), torch.tensor(0.9 + 0.5 * 0.25)):
        return _verdict(True, "L_DS = L_task + eta L_KL", strict)
    if _close(got.reshape(()), torch.tensor(0.5 * 0.9 + 0.25)):
        return _verdict(False, "eta weighs the auxiliary (pseudo-label) term, not the main task", strict)
    return _verdict(False, "L_DS = L_task + eta * L_aux", strict)

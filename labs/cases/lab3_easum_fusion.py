"""Lab 3's graded functions: inputs, the kit's values, the classic mistakes (EASUM Sec. 3.3:
MAG, Eq. 2-6, and moment matching, Eq. 8-9); and the submissions the tests build from the
source notebook. The MAG values come from the kit's MAG loaded with the same weights."""

import torch
import torch.nn.functional as F

from affectkit.easum.losses import moment_distance, moment_distance_total
from affectkit.teach.labs.easum_student import mag_from, mag_weights
from affectkit.teach.labs.grader import encode

D, D_A, D_V = 6, 3, 4     # text, acoustic, visual dims: all different, so a transposed weight fails loudly


def case(args, expect, also=(), inputs=None):
    return {"args": encode(list(args)), "expect": encode(expect), "inputs": inputs,
            "also": [{"message": m, "value": encode(v), "ok": ok} for m, v, ok in also]}


def wrong(message, value):
    return (message, value, False)


def tokens(seed, b=2, t=5):
    """text (b, t, D) whose tokens range from short to long (so that lambda is capped for some,
    not for others), acoustic (b, t, D_A), visual (b, t, D_V); float64."""
    g = torch.Generator().manual_seed(seed)
    scale = torch.linspace(0.05, 2.0, t, dtype=torch.float64).view(1, t, 1)
    text = torch.randn(b, t, D, generator=g, dtype=torch.float64) * scale
    return text, torch.randn(b, t, D_A, generator=g, dtype=torch.float64), \
        torch.randn(b, t, D_V, generator=g, dtype=torch.float64)


def weights(seed, gamma=1.0):
    return mag_weights(D, D_A, D_V, gamma=gamma, seed=seed, dtype=torch.float64)


def _pieces(text, a, v, w):
    with torch.no_grad():
        return mag_from(w).displacement(text, a, v)


# -- MAG --------------------------------------------------------------------------------------

def gate():
    cases = []
    for seed, (nonverbal, key) in ((1, (D_A, "a")), (2, (D_V, "v"))):
        text, a, v = tokens(seed)
        w = weights(seed)
        x = a if key == "a" else v
        weight, bias = w[f"W_g{key}"], w[f"b_{key}"]
        want = _pieces(text, a, v, w)[f"g_{key}"]
        pre = torch.cat([x, text], -1) @ weight.T
        cases.append(case((x, text, weight, bias), want, [
            wrong("the gate uses a ReLU, g = ReLU(W [nonverbal; text] + b) (as MAG-BERT's code and the kit): "
                  "not a sigmoid", torch.sigmoid(pre + bias)),
            wrong("the concatenation order: nonverbal first, [a_t; X_t], as the kit and MAG-BERT's code (EASUM "
                  "prints [X_t; a_t]: the same function with W_ga's columns in the other order)",
                  F.relu(torch.cat([text, x], -1) @ weight.T + bias)),
            wrong("the bias sits inside the ReLU here, ReLU(W [a_t; X_t] + b_a), as MAG-BERT's code (an nn.Linear); "
                  "EASUM prints ReLU(W [X_t; a_t]) + b_a, one of the departures listed above", F.relu(pre) + bias),
            wrong("the bias is missing: g = ReLU(W [nonverbal; text] + b)", F.relu(pre)),
            wrong("the ReLU is missing: g = ReLU(W [nonverbal; text] + b), never negative", pre + bias),
        ], inputs=f"nonverbal (2, 5, {nonverbal}), text (2, 5, {D}), weight ({D}, {nonverbal + D}), bias ({D},)"))
    return {"what": "one modality's gate of MAG (EASUM Eq. 3-4 as the kit writes them)", "cases": cases,
            "right": "ReLU(W [nonverbal; text] + b), every token at once",
            "otherwise": "the values differ from ReLU(cat([nonverbal, text], -1) @ weight.T + bias)"}


def displacement():
    cases = []
    for seed in (3, 4):
        text, a, v = tokens(seed)
        w = weights(seed)
        p = _pieces(text, a, v, w)
        pa, pv = a @ w["W_a"].T, v @ w["W_v"].T
        cases.append(case((text, a, v, w), p["R"], [
            wrong("the gates are missing: R = g_a * (W_a a) + g_v * (W_v v), each projection weighted by its gate",
                  pa + pv),
            wrong("the gates are swapped: the acoustic gate g_a weighs the acoustic shift W_a a, g_v the visual one",
                  p["g_v"] * pa + p["g_a"] * pv),
            wrong("only the acoustic shift: R adds the visual one, g_v * (W_v v)", p["g_a"] * pa),
            wrong("R is the sum of the two gated shifts, not their mean", (p["g_a"] * pa + p["g_v"] * pv) / 2),
        ], inputs=f"text (2, 5, {D}), acoustic (2, 5, {D_A}), visual (2, 5, {D_V}), the weights w"))
    return {"what": "MAG's displacement R (EASUM Eq. 2 without its bias b)",
            "helpers": {"gate": "affectkit.teach.labs.easum_student:gate"}, "cases": cases,
            "right": "R = g_a * (W_a a) + g_v * (W_v v), per token",
            "otherwise": "the values differ from g_a * (acoustic @ W_a.T) + g_v * (visual @ W_v.T), "
                         "g = gate(nonverbal, text, W_g, b) (computed with a right gate)"}


def shift_scale():
    cases = []
    for seed, gamma in ((5, 0.5), (6, 2.0), (7, 1.0)):
        text, a, v = tokens(seed)
        w = weights(seed, gamma)
        R = _pieces(text, a, v, w)["R"]
        eps = w["eps"]
        nt, nr = text.norm(dim=-1), R.norm(dim=-1)
        ratio = nt / (nr + eps)
        lam = torch.clamp(ratio * gamma, max=1.0)
        also = [
            wrong("lambda is not capped: lambda = min(||X_t|| / ||R_t|| * gamma, 1), never above 1",
                  ratio * gamma),
            wrong("the cap is a minimum: min(..., 1) keeps lambda at most 1, clamp(min=1) makes it at least 1",
                  torch.clamp(ratio * gamma, min=1.0)),
            wrong("the ratio is upside down: lambda = min(||X_t|| / ||R_t|| * gamma, 1), the text's norm on top",
                  torch.clamp(nr / nt * gamma, max=1.0)),
            wrong("you square the norms: ||.||_2 is the Euclidean length of each token's vector, not its square",
                  torch.clamp(nt ** 2 / nr ** 2 * gamma, max=1.0)),
        ]
        if gamma != 1.0:
            also += [
                wrong("gamma goes inside the min: min(||X_t|| / ||R_t|| * gamma, 1), so lambda stays at most 1",
                      torch.clamp(ratio, max=1.0) * gamma),
                wrong(f"gamma is missing (these inputs have gamma = {gamma}): "
                      "lambda = min(||X_t|| / ||R_t|| * gamma, 1)", torch.clamp(ratio, max=1.0)),
            ]
        cases.append(case((text, R, gamma, eps), lam, also,
                          inputs=f"text (2, 5, {D}), shift (2, 5, {D}), gamma {gamma}, eps {eps}"))
    return {"what": "MAG's lambda (EASUM Eq. 6, per token)", "cases": cases,
            "right": "lambda = min(||X_t|| / (||R_t|| + eps) * gamma, 1), one number per token",
            "otherwise": "the values differ from min(||X_t||_2 / (||R_t||_2 + eps) * gamma, 1), the norms over the "
                         "feature axis (one lambda per token: shape (batch, T))"}


def mag_fuse():
    cases = []
    for seed, gamma in ((8, 1.0), (9, 0.5)):
        text, a, v = tokens(seed)
        w = weights(seed, gamma)
        with torch.no_grad():
            want = mag_from(w)(text, a, v)
        p = _pieces(text, a, v, w)
        shifted = text + p["lambda"].unsqueeze(-1) * p["R"]

        def ln(x, affine=True, w=w):
            return F.layer_norm(x, (D,), w["ln_weight"] if affine else None, w["ln_bias"] if affine else None)

        cases.append(case((text, a, v, w), want, [
            wrong("no LayerNorm: that is EASUM's printed Eq. 5, X_t + lambda R; the kit's MAG (as MAG-BERT's code) "
                  "returns LayerNorm(X_t + lambda R) with w's ln_weight and ln_bias", shifted),
            wrong("the LayerNorm lacks its weight and bias: F.layer_norm(x, (d,), w['ln_weight'], w['ln_bias'])",
                  ln(shifted, affine=False)),
            wrong("the displacement is not scaled by lambda: LayerNorm(X_t + lambda R)", ln(text + p["R"])),
            wrong("the LayerNorm comes after the sum: LayerNorm(X_t + lambda R), not LayerNorm(X_t) + lambda R",
                  ln(text) + p["lambda"].unsqueeze(-1) * p["R"]),
            wrong("the shift is missing: MAG returns LayerNorm(X_t + lambda R)", ln(text)),
        ], inputs=f"text (2, 5, {D}), acoustic (2, 5, {D_A}), visual (2, 5, {D_V}), the weights w (gamma {gamma})"))
    return {"what": "MAG's fused tokens (the kit's MAG, eval mode)",
            "helpers": {"gate": "affectkit.teach.labs.easum_student:gate",
                        "displacement": "affectkit.teach.labs.easum_student:displacement",
                        "shift_scale": "affectkit.teach.labs.easum_student:shift_scale"},
            "cases": cases, "right": "LayerNorm(X_t + lambda R): the kit's MAG with the same weights",
            "otherwise": "the values differ from LayerNorm(X_t + lambda_t R_t) with w's ln_weight and ln_bias "
                         "(computed with a right displacement and shift_scale)"}


# -- moment matching ----------------------------------------------------------------------------

def _domains(seed, sizes, d=4):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, d, generator=g, dtype=torch.float64) * (1 + 0.5 * i) + 0.7 * i
            for i, n in enumerate(sizes)]


def moment_distance_():
    cases = []
    for seed, k in ((10, 2), (11, 3), (12, 1)):
        a, b = _domains(seed, (20, 30))
        moments = [(a.pow(j).mean(0) - b.pow(j).mean(0)) for j in range(1, k + 1)]
        also = [
            wrong("you square the norms: MD sums plain L2 norms, ||E[a^r] - E[b^r]||_2",
                  sum(m.pow(2).sum() for m in moments)),
            wrong("E[.] is a mean over the samples: a sum grows with the number of samples (these domains have 20 "
                  "and 30)", sum((a.pow(j).sum(0) - b.pow(j).sum(0)).norm() for j in range(1, k + 1))),
        ]
        if k > 1:
            also += [
                wrong("MD adds one norm per moment, sum over r of ||E[a^r] - E[b^r]||: not one norm of all moments "
                      "stacked", torch.cat(moments).norm()),
                wrong("the r-th moment is the raw moment E[a^r] (element-wise power), not a central moment such as "
                      "the variance", (a.mean(0) - b.mean(0)).norm() + sum(
                          ((a - a.mean(0)).pow(j).mean(0) - (b - b.mean(0)).pow(j).mean(0)).norm()
                          for j in range(2, k + 1))),
                wrong("only the first moment: MD sums the moments r = 1..k (EASUM's K = 2 adds E[a^2])",
                      moments[0].norm()),
                wrong(f"only the k-th moment: MD sums every moment r = 1..k (here k = {k})", moments[-1].norm()),
            ]
        if k != 2:
            also.append(wrong(f"k is not 2 here (k = {k}): sum the moments r = 1..k, whatever k is given",
                              moment_distance(a, b, 2)))
        cases.append(case((a, b, k), moment_distance(a, b, k), also, inputs=f"a (20, 4), b (30, 4), k = {k}"))
    return {"what": "the moment distance MD of EASUM Eq. 8", "cases": cases,
            "right": "MD = sum over r = 1..k of ||E[a^r] - E[b^r]||_2",
            "otherwise": "the value differs from the sum over r = 1..k of ||mean(a^r, over samples) - "
                         "mean(b^r)||_2"}


def md_total():
    cases = []
    for seed, sizes in ((13, (12, 15, 18, 21)), (14, (10, 8, 14, 9, 11)), (15, (16, 6))):
        reps = _domains(seed, sizes)
        n = len(reps)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        pooled = torch.cat(reps)
        md = {(i, j): moment_distance(reps[i], reps[j], 2) for i in range(n) for j in range(n)}
        also = [
            wrong("moments pooled across domains: you compare each domain with all the data pooled; MD_total "
                  "compares every pair of domains with each other", sum(moment_distance(r, pooled, 2) for r in reps) / n),
            wrong("you count every pair twice and the pairs (i, i): take i < j only, C(n, 2) pairs",
                  sum(md.values()) / n ** 2),
        ]
        if n > 2:
            also += [
                wrong(f"the sum over pairs: MD_total divides by the number of pairs, C(n, 2) (here {len(pairs)})",
                      sum(md[p] for p in pairs)),
                wrong("only neighbouring domains (i, i + 1): MD_total averages over every pair i < j",
                      sum(md[(i, i + 1)] for i in range(n - 1)) / (n - 1)),
            ]
        if n > 3:
            also.append(wrong(f"you divide by the number of domains ({n}): MD_total divides by the number of pairs, "
                              f"C(n, 2) = {len(pairs)}", sum(md[p] for p in pairs) / n))
        cases.append(case((reps,), moment_distance_total(reps, 2), also,
                          inputs=f"{n} domains of {', '.join(map(str, sizes))} samples, dim 4"))
    return {"what": "MD_total of EASUM Eq. 9", "helpers": {"moment_distance": "affectkit.easum.losses:moment_distance"},
            "cases": cases, "right": "MD_total: the mean of MD over the pairs of domains i < j",
            "otherwise": "the value differs from the mean over pairs i < j of moment_distance(reps[i], reps[j]) "
                         "(computed with a right moment_distance)"}


def functions() -> dict:
    return {"gate": gate(), "displacement": displacement(), "shift_scale": shift_scale(), "mag_fuse": mag_fuse(),
            "moment_distance": moment_distance_(), "md_total": md_total()}


# -- the submissions make test-labs builds from the source notebook (tests/tools/test_labs.py) -----

# a whole cell per function that hands the work to affectkit: each must score 0
SHORTCUTS = {
    "gate": "from affectkit.teach.labs import easum_student\n\ndef gate(nonverbal, text, weight, bias):\n"
            "    return easum_student.gate(nonverbal, text, weight, bias)",
    "displacement": "from affectkit.teach.labs.easum_student import mag_from\n\n"
                    "def displacement(text, acoustic, visual, w):\n"
                    "    return mag_from(w).displacement(text, acoustic, visual)['R']",
    "shift_scale": "import affectkit.teach.labs.easum_student as es\n\nshift_scale = es.shift_scale",
    "mag_fuse": "from affectkit.easum import MAG\n\ndef mag_fuse(text, acoustic, visual, w):\n"
                "    d, d_a = w['W_a'].shape\n"
                "    mag = MAG(d, d_a, w['W_v'].shape[1], gamma=w['gamma'], dropout=0.0).to(text.dtype).eval()\n"
                "    with torch.no_grad():\n"
                "        for (name, p), key in zip(mag.named_parameters(),\n"
                "                                  ['W_ga', 'b_a', 'W_gv', 'b_v', 'W_a', 'W_v', 'ln_weight', 'ln_bias']):\n"
                "            p.copy_(w[key])\n"
                "    return mag(text, acoustic, visual)",
    "moment_distance": "def moment_distance(a, b, k=2):\n    from affectkit.easum import moment_distance as md\n"
                       "    return md(a, b, k)",
    "md_total": "import affectkit.easum\n\ndef md_total(reps):\n"
                "    return affectkit.easum.moment_distance_total(reps)",
}

# a whole cell per function with one classic mistake: each costs that function's points only
WRONG = {
    "gate": "def gate(nonverbal, text, weight, bias):\n"
            "    return torch.sigmoid(torch.cat([nonverbal, text], -1) @ weight.T + bias)",
    "displacement": "def displacement(text, acoustic, visual, w):\n"
                    "    return acoustic @ w['W_a'].T + visual @ w['W_v'].T",
    "shift_scale": "def shift_scale(text, shift, gamma, eps):\n"
                   "    return text.norm(dim=-1) / (shift.norm(dim=-1) + eps) * gamma",
    "mag_fuse": "def mag_fuse(text, acoustic, visual, w):\n"
                "    shift = displacement(text, acoustic, visual, w)\n"
                "    return text + shift_scale(text, shift, w['gamma'], w['eps']).unsqueeze(-1) * shift",
    "moment_distance": "def moment_distance(a, b, k=2):\n"
                       "    return sum((a.pow(j).mean(0) - b.pow(j).mean(0)).pow(2).sum() for j in range(1, k + 1))",
    "md_total": "def md_total(reps):\n    pooled = torch.cat(reps)\n"
                "    return sum(moment_distance(r, pooled) for r in reps) / len(reps)",
}

# the mistake the shipped submission of bo makes, and a word its feedback must hold
BO = ("md_total", "pooled")

"""Lab 1's graded functions: inputs, the kit's values, the classic mistakes (CMDM Eq. 3-4);
and the submissions the tests build from the source notebook."""

import torch

from affectkit.cmdm import bandwidth, gaussian_kernel, mmd, paired_discrepancy
from affectkit.cmdm.losses import sq_distances
from affectkit.teach.labs.grader import encode


def samples(seed: int, m: int = 7, n: int = 9, d: int = 3, shift: float = 0.7, scale: float = 1.3):
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(m, d, generator=g, dtype=torch.float64)
    return p, torch.randn(n, d, generator=g, dtype=torch.float64) * scale + shift


def case(args, expect, also=(), inputs=None):
    return {"args": encode(list(args)), "expect": encode(expect), "inputs": inputs,
            "also": [{"message": m, "value": encode(v), "ok": ok} for m, v, ok in also]}


def wrong(message, value):
    return (message, value, False)


def kernel():
    cases = []
    for seed, (n, m, d), sigma in ((1, (4, 5, 3), 0.8), (11, (6, 2, 5), 2.5)):
        x, y = samples(seed, n, m, d)
        d2 = sq_distances(x, y)
        cases.append(case((x, y, sigma), gaussian_kernel(x, y, sigma), [
            wrong("the exponent lacks the 2 of 2 sigma^2: Eq. 4 divides the squared distance by 2 sigma^2",
                  torch.exp(-d2 / sigma ** 2)),
            wrong("you use the distance, not its square: Eq. 4 has ||x - y||^2", torch.exp(-d2.sqrt() / (2 * sigma ** 2))),
            wrong("the exponent divides by 2 sigma, not 2 sigma^2", torch.exp(-d2 / (2 * sigma))),
            wrong("the sign of the exponent: k = exp(-||x - y||^2 / (2 sigma^2)) is at most 1",
                  torch.exp(d2 / (2 * sigma ** 2))),
        ], inputs=f"x ({n}, {d}), y ({m}, {d}), sigma {sigma}"))
    return {"what": "the Gaussian kernel of Eq. 4", "cases": cases,
            "right": "the Gaussian kernel of Eq. 4, every pair of rows at once",
            "otherwise": "the values differ from exp(-||x_i - y_j||^2 / (2 sigma^2)) for every pair (i, j)"}


def _biased(p, q, s):
    return gaussian_kernel(p, p, s).mean() + gaussian_kernel(q, q, s).mean() - 2 * gaussian_kernel(p, q, s).mean()


def _mmd_mistakes(p, q, s):
    m, n = len(p), len(q)
    kpp, kqq, kpq = gaussian_kernel(p, p, s), gaussian_kernel(q, q, s), gaussian_kernel(p, q, s)
    off = lambda k: k.sum() - k.diagonal().sum()  # noqa: E731
    return [
        wrong("your MMD includes the i == j terms: it is biased, see Eq. 3 (the within sums skip i == j and "
              "divide by m(m - 1))", _biased(p, q, s)),
        wrong("you skip i == j but still divide by m^2: the within sums of Eq. 3 divide by m(m - 1)",
              off(kpp) / m ** 2 + off(kqq) / n ** 2 - 2 * kpq.mean()),
        wrong("the cross term lacks its factor 2: Eq. 3 subtracts 2/(mn) times the sum of k(p_i, q_j)",
              off(kpp) / (m * (m - 1)) + off(kqq) / (n * (n - 1)) - kpq.mean()),
        wrong("you return the square root: Eq. 3 is MMD^2 itself", mmd(p, q, s).clamp_min(0).sqrt()),
    ]


def mmd_():
    cases = []
    for seed, (m, n), s in ((2, (7, 9), 1.1), (12, (5, 5), 0.6), (13, (12, 3), 2.0)):
        p, q = samples(seed, m, n)
        cases.append(case((p, q, s), mmd(p, q, s), _mmd_mistakes(p, q, s), inputs=f"p ({m}, 3), q ({n}, 3), sigma {s}"))
    return {"what": "the unbiased MMD^2 of Eq. 3",
            "helpers": {"gaussian_kernel": "affectkit.teach.labs.fixtures:lab_gaussian_kernel"},
            "cases": cases, "right": "the unbiased MMD of Eq. 3",
            "otherwise": "the value differs from the unbiased MMD^2 of Eq. 3 (computed with a right gaussian_kernel)"}


def median_bandwidth():
    cases = []
    for seed, (m, n) in ((3, (7, 9)), (14, (4, 4)), (15, (6, 5))):
        p, q = samples(seed, m, n)
        pooled = torch.cat([p, q])
        d2 = sq_distances(pooled, pooled)
        upper = d2[torch.ones_like(d2, dtype=torch.bool).triu(1)]
        lower_middle = upper.sort().values[(len(upper) - 1) // 2]
        also = [
            ("right, with the lower of the two middle values (torch.median); numpy's median, which the kit uses, "
             "averages the two middle values: both are accepted", (lower_middle / 2).sqrt(), True),
            wrong("your median counts the zero distances of each point to itself (the diagonal): take the pairs i < j",
                  (torch.quantile(d2.flatten(), 0.5) / 2).sqrt()),
            wrong("you take the median of p alone: pool p and q, so that all three kernel blocks share one sigma",
                  bandwidth(p, p)),
            wrong("sigma is sqrt(median(d^2) / 2): you forgot the square root", torch.quantile(upper, 0.5) / 2),
            wrong("sigma is sqrt(median(d^2) / 2): you forgot the / 2", torch.quantile(upper, 0.5).sqrt()),
            wrong("the median of the distances, not of the squared distances: sigma = sqrt(median(d^2) / 2)",
                  torch.quantile(upper.sqrt(), 0.5) / 2 ** 0.5),
        ]
        cases.append(case((p, q), bandwidth(p, q), also, inputs=f"p ({m}, 3), q ({n}, 3)"))
    return {"what": "the median bandwidth of the pooled sample", "cases": cases,
            "right": "the median bandwidth of the pooled sample",
            "otherwise": "the value differs from sqrt(median over pairs i < j of ||x_i - x_j||^2 / 2) of cat(p, q)"}


def _unbiased_blocks(p, q, s_pp, s_qq, s_pq):
    m, n = len(p), len(q)
    kpp, kqq = gaussian_kernel(p, p, s_pp), gaussian_kernel(q, q, s_qq)
    return ((kpp.sum() - kpp.diagonal().sum()) / (m * (m - 1)) + (kqq.sum() - kqq.diagonal().sum()) / (n * (n - 1))
            - 2 * gaussian_kernel(p, q, s_pq).mean())


def mmd_median():
    cases = []
    for seed in (4, 16):
        p, q = samples(seed, shift=0.0, scale=3.0)   # a wider cloud: per-block bandwidths hide exactly this
        s = bandwidth(p, q)
        cases.append(case((p, q), mmd(p, q, "median"), [
            wrong("per-block bandwidths: each block takes its own median sigma, so a wider cloud looks like a narrow "
                  "one; take ONE sigma of the pooled sample for k(p, p), k(q, q) and k(p, q)",
                  _unbiased_blocks(p, q, bandwidth(p, p), bandwidth(q, q), s)),
            wrong("sigma = 1, not the median bandwidth: call median_bandwidth(p, q)", mmd(p, q, 1.0)),
        ], inputs="p (7, 3), q (9, 3), q three times wider"))
    return {"what": "Eq. 3 with one median bandwidth for the three kernel blocks",
            "helpers": {"median_bandwidth": "affectkit.cmdm:bandwidth", "mmd": "affectkit.teach.labs.fixtures:lab_mmd",
                        "gaussian_kernel": "affectkit.teach.labs.fixtures:lab_gaussian_kernel"},
            "cases": cases, "right": "one median bandwidth shared by the three kernel blocks",
            "otherwise": "the value differs from mmd(p, q, median_bandwidth(p, q))"}


def paired():
    cases = []
    for seed, n, s in ((5, 8, 0.9), (17, 3, 1.7)):
        p, q = samples(seed, n, n)
        k = gaussian_kernel(p, q, s)
        cases.append(case((p, q, s), paired_discrepancy(p, q, s), [
            wrong("you average k(p_i, q_i) itself: the squared RKHS distance of a pair is 2 - 2 k(p_i, q_i)",
                  k.diagonal().mean()),
            wrong("you compare every p_i with every q_j: pairs are the same utterance, row i with row i",
                  (2 - 2 * k).mean()),
            wrong("you use Eq. 3 (a set statistic): the paired form compares row i of p with row i of q only",
                  mmd(p, q, s)),
            wrong("you sum over the pairs: the paired discrepancy is their mean", (2 - 2 * k.diagonal()).sum()),
        ], inputs=f"p ({n}, 3), q ({n}, 3), sigma {s}"))
    return {"what": "the paired discrepancy", "helpers": {"gaussian_kernel": "affectkit.teach.labs.fixtures:lab_gaussian_kernel"},
            "cases": cases, "right": "the mean squared RKHS distance of the pairs",
            "otherwise": "the value differs from mean_i of (2 - 2 k(p_i, q_i))"}


def derangement():
    return {"what": "a random permutation without fixed points", "properties": ["derangement"],
            "right": "a random permutation without fixed points", "otherwise": "not a derangement"}


def functions() -> dict:
    return {"gaussian_kernel": kernel(), "mmd": mmd_(), "median_bandwidth": median_bandwidth(),
            "mmd_median": mmd_median(), "paired_discrepancy": paired(), "derangement": derangement()}


# -- the submissions make test-labs builds from the source notebook (tests/tools/test_labs.py) -----

# a whole cell per function that hands the work to affectkit: each must score 0
SHORTCUTS = {
    "gaussian_kernel": "import affectkit.cmdm\n\ndef gaussian_kernel(x, y, sigma):\n"
                       "    return affectkit.cmdm.gaussian_kernel(x, y, sigma)",
    "mmd": "def mmd(p, q, sigma):\n    from affectkit.cmdm import mmd as kit_mmd\n    return kit_mmd(p, q, sigma)",
    "median_bandwidth": "from affectkit.cmdm.losses import bandwidth\n\n"
                            "def median_bandwidth(p, q):\n    return bandwidth(p, q)",
    "mmd_median": "import affectkit\n\ndef mmd_median(p, q):\n    return affectkit.cmdm.mmd(p, q, 'median')",
    "paired_discrepancy": "from affectkit import cmdm\n\npaired_discrepancy = cmdm.paired_discrepancy",
    "derangement": "import importlib\n\ndef derangement(n, generator):\n"
                       "    return importlib.import_module('affectkit.cmdm.losses').derangement(n, generator)",
}

# a whole cell per function with one classic mistake: each costs that function's points only
WRONG = {
    "gaussian_kernel": "def gaussian_kernel(x, y, sigma):\n"
                       "    return torch.exp(-torch.cdist(x, y) ** 2 / sigma ** 2)",
    "mmd": "def mmd(p, q, sigma):\n    return (gaussian_kernel(p, p, sigma).mean() + gaussian_kernel(q, q, sigma).mean()\n"
               "            - 2 * gaussian_kernel(p, q, sigma).mean())",
    "median_bandwidth": "def median_bandwidth(p, q):\n    x = torch.cat([p, q])\n"
                            "    return (torch.cdist(x, x).pow(2).flatten().quantile(0.5) / 2).sqrt()",
    "mmd_median": "def mmd_median(p, q):\n    return mmd(p, q, 1.0)",
    "paired_discrepancy": "def paired_discrepancy(p, q, sigma):\n"
                              "    return gaussian_kernel(p, q, sigma).diagonal().mean()",
    "derangement": "def derangement(n, generator):\n    return torch.randperm(n, generator=generator)",
}

# the mistake the shipped submission of bo makes, and a word its feedback must hold
BO = ("mmd", "biased")

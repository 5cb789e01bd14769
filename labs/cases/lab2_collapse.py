"""Lab 2's graded functions: inputs, the kit's values, the classic mistakes (CMDM Eq. 6-9 and the
latent spread of notebook 03); and the submissions the tests build from the source notebook."""

import numpy as np
import torch

from affectkit.cmdm import matching_terms, paired_discrepancy
from affectkit.metrics import latent_spread as kit_spread
from affectkit.teach.labs.fixtures import rolled_derangement
from affectkit.teach.labs.grader import encode

D = paired_discrepancy


def case(args, expect, also=(), inputs=None, otherwise=None):
    out = {"args": encode(list(args)), "expect": encode(expect), "inputs": inputs,
           "also": [{"message": m, "value": encode(v), "ok": ok} for m, v, ok in also]}
    if otherwise:
        out["otherwise"] = otherwise
    return out


def wrong(message, value):
    return (message, value, False)


def latents(seed: int, order="AVL", n: int = 6, d: int = 3, noise: float = 0.6) -> dict:
    """Paired latents: each modality is one base point per utterance plus its own noise."""
    g = torch.Generator().manual_seed(seed)
    base = torch.randn(n, d, generator=g, dtype=torch.float64)
    made = {m: base + noise * torch.randn(n, d, generator=g, dtype=torch.float64) for m in "AVL" if m in order}
    return {m: made[m] for m in order}


def _others(z):
    return [m for m in z if m != "A"]


def _describe(z, sigma):
    return f"latents {{{', '.join(repr(m) for m in z)}}} of shape {tuple(z['A'].shape)}, sigma {sigma}"


# -- L_pair (Eq. 6) ---------------------------------------------------------------------------

def pair():
    cases = []
    for seed, order, sigma in ((1, "AVL", 0.9), (2, "VAL", 1.4), (3, "AL", 0.7)):
        z = latents(seed, order)
        want = matching_terms(z, sigma, "paired", anchor="A")[0]
        names = list(z)
        every_pair = sum(D(z[a], z[b], sigma) for i, a in enumerate(names) for b in names[i + 1:])
        also = [
            wrong("you average over the modalities: Eq. 6 sums D(z_A, z_m) over the other modalities m",
                  want / len(_others(z))),
            wrong("sigma is not passed on: call paired_discrepancy(z_A, z_m, sigma) with the sigma you are given",
                  sum(D(z["A"], z[m], 1.0) for m in _others(z))),
        ]
        if len(z) > 2:
            also.append(wrong("you also match the other modalities with each other (V with L): Eq. 6 matches the "
                              "anchor A with each other modality only, L_pair = D(z_A, z_V) + D(z_A, z_L)", every_pair))
        if names[0] != "A":
            first = sum(D(z[names[0]], z[m], sigma) for m in names[1:])
            also.append(wrong("your anchor is the first modality of the dict: the anchor is the acoustic latents, "
                              "latents[\"A\"], wherever they sit in the dict", first))
        cases.append(case((z, sigma), want, also, inputs=_describe(z, sigma)))
    return {"what": "L_pair of Eq. 6 in the paired form", "helpers": {"paired_discrepancy": "affectkit.cmdm:paired_discrepancy"},
            "cases": cases, "right": "L_pair = sum over the other modalities m of D(z_A, z_m) (Eq. 6)",
            "otherwise": "the value differs from the sum over m != A of paired_discrepancy(z_A, z_m, sigma)"}


# -- L_unpair (Eq. 7) -------------------------------------------------------------------------

def _unpair_values(z, sigma, seed):
    """(right, mistakes) with the grader's derangement (:func:`rolled_derangement`)."""
    n, others = len(z["A"]), _others(z)
    perm = rolled_derangement(n, torch.Generator().manual_seed(seed))
    want = -sum(D(z["A"], z[m][perm], sigma) for m in others)
    g = torch.Generator().manual_seed(seed)
    per_modality = -sum(D(z["A"], z[m][rolled_derangement(n, g)], sigma) for m in others)
    also = [
        wrong("the sign: L_unpair carries a minus sign (Eq. 7, L_unpair = -(D(z_A, z~_V) + D(z_A, z~_L))), so that "
              "lowering the loss pushes the shuffled pairs apart", -want),
        wrong("you do not shuffle: without the derangement L_unpair is just -L_pair and the two cancel; shuffle each "
              "other modality, z_m[perm] with perm = derangement(n, generator)",
              -sum(D(z["A"], z[m], sigma) for m in others)),
        wrong("you shuffle the anchor (or use the inverse permutation): keep z_A in place and pair it with "
              "z_m[perm], the other modality shuffled by perm, as the training does",
              -sum(D(z["A"][perm], z[m], sigma) for m in others)),
        wrong("you average over the modalities: Eq. 7 sums over the other modalities m", want / len(others)),
    ]
    names = list(z)
    if names[0] != "A":
        also.append(wrong("your anchor is the first modality of the dict: the anchor is the acoustic latents, "
                          "latents[\"A\"], wherever they sit in the dict",
                          -sum(D(z[names[0]], z[m][perm], sigma) for m in names[1:])))
    if len(others) > 1:
        also.append(wrong("you draw one derangement per modality: draw ONE, perm = derangement(n, generator), and "
                          "shuffle every other modality with it (one draw per batch, as the training does)",
                          per_modality))
        assert not torch.allclose(per_modality, want), "pick a seed whose two draws differ"
    return want, also


def unpaired():
    cases = []
    for seed, order, sigma in ((4, "AVL", 1.1), (5, "VAL", 0.8), (6, "AL", 1.6)):
        z = latents(seed, order, n=7)
        want, also = _unpair_values(z, sigma, 100 + seed)
        one = case((z, sigma), want, also, inputs=_describe(z, sigma))
        one["args"]["list"].append({"generator": 100 + seed})   # decoded as a seeded torch.Generator
        cases.append(one)
    return {"what": "L_unpair of Eq. 7, one derangement shared by the modalities",
            "helpers": {"paired_discrepancy": "affectkit.cmdm:paired_discrepancy",
                        "derangement": "affectkit.teach.labs.fixtures:rolled_derangement"},
            "cases": cases, "right": "L_unpair = -(sum over m != A of D(z_A, z_m[perm])), one derangement (Eq. 7)",
            "otherwise": "the value differs from -(sum over m != A of paired_discrepancy(z_A, z_m[perm], sigma)) "
                         "with ONE perm = derangement(n, generator), drawn with the generator you are given"}


# -- L_s (Eq. 6-7) and L_semi (Eq. 9) ---------------------------------------------------------

SWITCHES = ("reconstruction", "matching", "unpaired")


def objective():
    t = {"cls": torch.tensor(1.3, dtype=torch.float64), "rec": torch.tensor(0.6, dtype=torch.float64),
         "pair": torch.tensor(0.25, dtype=torch.float64), "unpair": torch.tensor(-0.4, dtype=torch.float64)}
    cases = []
    for (alpha, beta), switches in (((0.2, 0.1), (True, True, True)), ((0.5, 0.3), (True, True, True)),
                                    ((0.2, 0.1), (False, True, False)), ((0.2, 0.1), (True, False, False)),
                                    ((0.2, 0.1), (False, False, False)), ((0.2, 0.1), (False, True, True)),
                                    ((0.2, 0.1), (True, True, False))):
        rec, pair_on, unpair_on = switches
        want = (t["cls"] + (alpha * t["rec"] if rec else 0) + beta * ((t["pair"] if pair_on else 0)
                                                                          + (t["unpair"] if unpair_on else 0)))
        also = []
        if all(switches):
            also = [
                wrong("you subtract L_unpair, but it already carries its minus sign (Eq. 7: L_unpair = -(D ...)): "
                      "add it, L_s = L_cls + alpha L_rec + beta (L_pair + L_unpair)",
                      t["cls"] + alpha * t["rec"] + beta * (t["pair"] - t["unpair"])),
                wrong("beta weighs L_pair + L_unpair together (Eq. 7): your L_unpair lacks its beta",
                      t["cls"] + alpha * t["rec"] + beta * t["pair"] + t["unpair"]),
                wrong("the terms are not weighted: L_s = L_cls + alpha L_rec + beta (L_pair + L_unpair)",
                      t["cls"] + t["rec"] + t["pair"] + t["unpair"]),
                wrong("alpha and beta are swapped: alpha weighs L_rec, beta the matching terms (Eq. 6-7)",
                      t["cls"] + beta * t["rec"] + alpha * (t["pair"] + t["unpair"])),
                wrong("L_cls is weighted too: only L_rec (alpha) and the matching terms (beta) carry a weight",
                      alpha * t["cls"] + alpha * t["rec"] + beta * (t["pair"] + t["unpair"])),
            ]
        said = ", ".join(f"{k}={v}" for k, v in zip(SWITCHES, switches))
        cases.append(case((t, alpha, beta, *switches), want, also, inputs=f"the terms {{cls 1.3, rec 0.6, pair 0.25, "
                          f"unpair -0.4}}, alpha {alpha}, beta {beta}, {said}",
                          otherwise=f"with {said} (alpha {alpha}, beta {beta}) L_s should be {float(want):.4f}: a "
                                    "switch turns its own term off and leaves the others as they are"))
    return {"what": "L_s of Eq. 6-7 with the three switches", "cases": cases,
            "right": "L_s = L_cls + alpha L_rec + beta (L_pair + L_unpair), each switch turning its own term off",
            "otherwise": "L_s = L_cls + alpha L_rec + beta (L_pair + L_unpair), without the switched-off terms"}


def semi():
    cases = []
    for ls, lu, omega in ((1.7, 0.4, 0.3), (0.9, 2.5, 0.05)):
        a, b = torch.tensor(ls, dtype=torch.float64), torch.tensor(lu, dtype=torch.float64)
        cases.append(case((a, b, omega), a + omega * b, [
            wrong("omega weighs the unsupervised part L_u, not L_s (Eq. 9)", omega * a + b),
            wrong("omega weighs L_u only: L_semi = L_s + omega L_u (Eq. 9), not omega (L_s + L_u)", omega * (a + b)),
            wrong("L_u lacks its weight omega: L_semi = L_s + omega L_u (Eq. 9)", a + b),
        ], inputs=f"L_s {ls}, L_u {lu}, omega {omega}"))
    return {"what": "L_semi of Eq. 9", "cases": cases, "right": "L_semi = L_s + omega L_u (Eq. 9)",
            "otherwise": "L_semi = L_s + omega * L_u (Eq. 9)"}


# -- the latent spread ------------------------------------------------------------------------

def spread():
    cases = []
    for seed, (n, d), offset in ((7, (6, 3), 4.0), (8, (10, 5), -2.5)):
        z = np.random.default_rng(seed).normal(size=(n, d)) * np.linspace(0.5, 2.0, d) + offset
        c = z - z.mean(0)
        sq = (c ** 2).sum(1)
        cases.append(case((z,), kit_spread(z), [
            wrong("you measure the distance to the origin, not to the centroid: subtract z.mean(0) first",
                  float(np.sqrt((z ** 2).sum(1).mean()))),
            wrong("you average over the dimensions too: sum the squares over the d dimensions (||z_i - z_bar||^2), "
                  "then average over the n latents", float(np.sqrt((c ** 2).mean()))),
            wrong("you return the mean squared distance: the spread is its square root (a root-mean-square distance)",
                  float(sq.mean())),
            wrong("you average the distances: the spread is the root of the mean SQUARED distance, "
                  "sqrt(mean_i ||z_i - z_bar||^2)", float(np.sqrt(sq).mean())),
            wrong("you divide by n - 1: the spread averages over the n latents (divide by n)",
                  float(np.sqrt(sq.sum() / (n - 1)))),
            wrong("you average the per-dimension standard deviations: the spread is sqrt of the SUM of the "
                  "per-dimension variances", float(z.std(0).mean())),
        ], inputs=f"z of shape ({n}, {d})"))
    return {"what": "the latent spread", "cases": cases, "right": "the root-mean-square distance to the centroid",
            "otherwise": "the value differs from sqrt(mean over i of ||z_i - z_bar||^2), z_bar the centroid (mean row)"}


def functions() -> dict:
    return {"pair_term": pair(), "unpaired_term": unpaired(), "supervised_objective": objective(),
            "semi_objective": semi(), "latent_spread": spread()}


# -- the submissions make test-labs builds from the source notebook (tests/tools/test_labs.py) -----

# a whole cell per function that hands the work to affectkit: each must score 0
SHORTCUTS = {
    "pair_term": "from affectkit.cmdm import matching_terms\n\ndef pair_term(latents, sigma):\n"
                 "    return matching_terms(latents, sigma)[0]",
    "unpaired_term": "import affectkit.cmdm.losses as kit\n\ndef unpaired_term(latents, sigma, generator):\n"
                     "    return kit.matching_terms(latents, sigma, generator=generator)[1]",
    # the kit's own objective, fed the given terms
    "supervised_objective": '''from unittest import mock
import affectkit.cmdm.objectives as kit

def supervised_objective(terms, alpha, beta, reconstruction=True, matching=True, unpaired=True):
    loss = kit.CMDMLoss(alpha=alpha, beta=beta, reconstruction=reconstruction, matching=matching, unpaired=unpaired)
    out = {"logits": torch.zeros(2, 2), "latents": {"A": None, "V": None}}
    with mock.patch.object(kit, "reconstruction", lambda *a: terms["rec"]), \\
            mock.patch.object(kit, "matching_terms", lambda *a, **k: (terms["pair"], terms["unpair"])), \\
            mock.patch.object(kit.F, "cross_entropy", lambda *a: terms["cls"]):
        return loss.supervised_terms(out, None)["total"]''',
    "semi_objective": "from affectkit.cmdm import CMDMLoss\n\ndef semi_objective(ls, lu, omega):\n"
                      "    return ls + CMDMLoss(omega=omega).omega * lu",
    "latent_spread": "from affectkit.metrics import latent_spread",
}

# a whole cell per function with one classic mistake: each costs that function's points only
WRONG = {
    "pair_term": "def pair_term(latents, sigma):\n    names = list(latents)\n"
                 "    return sum(paired_discrepancy(latents[a], latents[b], sigma)\n"
                 "               for i, a in enumerate(names) for b in names[i + 1:])",
    "unpaired_term": "def unpaired_term(latents, sigma, generator):\n"
                     "    perm = derangement(len(latents['A']), generator)\n"
                     "    return sum(paired_discrepancy(latents['A'], z[perm], sigma) for m, z in latents.items() if m != 'A')",
    "supervised_objective": "def supervised_objective(terms, alpha, beta, reconstruction=True, matching=True, unpaired=True):\n"
                            "    total = terms['cls'] + (alpha * terms['rec'] if reconstruction else 0)\n"
                            "    total = total + (beta * terms['pair'] if matching else 0)\n"
                            "    return total + (terms['unpair'] if unpaired else 0)",
    "semi_objective": "def semi_objective(ls, lu, omega):\n    return omega * ls + lu",
    "latent_spread": "def latent_spread(z):\n    return float(np.sqrt((np.asarray(z) ** 2).sum(1).mean()))",
}

# the mistake the shipped submission of bo makes, and a word its feedback must hold
BO = ("supervised_objective", "minus sign")

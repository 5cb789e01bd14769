"""Lab 4's graded functions: inputs, the kit's values, the classic mistakes (EASUM Sec. 3.4: the
soft pseudo labels, L_DS of Eq. 13, and reading a sweep over seeds); and the submissions the tests
build from the source notebook."""

import pandas as pd
import torch
import torch.nn.functional as F

from affectkit.easum.experiments import paired_gain as kit_paired_gain
from affectkit.easum.losses import ds_loss, hard_label_ce, soft_label_kl
from affectkit.teach.labs.grader import encode


def case(args, expect, also=(), inputs=None, kwargs=None):
    out = {"args": encode(list(args)), "expect": encode(expect), "inputs": inputs,
           "also": [{"message": m, "value": encode(v), "ok": ok} for m, v, ok in also]}
    if kwargs:
        out["kwargs"] = encode(kwargs)
    return out


def wrong(message, value):
    return (message, value, False)


def logits(seed, b=6, c=5, scale=(1.5, 2.0)):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(b, c, generator=g, dtype=torch.float64) * scale[0],
            torch.randn(b, c, generator=g, dtype=torch.float64) * scale[1])


TEACHER_GRADIENTS = {
    "flows": [0], "blocked": [1],
    "blocked_message": "the teacher receives gradients: detach its logits (teacher_logits.detach()); the DG model "
                       "is frozen, its soft labels are targets, and only the student learns",
    "flows_message": "no gradient reaches the student's logits: do not detach aux_logits (it is what learns)",
}


def soft_kl():
    cases = []
    for seed, (b, c) in ((1, (6, 5)), (2, (4, 9))):
        aux, teacher = logits(seed, b, c)
        log_p, log_q = F.log_softmax(aux, -1), F.log_softmax(teacher, -1)
        p, q = log_p.exp(), log_q.exp()
        cases.append(case((aux, teacher), soft_label_kl(aux, teacher), [
            wrong("the KL points the wrong way: EASUM's is KL(teacher || student) = sum q log(q / p), q the teacher's "
                  "softmax: F.kl_div(log_softmax(student), softmax(teacher))", (p * (log_p - log_q)).sum(-1).mean()),
            wrong("you sum over the batch: take the batch mean (reduction='batchmean')", (q * (log_q - log_p)).sum()),
            wrong("you average over every element (reduction='mean', F.kl_div's default): KL sums over the classes "
                  "and averages over the batch, reduction='batchmean'", (q * (log_q - log_p)).mean()),
            wrong("F.kl_div expects the student's log-probabilities (log_softmax), not its probabilities",
                  F.kl_div(p, q, reduction="batchmean")),
            wrong("that is the cross-entropy to the soft labels, H(q, p) = KL(q || p) + H(q): the same gradient for the "
                  "student but another value; EASUM's loss is the KL itself", F.cross_entropy(aux, q)),
        ], inputs=f"aux_logits ({b}, {c}), teacher_logits ({b}, {c})"))
    return {"what": "KL(teacher || student), batch mean, the teacher detached", "cases": cases,
            "properties": ["gradients"], "gradients": TEACHER_GRADIENTS,
            "right": "KL(teacher || student), batch mean, teacher detached",
            "otherwise": "the value differs from the batch mean of KL(softmax(teacher) || softmax(aux)) (a nan: "
                         "F.kl_div got logits or log-probabilities as its target; give it softmax(teacher), or say "
                         "log_target=True)"}


def hard_ce():
    cases = []
    for seed, (b, c) in ((3, (6, 5)), (4, (5, 3))):
        aux, teacher = logits(seed, b, c)
        target = teacher.argmax(-1)
        cases.append(case((aux, teacher), hard_label_ce(aux, teacher), [
            wrong("the teacher's argmax is the target and the student's logits the input, not the reverse",
                  F.cross_entropy(teacher, aux.argmax(-1))),
            wrong("the target is the teacher's argmax, not the student's own", F.cross_entropy(aux, aux.argmax(-1))),
            wrong("F.nll_loss expects log-probabilities: use F.cross_entropy on the logits (or nll_loss on log_softmax)",
                  F.nll_loss(aux, target)),
            wrong("you sum over the batch: cross-entropy averages over it", F.cross_entropy(aux, target, reduction="sum")),
        ], inputs=f"aux_logits ({b}, {c}), teacher_logits ({b}, {c})"))
    return {"what": "cross-entropy to the teacher's argmax (hard pseudo labels)", "cases": cases,
            "properties": ["gradients"], "gradients": TEACHER_GRADIENTS,
            "right": "cross-entropy to the teacher's most likely class",
            "otherwise": "the value differs from F.cross_entropy(aux_logits, teacher_logits.argmax(-1))"}


def _sentiment(seed, b=6):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, generator=g, dtype=torch.float64) * 1.5, \
        (torch.rand(b, generator=g, dtype=torch.float64) * 6 - 3)


def _emotion(seed, b=6, c=4):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, c, generator=g, dtype=torch.float64) * 2, torch.randint(0, c, (b,), generator=g)


def task_loss():
    main, target = _sentiment(5)
    sentiment = case((main, target, "sentiment"), F.mse_loss(main, target), [
        wrong("the L1 loss (the MAE) is how sentiment is scored; EASUM trains it with the MSE", F.l1_loss(main, target)),
        wrong("you take the square root (RMSE): the loss is the mean squared error", F.mse_loss(main, target).sqrt()),
        wrong("you sum over the batch: the MSE averages over it", F.mse_loss(main, target, reduction="sum")),
    ], inputs="main (6,) intensities, target (6,) in [-3, 3], task 'sentiment'")
    main, target = _emotion(6)
    emotion = case((main, target, "emotion"), F.cross_entropy(main, target), [
        wrong("F.nll_loss expects log-probabilities: the emotion loss is F.cross_entropy on the logits",
              F.nll_loss(main, target)),
        wrong("the emotion loss is the cross-entropy of the logits, not the MSE to a one-hot target",
              F.mse_loss(main.softmax(-1), F.one_hot(target, main.shape[1]).to(main.dtype))),
        wrong("you sum over the batch: cross-entropy averages over it", F.cross_entropy(main, target, reduction="sum")),
    ], inputs="main (6, 4) logits, target (6,) classes, task 'emotion'")
    return {"what": "L_task: MSE for sentiment, cross-entropy for emotion", "cases": [sentiment, emotion],
            "right": "MSE of the intensity (sentiment), cross-entropy of the classes (emotion)",
            "otherwise": "the value differs from F.mse_loss(main, target) (sentiment) or F.cross_entropy(main, "
                         "target) (emotion)"}


def _ds_case(seed, task, eta, pseudo, teacher=True):
    main, target = _sentiment(seed) if task == "sentiment" else _emotion(seed)
    n_aux = 9 if task == "sentiment" else 3      # the other task's head: EASUM-9 emotions, or 3 polarities
    aux, teacher_logits = logits(seed + 100, len(target), n_aux)
    g = torch.Generator().manual_seed(seed + 200)
    out = {"main": main, "aux": aux, "rep": torch.randn(len(target), 4, generator=g, dtype=torch.float64)}
    t = teacher_logits if teacher else None
    right = ds_loss(out, target, t, task, eta, pseudo)
    m, a = right["main"], right["aux"]
    also = []
    if teacher:
        other = hard_label_ce(aux, teacher_logits) if pseudo == "soft" else soft_label_kl(aux, teacher_logits)
        if eta != 1:
            also += [
                wrong("eta weighs the auxiliary (pseudo-label) term, not the main task: L_DS = L_task + eta L_aux",
                      {"main": m, "aux": a, "total": eta * m + a}),
                wrong("'aux' is the pseudo-label loss itself; eta weighs it in 'total' only (the training logs aux "
                      "unweighted)", {"main": m, "aux": eta * a, "total": m + eta * a}),
                wrong("the total lacks eta: L_DS = L_task + eta L_aux", {"main": m, "aux": a, "total": m + a}),
            ]
        also += [
            wrong(f"pseudo = {pseudo!r}: the {'soft labels (soft_kl)' if pseudo == 'soft' else 'hard labels (hard_ce)'} "
                  f"give the auxiliary term here", {"main": m, "aux": other, "total": m + eta * other}),
        ]
    inputs = (f"task {task!r}, eta {eta}, pseudo {pseudo!r}, "
              + ("teacher logits " + f"({len(target)}, {n_aux})" if teacher else "teacher_logits None"))
    return case((out, target, t, task, eta, pseudo), right, also, inputs=inputs)


def ds_terms():
    return {"what": "the DS step's terms, L_DS = L_task + eta L_aux (EASUM Eq. 13)",
            "helpers": {"soft_kl": "affectkit.easum.losses:soft_label_kl",
                        "hard_ce": "affectkit.easum.losses:hard_label_ce",
                        "task_loss": "affectkit.teach.labs.easum_student:task_loss"},
            "cases": [_ds_case(7, "sentiment", 0.5, "soft"), _ds_case(8, "emotion", 2.0, "hard"),
                      _ds_case(9, "sentiment", 0.5, "soft", teacher=False), _ds_case(10, "emotion", 1.0, "soft")],
            "right": "main, aux and total = main + eta * aux, as the DS step trains with them",
            "otherwise": "the values differ from {'main': task_loss(out['main'], target, task), 'aux': soft_kl or "
                         "hard_ce of out['aux'] and the teacher (0 without a teacher), 'total': main + eta * aux}"}


# -- reading a sweep: seed-paired gains ------------------------------------------------------------

def _kit_gains(scores, lower_is_better):
    task, metric = ("sentiment", "mae") if lower_is_better else ("emotion", "weighted_f1")
    rows = [{"domain": "d", "task": task, "seed": s, "setting": j, metric: float(scores[s, j])}
            for s in range(scores.shape[0]) for j in range(scores.shape[1])]
    runs = pd.DataFrame(rows)
    table = [kit_paired_gain(runs, a=j, b=0, column="setting").iloc[0] for j in range(scores.shape[1])]
    return {k: torch.tensor([float(t[k]) for t in table], dtype=torch.float64)
            for k in ("mean", "std", "worst", "better_on")}


def _gains(gain):
    return {"mean": gain.mean(0), "std": gain.std(0, unbiased=False), "worst": gain.min(0).values,
            "better_on": (gain > 0).sum(0).to(torch.float64)}


def paired_gain():
    cases = []
    for seed, (n_seeds, n_set), lower in ((11, (3, 4), True), (12, (5, 3), False), (13, (2, 3), True)):
        g = torch.Generator().manual_seed(seed)
        base = torch.rand(n_seeds, 1, generator=g, dtype=torch.float64) * 0.4 + (0.8 if lower else 0.4)
        scores = (base + torch.randn(n_seeds, n_set, generator=g, dtype=torch.float64) * 0.05).round(decimals=4)
        scores[:, 0] = base[:, 0].round(decimals=4)
        gain = scores[:, :1] - scores if lower else scores - scores[:, :1]
        right = _kit_gains(scores, lower)
        flipped = _gains(-gain)
        unpaired = {**right, "std": (scores[:, :1].std(0, unbiased=False) ** 2
                                     + scores.std(0, unbiased=False) ** 2).sqrt()}
        also = [
            ("right, with the sample standard deviation (ddof = 1); the kit reports the population one (ddof = 0): "
             "both are accepted", {**right, "std": gain.std(0, unbiased=True)}, True),
            wrong("the sign: a gain is positive when the setting beats the baseline (column 0); for "
                  + ("the MAE lower is better, so gain = baseline - score" if lower else
                     "weighted F1 higher is better (lower_is_better=False), so gain = score - baseline"), flipped),
            wrong("an unpaired spread: the std of the per-seed gains (score minus the baseline of the SAME seed) is "
                  "what shows the seed noise a comparison carries, not the two settings' spreads combined", unpaired),
            wrong("better_on counts the seeds with a gain > 0: a tie (the baseline against itself) is not a win",
                  {**right, "better_on": (gain >= 0).sum(0).to(torch.float64)}),
            wrong("worst is the smallest per-seed gain (the seed where the setting did worst), not the largest",
                  {**right, "worst": gain.max(0).values}),
        ]
        kwargs = None if lower else {"lower_is_better": False}
        cases.append(case((scores,), right, also, kwargs=kwargs,
                          inputs=f"scores ({n_seeds} seeds, {n_set} settings), lower_is_better={lower}"))
    return {"what": "seed-paired gains over the baseline (column 0)", "cases": cases,
            "right": "seed-paired gains: mean, std (ddof 0), worst, better_on per setting",
            "otherwise": "the values differ from gain = scores[:, :1] - scores (lower is better; scores - scores[:, :1] "
                         "otherwise) and its mean, std (ddof 0), min over seeds and the count of gains > 0, per column"}


def functions() -> dict:
    return {"soft_kl": soft_kl(), "hard_ce": hard_ce(), "task_loss": task_loss(), "ds_terms": ds_terms(),
            "paired_gain": paired_gain()}


# -- the submissions make test-labs builds from the source notebook (tests/tools/test_labs.py) -----

# a whole cell per function that hands the work to affectkit: each must score 0
SHORTCUTS = {
    "soft_kl": "from affectkit.easum import soft_label_kl\n\ndef soft_kl(aux_logits, teacher_logits):\n"
               "    return soft_label_kl(aux_logits, teacher_logits)",
    "hard_ce": "import affectkit.easum.losses as L\n\ndef hard_ce(aux_logits, teacher_logits):\n"
               "    return L.hard_label_ce(aux_logits, teacher_logits)",
    "task_loss": "from affectkit.easum import ds_loss\n\ndef task_loss(main, target, task):\n"
                 "    return ds_loss({'main': main}, target, None, task)['main']",
    "ds_terms": "def ds_terms(out, target, teacher_logits, task, eta, pseudo):\n"
                "    from affectkit.easum.losses import ds_loss\n"
                "    return ds_loss(out, target, teacher_logits, task, eta, pseudo)",
    "paired_gain": "import pandas as pd\nfrom affectkit.easum.experiments import paired_gain as pg\n\n"
                   "def paired_gain(scores, lower_is_better=True):\n"
                   "    task, metric = ('sentiment', 'mae') if lower_is_better else ('emotion', 'weighted_f1')\n"
                   "    runs = pd.DataFrame([{'domain': 'd', 'task': task, 'seed': s, 'setting': j,\n"
                   "                          metric: float(scores[s, j])}\n"
                   "                         for s in range(scores.shape[0]) for j in range(scores.shape[1])])\n"
                   "    rows = [pg(runs, a=j, b=0, column='setting').iloc[0] for j in range(scores.shape[1])]\n"
                   "    return {k: torch.tensor([float(r[k]) for r in rows]) for k in ('mean', 'std', 'worst', "
                   "'better_on')}",
}

# a whole cell per function with one classic mistake: each costs that function's points only
WRONG = {
    "soft_kl": "def soft_kl(aux_logits, teacher_logits):\n"
               "    return F.kl_div(F.log_softmax(teacher_logits.detach(), -1), F.softmax(aux_logits, -1),\n"
               "                    reduction='batchmean')",
    "hard_ce": "def hard_ce(aux_logits, teacher_logits):\n"
               "    return F.cross_entropy(teacher_logits, aux_logits.argmax(-1))",
    "task_loss": "def task_loss(main, target, task):\n"
                 "    return F.l1_loss(main, target) if task == 'sentiment' else F.cross_entropy(main, target)",
    "ds_terms": "def ds_terms(out, target, teacher_logits, task, eta, pseudo):\n"
                "    main = task_loss(out['main'], target, task)\n"
                "    if teacher_logits is None:\n"
                "        return {'main': main, 'aux': main.new_zeros(()), 'total': main}\n"
                "    aux = soft_kl(out['aux'], teacher_logits) if pseudo == 'soft' else hard_ce(out['aux'], teacher_logits)\n"
                "    return {'main': main, 'aux': aux, 'total': eta * main + aux}",
    "paired_gain": "def paired_gain(scores, lower_is_better=True):\n"
                   "    gain = scores - scores[:, :1]\n"
                   "    return {'mean': gain.mean(0), 'std': gain.std(0, unbiased=False), 'worst': gain.min(0).values,\n"
                   "            'better_on': (gain > 0).sum(0)}",
}

# the mistake the shipped submission of bo makes, and a word its feedback must hold
BO = ("soft_kl", "detach")

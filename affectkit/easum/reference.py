"""The EASUM paper's own numbers (Hwang & Kim), for comparison with what the
kit measures. Nothing here is computed; every value is quoted from the paper
with its section or table.

**Equation numbers are the kit's.** The paper prints 13 display equations and
numbers none of them. The kit numbers them once, here (:data:`EQUATIONS`), in
the order the paper prints them; every "EASUM Eq. N" in the library, the
notebooks, the labs and the README means this table (``tests/test_references.py``
holds them to it). Its sections: 3.3 is the first phase (balancing and
augmentation, the label space, MAG, ConvBERT, moment matching, L_DG), 3.4 the
second (DeBERTa, soft pseudo labels, L_DS), 4.4 the implementation details
(4.3 is the evaluation metrics).
"""

from __future__ import annotations

# The kit's numbering of EASUM's display equations, in the order the paper prints
# them: number -> (section, what it is, the equation as printed). Where the kit
# departs from the printed form, the module that implements it says so beside it.
EQUATIONS = {
    1: ("3.3", "feature augmentation (acoustic, visual)",
        "X^_i^m = alpha (.) X_i^m + beta,  alpha ~ N(1, I),  beta ~ N(1, I)"),
    2: ("3.3", "MAG: the displacement R", "R_i = g_a(W_a X^_i^a) + g_v(W_v X^_i^v) + b"),
    3: ("3.3", "MAG: the acoustic gate g_a", "g_a = ReLU(W_ga [X^_i^t; X^_i^a]) + b_a"),
    4: ("3.3", "MAG: the visual gate g_v", "g_v = ReLU(W_gv [X^_i^t; X^_i^v]) + b_v"),
    5: ("3.3", "MAG: the fused representation F", "F_i = X^_i^t + lambda R_i"),
    6: ("3.3", "MAG: the shift bound lambda", "lambda = min(||X^_i^t||_2 / ||R_i||_2 * gamma, 1)"),
    7: ("3.3", "the DG representation (ConvBERT)", "M_i = ConvBERT(F_i; theta_ConvBERT)"),
    8: ("3.3", "the moment distance MD", "MD(D_i, D_j) = sum_{k=1..2} ||E(M_i^k) - E(M_j^k)||_2"),
    9: ("3.3", "MD_total, the mean over pairs of domains", "MD_total = C(n, 2)^-1 sum_{i<j} MD(D_i, D_j)"),
    10: ("3.3", "the task heads (sentiment s, emotion e)", "y^_t = W_t M_i + b_t,  t in {s, e}"),
    11: ("3.3", "the DG objective L_DG", "L_DG = sum_i L_D_i(y^_t, y_t) + omega MD_total"),
    12: ("3.4", "the DS representation (DeBERTa)", "M = DeBERTa(F; theta_DeBERTa)"),
    13: ("3.4", "the DS objective L_DS", "L_DS(y^_m, y_m, y^_a, y_a*) = L_task(y^_m, y_m) + eta L_KLdiv(y^_a, y_a*)"),
}

# Sec. 4.4: batch 48, AdamW; learning rates; gamma (MAG, Eq. 6), omega (MD_total in
# L_DG, Eq. 11) and eta (the pseudo-label term of L_DS, Eq. 13) per corpus
HYPERPARAMETERS = {"batch_size": 48, "lr": 1e-5, "lr_iemocap": 3.5e-5, "gamma": 1.0}
PAPER_OMEGA = 0.1
PAPER_ETA = {"mosi": 0.5, "mosei": 0.5, "iemocap": 0.1, "meld": 1.0}

# Table 5: DS models without and with soft pseudo labels (SPL); F1 / Acc2 / w-F1 / Acc
# in %, MAE and Corr as printed. The "Corr" arrow is printed as lower-is-better in the
# paper's header, but its Improv. row counts a higher Corr as a gain.
TABLE5 = {
    "mosi": {"w/o SPL": {"f1": 86.17, "acc2": 86.13, "mae": 0.763, "corr": 0.807},
             "w/ SPL": {"f1": 87.18, "acc2": 87.20, "mae": 0.663, "corr": 0.828}},
    "mosei": {"w/o SPL": {"f1": 86.50, "acc2": 86.50, "mae": 0.544, "corr": 0.787},
              "w/ SPL": {"f1": 87.30, "acc2": 87.40, "mae": 0.520, "corr": 0.791}},
    "meld": {"w/o SPL": {"weighted_f1": 65.32, "acc": 66.32}, "w/ SPL": {"weighted_f1": 65.93, "acc": 66.70}},
    "iemocap": {"w/o SPL": {"weighted_f1": 69.10, "acc": 69.87}, "w/ SPL": {"weighted_f1": 69.75, "acc": 70.10}},
}

# Table 4: modalities on CMU-MOSI (T text, A acoustic, V visual)
TABLE4_MOSI = {"T": {"f1": 86.00, "acc2": 85.98, "mae": 0.789, "corr": 0.772},
               "TA": {"f1": 85.95, "acc2": 85.97, "mae": 0.746, "corr": 0.793},
               "TV": {"f1": 86.44, "acc2": 86.43, "mae": 0.741, "corr": 0.797},
               "TAV": {"f1": 87.18, "acc2": 87.20, "mae": 0.663, "corr": 0.828}}

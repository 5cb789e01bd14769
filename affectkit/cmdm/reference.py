"""The CMDM paper's own numbers (Liang, Li, Jin, ACM MM 2020), for comparison
with what the kit measures. Nothing here is computed; every value is quoted
from the paper, with its table.
"""

from __future__ import annotations

import pandas as pd

# Sec. 4.2, "Hyper-parameters": Adam, lr 1e-3, batch 128; alpha (reconstruction),
# beta (MMD), omega (the unsupervised part Lu)
HYPERPARAMETERS = {"alpha": 0.2, "beta": 0.1, "omega": 0.3, "lr": 1e-3, "batch_size": 128}

# Sec. 4.2: a classifier trained on IEMOCAP labels about 80% of the AMI pool neutral or happy
AMI_NEUTRAL_HAPPY_SHARE = 0.80

# Table 4: the proposed model ("Ours"), fully supervised, speaker-independent IEMOCAP
TABLE4_UA = {"A": 0.585, "V": 0.454, "L": 0.648, "AV": 0.608, "AL": 0.686, "AVL": 0.725}
TABLE4_WAP = {"A": 0.572, "V": 0.525, "L": 0.654, "AV": 0.632, "AL": 0.703, "AVL": 0.730}

# Table 7: A+V+L on IEMOCAP by (setting, reconstruction, mmd) -> (WAP, UA)
TABLE7 = {("fully", False, False): (0.727, 0.715), ("fully", False, True): (0.720, 0.715),
          ("fully", True, False): (0.725, 0.717), ("fully", True, True): (0.730, 0.725),
          ("semi", False, True): (0.729, 0.715), ("semi", True, True): (0.756, 0.745)}
TABLE7_UA = {k: ua for k, (_, ua) in TABLE7.items()}

# Table 6, weighted F1 of text-only ("L") models on MELD (test split).
# context: uses conversation context; speaker: uses speaker identities.
TABLE6_MELD_L = pd.DataFrame([
    ("CMN", 0.545, False, True), ("ICON", 0.546, True, True), ("BC-LSTM", 0.543, True, False),
    ("DialogueRNN", 0.551, True, True), ("ConGCN without context", 0.543, False, True),
    ("ConGCN without speaker", 0.553, True, False), ("ConGCN", 0.574, True, True),
    ("CMDM (Ours-fully)", 0.530, False, False),
], columns=["model", "weighted_f1", "context", "speaker"])
CMDM_MELD_L = 0.530   # the paper's own text-only model in Table 6

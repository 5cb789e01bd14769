"""Invented corpus files in the corpora's own formats, shared by several test modules
(MELD CSV rows, an MMSA split). Never rows of the real corpora."""

import numpy as np

HEADER = "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime"

ROWS = [
    '1,"Well, the kettle’s on again.",Ada,neutral,neutral,0,0,1,1,"00:00:01,000","00:00:02,000"',
    '2,I can’t believe it!,Bo,surprise,positive,0,1,1,1,"00:00:02,500","00:00:03,000"',
    '3,  Leave   me alone. ,Ada,anger,negative,1,0,1,2,"00:01:00,000","00:01:02,000"',
]


def write(path, rows=ROWS, header=HEADER, encoding="utf-8"):
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def mmsa_split(n, rng):
    audio = rng.normal(size=(n, 6, 5)).astype(np.float32)
    audio[0, 0, 0] = -np.inf
    return {"text": rng.normal(size=(n, 4, 8)), "audio": audio, "vision": rng.normal(size=(n, 6, 3)),
            "regression_labels": rng.uniform(-3, 3, size=(n, 1)), "raw_text": [f"words {i}" for i in range(n)],
            "id": [f"clip$_${i}" for i in range(n)], "audio_lengths": np.full(n, 4), "vision_lengths": np.full(n, 6),
            "text_bert": np.stack([np.ones((n, 4)), np.r_[[[1, 1, 1, 0]] * n], np.zeros((n, 4))], 1)}

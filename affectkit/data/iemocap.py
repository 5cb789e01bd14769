"""The IEMOCAP feature pickle of the conversation-emotion literature
(``IEMOCAP_features.pkl`` of DialogueRNN, declare-lab/conv-emotion), the
4-class protocol and leave-one-session-out folds.

The pickle holds a tuple ``videoIDs, videoSpeakers, videoLabels, videoText,
videoAudio, videoVisual, videoSentence, trainVid, testVid``: dicts keyed by
dialogue id ("Ses01F_impro01", ...), one entry per utterance, labels in
IEMOCAP-6 order {hap 0, sad 1, neu 2, ang 3, exc 4, fru 5}. Feature dims
vary by release (text 100; audio 100 or IS10 1582; visual 512 or 342).

:func:`load_iemocap` returns utterance-level arrays; :func:`four_class`
applies CMDM's protocol (excited merged into happy, frustrated dropped;
5531 utterances in the full corpus); :func:`session_folds` gives the five
leave-one-session-out splits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .labels import merge_iemocap4
from .pickles import load_npz, load_pickle

FIELDS = ("videoIDs", "videoSpeakers", "videoLabels", "videoText", "videoAudio", "videoVisual", "videoSentence",
          "trainVid", "testVid")


def _session(dialogue: str) -> int:
    if len(dialogue) < 5 or not dialogue.startswith("Ses") or not dialogue[3:5].isdigit():
        raise ValueError(f"dialogue id {dialogue!r} does not name an IEMOCAP session (Ses01F_...)")
    return int(dialogue[3:5])


def load_iemocap(path, trust_pickle: bool = False) -> dict:
    """Utterance-level arrays: "text", "audio", "visual" (n, d), "label6" (n,),
    "speaker", "dialogue", "sentence" (n,) strings, "session" (n,) 1..5,
    "train" (n,) bool (the file's own train/test split). ``.npz`` files from
    :func:`affectkit.data.pickles.to_npz` of this dict load without pickle; a pickle loads through
    the restricted unpickler unless ``trust_pickle=True`` (see :func:`~affectkit.data.pickles.load_pickle`)."""
    path = Path(path)
    if path.suffix == ".npz":
        return load_npz(path)
    blob = load_pickle(path, encoding="latin1", trust_pickle=trust_pickle)
    if not isinstance(blob, (tuple, list)) or len(blob) < len(FIELDS):
        raise ValueError(f"{path}: expected a tuple of {len(FIELDS)} fields {list(FIELDS)}, "
                         f"found {type(blob).__name__} of length {len(blob) if hasattr(blob, '__len__') else '?'}")
    fields = dict(zip(FIELDS, blob))
    train_ids = set(fields["trainVid"])
    rows = {k: [] for k in ("text", "audio", "visual", "label6", "speaker", "dialogue", "sentence", "session", "train")}
    for vid in sorted(set(train_ids) | set(fields["testVid"])):
        per = {f: fields[f].get(vid) for f in FIELDS[1:7]}
        missing = [f for f, v in per.items() if v is None]
        if missing:
            raise ValueError(f"{path}: dialogue {vid!r} lacks {missing}")
        n = len(per["videoLabels"])
        wrong = {f: len(v) for f, v in per.items() if len(v) != n}
        if wrong:
            raise ValueError(f"{path}: dialogue {vid!r} has {n} labels but {wrong} entries elsewhere")
        rows["text"] += list(per["videoText"])
        rows["audio"] += list(per["videoAudio"])
        rows["visual"] += list(per["videoVisual"])
        rows["label6"] += list(per["videoLabels"])
        rows["speaker"] += [str(s) for s in per["videoSpeakers"]]
        rows["sentence"] += [str(s) for s in per["videoSentence"]]
        rows["dialogue"] += [vid] * n
        rows["session"] += [_session(vid)] * n
        rows["train"] += [vid in train_ids] * n
    out = {k: np.asarray(v) for k, v in rows.items()}
    for k in ("text", "audio", "visual"):
        out[k] = out[k].astype(np.float32)
    out["label6"] = out["label6"].astype(np.int64)
    if ((out["label6"] < 0) | (out["label6"] > 5)).any():
        raise ValueError(f"{path}: labels outside IEMOCAP-6's 0..5")
    return out


def four_class(data: dict) -> dict:
    """CMDM's 4-class protocol: excited -> happy, frustrated dropped; "label"
    holds IEMOCAP-4 indices (neutral, happy, angry, sad)."""
    label4 = merge_iemocap4(data["label6"])
    keep = label4 >= 0
    out = {k: np.asarray(v)[keep] for k, v in data.items()}
    out["label"] = label4[keep]
    return out


def session_folds(sessions) -> list:
    """Leave-one-session-out: [(session, train indices, test indices), ...]."""
    sessions = np.asarray(sessions)
    return [(int(s), np.flatnonzero(sessions != s), np.flatnonzero(sessions == s)) for s in np.unique(sessions)]

"""What context there is in a corpus of conversations (notebook 10, section 1).

MELD rows carry ``dialogue``, ``utterance`` (the turn's position), ``speaker`` and
``emotion``. These functions measure what a dialogue model could use: how long
dialogues are, how many people speak in one, how often a turn's emotion repeats
the previous turn's (against the rate two independent draws from the class shares
would give), and which emotions follow which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    missing = {"dialogue", "utterance", "speaker", "emotion"} - set(frame.columns)
    if missing:
        raise ValueError(f"a conversation table needs the columns dialogue, utterance, speaker and emotion; "
                         f"this one lacks {sorted(missing)}")
    return frame.sort_values(["dialogue", "utterance"], kind="stable").reset_index(drop=True)


def dialogue_sizes(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per dialogue: ``turns`` and ``speakers`` (distinct speakers in it)."""
    g = _ordered(frame).groupby("dialogue")
    return pd.DataFrame({"turns": g.size(), "speakers": g["speaker"].nunique()})


def pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Consecutive turns of the same dialogue: columns ``before``, ``after`` (emotions) and
    ``same_speaker`` (one row per turn that has a previous turn). Turns follow ``utterance``;
    where a corpus skips a number (MELD train has a few dozen such gaps: clips dropped by its
    authors), the previous turn is the one before the gap."""
    f = _ordered(frame)
    prev = f.shift(1)
    keep = (f["dialogue"] == prev["dialogue"]).to_numpy()
    return pd.DataFrame({"before": prev["emotion"][keep].to_numpy(), "after": f["emotion"][keep].to_numpy(),
                         "same_speaker": (f["speaker"] == prev["speaker"])[keep].to_numpy()})


def persistence(frame: pd.DataFrame) -> dict:
    """How often a turn's emotion repeats the previous turn's.

    Returns {"same_as_previous": share of consecutive pairs with one emotion,
    "chance": sum_c p_c^2 over the class shares p_c (two independent turns agreeing),
    "same_speaker": the share among pairs where one person speaks twice,
    "speaker_change": among pairs where the speaker changes, "pairs": how many pairs}.
    """
    turn_pairs = pairs(frame)
    if turn_pairs.empty:
        raise ValueError("no dialogue here has two turns: there is no previous turn to compare with")
    same = turn_pairs["before"] == turn_pairs["after"]
    shares = frame["emotion"].value_counts(normalize=True).to_numpy()

    def rate(rows):
        return float(same[rows].mean()) if rows.any() else float("nan")

    return {"same_as_previous": float(same.mean()), "chance": float((shares ** 2).sum()),
            "same_speaker": rate(turn_pairs["same_speaker"]), "speaker_change": rate(~turn_pairs["same_speaker"]),
            "pairs": int(len(turn_pairs))}


def transitions(frame: pd.DataFrame, classes) -> pd.DataFrame:
    """(k, k) P(next turn's emotion | this turn's): rows ``classes`` (this turn), columns the
    next; a row with no turn after it is NaN."""
    turn_pairs = pairs(frame)
    table = pd.crosstab(pd.Categorical(turn_pairs["before"], categories=list(classes)),
                        pd.Categorical(turn_pairs["after"], categories=list(classes)), dropna=False)
    table = table.reindex(index=list(classes), columns=list(classes), fill_value=0).astype(float)
    totals = table.sum(axis=1).replace(0, np.nan)
    out = table.div(totals, axis=0)
    out.index.name, out.columns.name = "this turn", "next turn"
    return out


def flips(frame: pd.DataFrame, without, with_context) -> pd.DataFrame:
    """Turns whose prediction the context changed: columns ``dialogue``, ``utterance``, ``truth``,
    ``without``, ``with_context`` and ``fixed`` (+1: the context made it right, -1: wrong,
    0: both wrong). ``without`` and ``with_context`` are (n,) class indices in ``frame``'s row
    order; ``frame`` needs ``emotion_id``."""
    without, with_context = np.asarray(without), np.asarray(with_context)
    if len(without) != len(frame) or len(with_context) != len(frame):
        raise ValueError(f"{len(frame)} turns but {len(without)} and {len(with_context)} predictions")
    truth = frame["emotion_id"].to_numpy()
    changed = without != with_context
    fixed = (with_context == truth).astype(int) - (without == truth).astype(int)
    return pd.DataFrame({"dialogue": frame["dialogue"].to_numpy()[changed],
                         "utterance": frame["utterance"].to_numpy()[changed], "truth": truth[changed],
                         "without": without[changed], "with_context": with_context[changed],
                         "fixed": fixed[changed]})


def best_example(changes: pd.DataFrame, frame: pd.DataFrame, max_turns: int = 12):
    """The dialogue (of at most ``max_turns`` turns) where the context fixed the most turns net
    of those it broke, or None when it fixed none."""
    sizes = frame.groupby("dialogue").size()
    net = changes.groupby("dialogue")["fixed"].sum()
    net = net[(net > 0) & (sizes.reindex(net.index) <= max_turns)]
    if net.empty:
        return None
    return int(net.sort_values(ascending=False, kind="stable").index[0])


def conversation(frame: pd.DataFrame, dialogue, predictions: dict, classes) -> pd.DataFrame:
    """One dialogue as a conversation: turn, speaker, text, the true emotion and each model's
    prediction (``predictions``: name -> (n,) class indices in ``frame``'s row order)."""
    rows = np.flatnonzero(frame["dialogue"].to_numpy() == dialogue)
    if not len(rows):
        raise ValueError(f"no dialogue {dialogue!r} in this table")
    rows = rows[np.argsort(frame["utterance"].to_numpy()[rows], kind="stable")]
    out = pd.DataFrame({"turn": frame["utterance"].to_numpy()[rows], "speaker": frame["speaker"].to_numpy()[rows],
                        "text": frame["text"].to_numpy()[rows], "truth": frame["emotion"].to_numpy()[rows]})
    for name, pred in predictions.items():
        out[name] = [classes[int(i)] for i in np.asarray(pred)[rows]]
    return out


def sample_dialogues(frame: pd.DataFrame, n: int | None, seed: int = 0) -> pd.DataFrame:
    """The rows of ``n`` whole dialogues drawn without replacement (all when n is None or larger),
    in the table's order: a dialogue is never cut."""
    dialogues = frame["dialogue"].unique()
    if n is None or n >= len(dialogues):
        return frame.reset_index(drop=True)
    keep = np.random.default_rng(seed).choice(dialogues, size=n, replace=False)
    return frame[frame["dialogue"].isin(keep)].reset_index(drop=True)

"""MELD's own CSV files: text, emotion, sentiment, speaker, dialogue.

The corpus (declare-lab/MELD, GPL-3.0) ships ``train_sent_emo.csv``,
``dev_sent_emo.csv`` and ``test_sent_emo.csv`` with the columns
``Sr No., Utterance, Speaker, Emotion, Sentiment, Dialogue_ID, Utterance_ID,
Season, Episode, StartTime, EndTime``. The kit never ships the corpus: it
reads a directory the user names, else ``$AFFECTKIT_MELD_DIR``, else the
repository's git-ignored ``data/meld/``.

Known quirks, handled here: files saved as cp1252 instead of UTF-8 (bytes that
do not decode), UTF-8 text decoded once as cp1252 ("mojibake": ``â€™`` for
``’``), a byte-order mark, CRLF line ends, stray whitespace.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .labels import MELD7

FILES = {"train": "train_sent_emo.csv", "dev": "dev_sent_emo.csv", "test": "test_sent_emo.csv"}
COLUMNS = {"Utterance": "text", "Speaker": "speaker", "Emotion": "emotion", "Sentiment": "sentiment",
           "Dialogue_ID": "dialogue", "Utterance_ID": "utterance"}
SENTIMENTS = ("neutral", "positive", "negative")  # the index order most code uses
REPO_MELD_DIR = Path(__file__).resolve().parents[2] / "data" / "meld"   # git-ignored


def meld_dir(data_dir=None) -> Path:
    """The MELD directory: ``data_dir``, else ``$AFFECTKIT_MELD_DIR``, else the
    repository's ``data/meld/``. FileNotFoundError if none exists."""
    candidates = [data_dir] if data_dir is not None else [os.environ.get("AFFECTKIT_MELD_DIR"), REPO_MELD_DIR]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    tried = [str(c) for c in candidates if c]
    raise FileNotFoundError(f"no MELD directory found (tried {tried}); download MELD's CSV files "
                            "(declare-lab/MELD, data/MELD/) and pass their directory or set AFFECTKIT_MELD_DIR")


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as cp1252 once (``â€™`` -> ``’``)."""
    if "â" not in text and "Ã" not in text:
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _decode(path: Path, raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else cp1252.
    UTF-16/32 (a BOM, or NUL bytes) is refused by name: MELD ships UTF-8."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4096]:
        raise ValueError(f"{path}: the file is UTF-16 or UTF-32 encoded (NUL bytes / a UTF-16 byte-order "
                         f"mark); MELD's CSVs are UTF-8: save it again as 'CSV UTF-8'")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _table(path: Path, content: str) -> pd.DataFrame:
    """Parse the CSV with the standard ``csv`` module, checking its structure: every
    record has the header's number of fields, and quotes are balanced. Errors name
    the file and the line where the bad record starts."""
    import csv
    from io import StringIO

    if not content.strip():
        raise ValueError(f"{path}: the file is empty")
    reader = csv.reader(StringIO(content, newline=""), strict=True)
    rows, start = [], 1
    try:
        header = [c.strip() for c in next(reader)]
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) != len(header):
                multiline = any("\n" in field or "\r" in field for field in row)
                hint = ("a quote opened here is not closed where it should be" if multiline else
                        "an unquoted comma in a field" if len(row) > len(header) else
                        "a cut (truncated) line")
                raise ValueError(f"{path}, line {start}: {len(row)} fields where the header has "
                                 f"{len(header)} ({hint})")
            if row:
                rows.append(row)
            start = reader.line_num + 1
    except csv.Error as err:
        raise ValueError(f"{path}, line {start}: broken CSV ({err}); is a quote left open?") from None
    return pd.DataFrame(rows, columns=header, dtype=str)


def read_csv(path) -> pd.DataFrame:
    """One MELD CSV -> DataFrame with columns text, speaker, emotion, sentiment,
    dialogue, utterance, emotion_id (MELD-7 index), sentiment_id.

    Raises ValueError naming the file for missing columns or unknown labels, and
    for an empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no MELD CSV at {path}")
    df = _table(path, _decode(path, path.read_bytes()))
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; a MELD CSV has {list(COLUMNS)} among others")
    if df.empty:
        raise ValueError(f"{path}: no rows")
    out = df[list(COLUMNS)].rename(columns=COLUMNS)
    out["text"] = [" ".join(_fix_mojibake(t).split()) for t in out["text"]]
    for col in ("emotion", "sentiment", "speaker"):
        out[col] = out[col].str.strip()
    out["emotion"] = out["emotion"].str.lower()
    out["sentiment"] = out["sentiment"].str.lower()
    unknown = sorted(set(out["emotion"]) - set(MELD7.classes))
    if unknown:
        raise ValueError(f"{path}: unknown emotion labels {unknown}; MELD's are {list(MELD7.classes)}")
    bad_sent = sorted(set(out["sentiment"]) - set(SENTIMENTS))
    if bad_sent:
        raise ValueError(f"{path}: unknown sentiment labels {bad_sent}; MELD's are {list(SENTIMENTS)}")
    for col in ("dialogue", "utterance"):
        values = pd.to_numeric(out[col], errors="coerce")
        if values.isna().any():
            raise ValueError(f"{path}: non-integer {col} ids in rows {list(np.flatnonzero(values.isna())[:5])}")
        out[col] = values.astype(int)
    out["emotion_id"] = MELD7.encode(out["emotion"])
    out["sentiment_id"] = [SENTIMENTS.index(s) for s in out["sentiment"]]
    return out


def load_meld(data_dir=None, splits=("train", "dev", "test")) -> dict:
    """Every MELD split found in the directory: {"train": DataFrame, "dev": ..., ...}.

    Missing splits are left out; a directory with none of MELD's files is an error.
    """
    folder = meld_dir(data_dir)
    unknown = [s for s in splits if s not in FILES]
    if unknown:
        raise ValueError(f"unknown MELD splits {unknown}; choose from {list(FILES)}")
    found = {s: read_csv(folder / FILES[s]) for s in splits if (folder / FILES[s]).exists()}
    if not found:
        raise FileNotFoundError(f"{folder}: none of MELD's files {[FILES[s] for s in splits]}")
    return found

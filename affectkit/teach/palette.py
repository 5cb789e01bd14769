"""One visual language: a fixed colour per emotion, per corpus / domain and per modality.

Separate variables get separate palettes, so that a colour means one thing:

- ``EMOTION``: one colour per emotion, the same in every label space (MELD's
  "joy" is IEMOCAP's "happy", "anger" is "angry", ...): angry is red in every
  notebook;
- ``DOMAIN``: one colour per corpus / domain (MOSI, MOSEI, MELD, IEMOCAP and the
  unlabeled pool), muted tones that cannot be mistaken for an emotion;
- ``MODALITY``: acoustic, visual, lexical, their fusion and the hidden state;
- anything else (models, settings, loss terms, metrics) takes the series colours
  in the order given.

Every plot function in :mod:`affectkit.teach.plots` colours through :func:`colours`,
and ``tests/teach/test_palette.py`` checks that a level keeps its colour whatever
else is drawn beside it.
"""

from __future__ import annotations

import seaborn as sns

EMOTION = {
    "neutral": "#8c8c8c",
    "happy": "#e6a800",
    "angry": "#d62728",
    "sad": "#1f5fbf",
    "excited": "#ff7f0e",
    "frustrated": "#8c564b",
    "fear": "#7b3fa0",
    "disgust": "#2ca02c",
    "surprise": "#e377c2",
}
SYNONYMS = {"joy": "happy", "anger": "angry", "sadness": "sad", "hap": "happy", "ang": "angry",
            "sad": "sad", "neu": "neutral", "exc": "excited", "fru": "frustrated", "fearful": "fear",
            "disgusted": "disgust", "surprised": "surprise"}

DOMAIN = {
    "mosi": "#4c72b0",
    "mosei": "#55a868",
    "meld": "#c44e52",
    "iemocap": "#8172b3",
    "unlabeled": "#937860",
    "pool": "#937860",
    "ami": "#937860",
}

MODALITY = {
    "A": "#009e73",      # acoustic: green-teal
    "V": "#cc79a7",      # visual: pink
    "L": "#0072b2",      # lexical: blue
    "AVL": "#222222",    # fused: near black
    "Z": "#999999",      # the hidden affect state
}
MODALITY_NAMES = {"A": "acoustic", "V": "visual", "L": "lexical", "AVL": "fused", "Z": "state"}
MODALITY_MARKERS = {"A": "o", "V": "^", "L": "s", "AVL": "D", "Z": "x"}

SERIES = "colorblind"

KINDS = {"emotion": EMOTION, "domain": DOMAIN, "modality": MODALITY}
# a column name -> the palette its values take
COLUMN_KINDS = {"emotion": "emotion", "class": "emotion", "true class": "emotion", "label": "emotion",
                "predicted": "emotion", "domain": "domain", "corpus": "domain", "group": "domain",
                "modality": "modality", "modalities": "modality"}


def emotion_key(name: str) -> str:
    """The canonical emotion of a class name ("joy" -> "happy"), or the name itself."""
    key = str(name).strip().lower()
    return SYNONYMS.get(key, key)


def _modality_key(name: str) -> str:
    key = str(name).strip()
    by_word = {v: k for k, v in MODALITY_NAMES.items()}
    return by_word.get(key.lower(), key)


def _key(kind: str, level) -> str:
    if kind == "emotion":
        return emotion_key(level)
    if kind == "modality":
        return _modality_key(level)
    return str(level).strip().lower()


def known(kind: str, levels) -> bool:
    """True when every level has a fixed colour in the ``kind`` palette."""
    table = KINDS.get(kind)
    return table is not None and all(_key(kind, lv) in table for lv in levels)


def colours(levels, kind: str | None = None) -> dict:
    """level -> colour (hex string) for the given levels.

    Args:
        levels: the values drawn (class names, domain names, modality codes, model names).
        kind: "emotion", "domain", "modality" or "series"; default: the first
            fixed palette that knows every level, else "series".
    Returns:
        a dict in the order of ``levels``. In a fixed palette a level has the same
        colour whatever else is drawn; series colours follow the given order.
    """
    levels = list(dict.fromkeys(levels))
    if kind is None:
        kind = next((k for k in KINDS if known(k, levels)), "series")
    if kind == "series":
        return dict(zip(levels, sns.color_palette(SERIES, max(len(levels), 1)).as_hex()))
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS) + ['series']}, got {kind!r}")
    unknown = [lv for lv in levels if _key(kind, lv) not in KINDS[kind]]
    if unknown:
        raise ValueError(f"no fixed {kind} colour for {unknown}; the {kind} palette knows "
                         f"{sorted(KINDS[kind])} (and synonyms {sorted(SYNONYMS) if kind == 'emotion' else []})")
    return {lv: KINDS[kind][_key(kind, lv)] for lv in levels}


def for_column(column: str | None, levels) -> dict:
    """Colours for the values of a table column, picking the palette from the
    column's name ("emotion", "domain", "modalities", ...) when its values all
    have a fixed colour there, else the series colours."""
    kind = COLUMN_KINDS.get(str(column).strip().lower()) if column else None
    levels = list(dict.fromkeys(levels))
    if kind and known(kind, levels):
        return colours(levels, kind)
    return colours(levels)

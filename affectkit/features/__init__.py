"""Feature extractors: raw media and text to the features the papers use.

- :mod:`affectkit.features.acoustic`: openSMILE IS10 functionals, (1582,) per utterance;
- :mod:`affectkit.features.visual`: face crops, one frame in ten, encoded, (18, d) per clip;
- :mod:`affectkit.features.lexical`: word vectors from a transformer, (22, d) per utterance.

:func:`sample_clip` gives the paths of the short clip the kit ships
(``affectkit/features/sample_clip``, package data, made by ``data/make_sample_clip.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_clip"   # ships inside the package


@dataclass(frozen=True)
class SampleClip:
    """Paths of the kit's sample clip: speech (WAV), frames (MP4) and its transcript."""

    audio: Path
    video: Path
    transcript_path: Path

    @property
    def text(self) -> str:
        return self.transcript_path.read_text().strip()


def sample_clip(directory: str | Path | None = None) -> SampleClip:
    """The sample clip (``clip.wav``, ``clip.mp4``, ``clip.txt``) in ``directory``
    (default: the copy inside the installed package)."""
    d = Path(directory) if directory is not None else SAMPLE_DIR
    clip = SampleClip(d / "clip.wav", d / "clip.mp4", d / "clip.txt")
    missing = [p.name for p in (clip.audio, clip.video, clip.transcript_path) if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{d}: the sample clip lacks {', '.join(missing)}; "
                                "make it with python data/make_sample_clip.py")
    return clip

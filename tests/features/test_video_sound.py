"""A clip that is one video file: its sound track is read from the container (PyAV)."""

import numpy as np
import pytest

av = pytest.importorskip("av", reason="PyAV reads a video's sound track")

from affectkit.features import acoustic, sample_clip  # noqa: E402
from affectkit.features.extract import media_files  # noqa: E402


def mux(path, signal, sr, frames=3, sound=True):
    """A small .mp4: a few grey frames, and ``signal`` as its AAC sound track."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=5)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("aac", rate=sr) if sound else None
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 40 * i, np.uint8), format="rgb24")
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if sound:
            frame = av.AudioFrame.from_ndarray(signal.reshape(1, -1).astype(np.float32), format="fltp", layout="mono")
            frame.sample_rate = sr
            for packet in audio.encode(frame):
                out.mux(packet)
            for packet in audio.encode():
                out.mux(packet)
    return path


def test_the_sound_of_a_video_is_its_sound_track(tmp_path):
    signal, sr = acoustic.load_audio(sample_clip().audio)
    video = mux(tmp_path / "c1.mp4", signal, sr)
    got, got_sr = acoustic.load_audio(video)
    assert got_sr == sr and got.dtype == np.float32 and got.ndim == 1
    assert abs(len(got) - len(signal)) < 0.1 * sr                     # the codec pads a little
    n = min(len(got), len(signal))
    lag = int(np.argmax([np.dot(got[k:n], signal[: n - k]) for k in range(0, 3000, 16)]) * 16)
    assert np.corrcoef(got[lag:n], signal[: n - lag])[0, 1] > 0.95, "the decoded sound is the sound track"
    assert acoustic.is10(video).shape == (acoustic.N_IS10,)


def test_a_video_alone_is_a_whole_clip_and_a_silent_one_is_refused(tmp_path):
    signal, sr = acoustic.load_audio(sample_clip().audio)
    mux(tmp_path / "c1.mp4", signal, sr)
    assert media_files(tmp_path, "c1.mp4") == (None, tmp_path / "c1.mp4")
    silent = mux(tmp_path / "c2.mp4", signal, sr, sound=False)
    with pytest.raises(ValueError, match="no sound track"):
        acoustic.load_audio(silent)


def remux(video, sound, out):
    """``out``: the frames of ``video`` and the sound file ``sound`` in one .mp4 (a clip that is one file)."""
    import soundfile as sf

    signal, sr = sf.read(str(sound), dtype="float32")
    with av.open(str(video)) as src:
        frames = [f.to_ndarray(format="rgb24") for f in src.decode(video=0)]
    height, width = frames[0].shape[:2]
    with av.open(str(out), "w") as dst:
        stream = dst.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        audio = dst.add_stream("aac", rate=sr)
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
        frame = av.AudioFrame.from_ndarray(signal.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = sr
        for packet in list(audio.encode(frame)) + list(audio.encode()):
            dst.mux(packet)
    return out


def test_a_folder_of_video_only_clips_extracts(tmp_path):
    """Every clip one .mp4 with its sound track and a face: all three modalities, nothing skipped."""
    import csv

    from affectkit.features.demo import make_demo_corpus
    from affectkit.features.extract import extract

    labels = make_demo_corpus(tmp_path / "pairs", per_speaker=1)
    videos = tmp_path / "videos"
    videos.mkdir()
    rows = list(csv.DictReader(open(labels, encoding="utf-8")))
    for r in rows:
        remux(tmp_path / "pairs" / f"{r['clip']}.mp4", tmp_path / "pairs" / f"{r['clip']}.wav",
              videos / f"{r['clip']}.mp4")
        r["clip"] = f"{r['clip']}.mp4"
    with open(tmp_path / "videos.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert not list(videos.glob("*.wav"))
    result = extract(videos, tmp_path / "videos.csv", tmp_path / "videos.npz", jobs=2, progress=False)
    assert result["skipped"] == {} and result["dropped"] == {}
    corpus = result["corpus"]
    assert corpus.train.shapes == {"A": (1582,), "V": (18, 324), "L": (22, 384)} and corpus.train.mask["V"].any()
    pairs = extract(tmp_path / "pairs", labels, tmp_path / "pairs.npz", jobs=2, progress=False)["corpus"]
    a, b = corpus.train.x["A"].numpy(), pairs.train.x["A"].numpy()
    assert np.median([np.corrcoef(x, y)[0, 1] for x, y in zip(a, b)]) > 0.9, "the sound track is the clip's sound"

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

"""IS10 functionals through opensmile: shape, names, file vs array, bad input."""
import warnings

import numpy as np
import pytest

from affectkit.features import acoustic, sample_clip


@pytest.fixture(scope="module")
def clip():
    return sample_clip()


def test_is10_of_the_sample_clip(clip):
    v = acoustic.is10(clip.audio)
    assert v.shape == (acoustic.N_IS10,) and v.dtype == np.float32
    assert np.isfinite(v).all()
    names = acoustic.is10_names()
    assert len(names) == 1582 and names[-1] == "F0final__Turn_duration"
    duration = v[names.index("F0final__Turn_duration")]
    assert duration == pytest.approx(4.71, abs=0.1)   # the clip is 4.71 s; IS10 counts whole frames


def test_file_and_array_agree(clip):
    signal, sr = acoustic.load_audio(clip.audio)
    np.testing.assert_allclose(acoustic.is10(signal, sr=sr), acoustic.is10(clip.audio), rtol=1e-5)
    stereo = np.stack([signal, signal], axis=1)
    np.testing.assert_allclose(acoustic.is10(stereo, sr=sr), acoustic.is10(signal, sr=sr), rtol=1e-5)


def test_different_sounds_differ():
    sr = 16000
    t = np.arange(sr) / sr
    low = acoustic.is10(0.3 * np.sin(2 * np.pi * 120 * t), sr=sr)
    high = acoustic.is10(0.3 * np.sin(2 * np.pi * 240 * t), sr=sr)
    assert np.abs(low - high).max() > 1.0


def test_many_stacks_rows(clip):
    out = acoustic.is10_many([clip.audio, clip.audio], progress=False)
    assert out.shape == (2, 1582)


@pytest.mark.parametrize("signal, sr, message", [
    (np.zeros(0), 16000, "no audio"),
    (np.zeros(100), 16000, "too short"),
    (np.full(16000, np.nan), 16000, "NaN"),
    (np.zeros((2, 3, 4)), 16000, "shape"),
    (np.zeros(16000), 0, "sample rate"),
])
def test_bad_signals_name_the_problem(signal, sr, message):
    with pytest.raises(ValueError, match=message):
        acoustic.is10(signal, sr=sr)


def test_array_needs_sr_and_path_refuses_it(clip):
    with pytest.raises(ValueError, match="sample rate"):
        acoustic.is10(np.zeros(16000))
    with pytest.raises(ValueError, match="only with an array"):
        acoustic.is10(clip.audio, sr=16000)


def test_missing_file_and_video_without_a_sound_track(clip, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        acoustic.is10(tmp_path / "nope.wav")
    with pytest.raises(ValueError, match="clip.mp4: the file has no sound track"):   # a video without one
        acoustic.is10(clip.video)


def test_silence_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        acoustic.is10(np.zeros(16000, np.float32), sr=16000)
    assert any("silent" in str(w.message) for w in caught)

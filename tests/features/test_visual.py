"""Face crops from the sample clip: sampling, carry-forward, encoders, no-face clips."""
import numpy as np
import pytest
import torch

from affectkit.features import sample_clip, visual


@pytest.fixture(scope="module")
def track():
    return visual.face_track(sample_clip().video)


def test_one_frame_in_ten_and_carry_forward(track):
    # 118 frames -> frames 0, 10, ..., 110; the face is covered in frames ~47-64
    assert track.frame_index.tolist() == list(range(0, 118, 10))
    assert track.crops.shape == (12, 64, 64) and track.crops.dtype == np.uint8
    assert track.detected.tolist() == [True] * 5 + [False] * 2 + [True] * 5
    # a frame without a face reuses the previous detection's box
    np.testing.assert_array_equal(track.boxes[5], track.boxes[4])
    np.testing.assert_array_equal(track.boxes[6], track.boxes[4])


def test_frames_before_the_first_face_use_the_first_detection(track):
    frames, _ = visual.read_frames(sample_clip().video)
    blank = np.zeros_like(frames[0])
    t = visual.detect_faces([blank, frames[0], frames[1]])
    assert t.detected.tolist() == [False, True, True]
    np.testing.assert_array_equal(t.boxes[0], t.boxes[1])


def test_hog_features_padded_to_18(track):
    x, mask = visual.face_features(track, length=18)
    assert x.shape == (18, 1764) and mask.tolist() == [True] * 12 + [False] * 6
    assert torch.all(x[12:] == 0)
    x8, mask8 = visual.face_features(track, length=8)
    assert x8.shape == (8, 1764) and mask8.all()


def test_any_torch_module_encodes(track):
    cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 5, stride=2), torch.nn.ReLU(),
                              torch.nn.AdaptiveAvgPool2d(1))
    cnn.train()
    out = visual.encode_faces(track.crops, cnn)
    assert out.shape == (12, 6) and cnn.training            # mode restored


def test_no_face_is_reported(tmp_path):
    with pytest.raises(visual.NoFaceError, match="no face in any of its 4"):
        visual.detect_faces([np.full((120, 100), 128, np.uint8)] * 4, source="blank.mp4")


def test_many_drops_clips_without_faces(tmp_path):
    import cv2

    blank = tmp_path / "blank.mp4"
    writer = cv2.VideoWriter(str(blank), cv2.VideoWriter_fourcc(*"mp4v"), 25, (100, 120))
    for _ in range(20):
        writer.write(np.full((120, 100, 3), 90, np.uint8))
    writer.release()
    clip = sample_clip().video
    x, mask, kept, dropped = visual.face_features_many([clip, blank], progress=False)
    assert x.shape == (1, 18, 1764) and kept == [str(clip)]
    assert list(dropped) == [str(blank)] and "no face" in dropped[str(blank)]


def test_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.mp4"):
        visual.face_track(tmp_path / "missing.mp4")
    (tmp_path / "junk.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError, match="junk.mp4: no frames"):
        visual.face_track(tmp_path / "junk.mp4")
    with pytest.raises(ValueError, match="crops must be"):
        visual.encode_faces(np.zeros((2, 32, 32), np.uint8))
    with pytest.raises(ValueError, match="encoder must be"):
        visual.encode_faces(np.zeros((2, 64, 64), np.uint8), encoder="densenet")

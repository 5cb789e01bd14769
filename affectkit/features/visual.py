"""Visual features: face crops from a clip, encoded frame by frame.

CMDM's recipe (Sec. 4.2, "Face Extraction"): detect the face, keep a 64x64
grey crop, sample one frame in ten (30 fps video -> ~3 faces per second),
reuse the previous detection when a frame has no face, drop clips with no face
at all, encode each crop with a CNN (a DenseNet trained on FERPlus, 342-d in
the paper), and pad or cut the sequence to 18 faces.

Here the detector is the Haar cascade that OpenCV ships (the paper used
SeetaFace), and the default encoder is a HOG descriptor (1,764-d; no weights to
download). Any ``torch.nn.Module`` that maps (n, 1, 64, 64) crops in [0, 1] to
(n, d) features can replace it, e.g. a CNN trained on facial expressions.

    >>> from affectkit.features import visual
    >>> track = visual.face_track(sample_clip().video)
    >>> x, mask = visual.face_features(track, length=18)     # (18, 1764), (18,)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..data.transforms import pad_or_truncate

CROP = 64
EVERY = 10
LENGTH = 18


class NoFaceError(ValueError):
    """A clip in which no sampled frame has a face (the paper drops such clips)."""


@dataclass
class FaceTrack:
    """The faces of one clip, one entry per sampled frame.

    Attributes:
        crops: (n_sampled, 64, 64) uint8 grey face crops.
        boxes: (n_sampled, 4) int (x, y, w, h) of the box each crop was cut from.
        detected: (n_sampled,) bool, True where the face was found in that frame
            (False: the previous detection's box was reused).
        frame_index: (n_sampled,) int, the frame number in the clip.
        source: where the frames came from (for messages).
    """

    crops: np.ndarray
    boxes: np.ndarray
    detected: np.ndarray
    frame_index: np.ndarray
    source: str = "frames"

    @property
    def detection_rate(self) -> float:
        return float(self.detected.mean())


IMAGE_MAGIC = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"BM": "BMP",
               b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}


def _image_kind(path: Path) -> str | None:
    """The still-image format of the file by its first bytes, or None."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return next((kind for magic, kind in IMAGE_MAGIC.items() if head.startswith(magic)), None)


def read_frames(path: str | os.PathLike, every: int = EVERY) -> tuple[list[np.ndarray], list[int]]:
    """Grey frames 0, every, 2*every, ... of a video file.

    Returns:
        (frames, index): a list of (height, width) uint8 arrays and their frame numbers.
    """
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at {path}")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive int, got {every!r}")
    kind = _image_kind(path)
    if kind:   # OpenCV would read a still image as a one-frame "video"
        raise ValueError(f"{path}: a {kind} image, not a video; give a video clip (mp4, avi, ...)")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise ValueError(f"{path}: no frames could be read (OpenCV cannot open it as a video: not a video, "
                         f"or a codec it lacks)")
    frames, index, i = [], [], 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if i % every == 0:
                frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
                index.append(i)
            i += 1
    finally:
        cap.release()
    if not frames:
        raise ValueError(f"{path}: no frames could be read (not a video OpenCV can decode?)")
    return frames, index


def as_uint8(image, name: str = "image") -> np.ndarray:
    """``image`` as uint8 pixels, the only depth OpenCV's detector takes: uint8 as it is,
    other integers in [0, 255] cast, floats in [0, 1] scaled by 255 and floats in
    [0, 255] rounded (a float image whose values all lie in [0, 1] counts as [0, 1]).
    Anything else is a TypeError / ValueError naming ``name``."""
    arr = np.asarray(image)
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold pixel values (uint8, or floats in [0, 1] or [0, 255]), "
                        f"got an array of {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} holds NaN or inf values")
    low, high = arr.min(), arr.max()
    if low < 0 or high > 255:
        raise ValueError(f"{name} holds values in [{low:g}, {high:g}]; pixels lie in [0, 255] "
                         f"(or in [0, 1] for floats)")
    if arr.dtype.kind == "f" and high <= 1:
        arr = arr * 255.0
    return np.rint(arr).astype(np.uint8)


def grey(frame, name: str = "frame") -> np.ndarray:
    """A (height, width) uint8 grey frame from a grey or a BGR(A) frame of any pixel
    type :func:`as_uint8` takes; another shape is a ValueError naming ``name``."""
    import cv2

    f = as_uint8(frame, name)
    if f.ndim == 3 and f.shape[2] == 1:
        f = f[..., 0]
    if f.ndim == 2:
        return f
    if f.ndim == 3 and f.shape[2] in (3, 4):
        return cv2.cvtColor(f, cv2.COLOR_BGR2GRAY if f.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"{name} must be (height, width) grey or (height, width, 3) BGR, got shape {f.shape}")


def _cascade(name: str):
    import cv2

    path = Path(cv2.data.haarcascades) / name
    if not path.exists():
        raise FileNotFoundError(f"OpenCV has no cascade {name} in {path.parent} "
                                "(opencv-python-headless 5.x no longer ships them; use <5)")
    return cv2.CascadeClassifier(str(path))


def detect_faces(frames, index=None, *, cascade: str = "haarcascade_frontalface_default.xml",
                 scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 30,
                 source: str = "frames") -> FaceTrack:
    """Find the face in each frame and cut a 64x64 crop.

    The largest detection is the face. A frame without a detection reuses the
    previous frame's box (frames before the first detection use the first one),
    as the paper does.

    Args:
        frames: a sequence of (height, width) grey or (height, width, 3) BGR frames, uint8
            or floats in [0, 1] or [0, 255] (:func:`as_uint8`).
        index: their frame numbers (default 0, 1, ...).
    Raises:
        NoFaceError: no frame has a face.
    """
    import cv2

    if len(frames) == 0:
        raise ValueError(f"{source}: no frames")
    detector = _cascade(cascade)
    greys = [grey(f, f"{source}: frames[{i}]") for i, f in enumerate(frames)]
    boxes: list[np.ndarray | None] = []
    for g in greys:
        found = detector.detectMultiScale(g, scaleFactor=scale_factor, minNeighbors=min_neighbors,
                                          minSize=(min_size, min_size))
        boxes.append(max(found, key=lambda b: b[2] * b[3]) if len(found) else None)
    detected = np.array([b is not None for b in boxes])
    if not detected.any():
        raise NoFaceError(f"{source}: no face in any of its {len(frames)} sampled frames "
                          "(the paper drops such clips)")
    last = boxes[int(np.argmax(detected))]          # first detection, for the frames before it
    filled = []
    for b in boxes:
        last = b if b is not None else last
        filled.append(np.asarray(last, dtype=int))
    crops = np.stack([cv2.resize(g[y:y + h, x:x + w], (CROP, CROP), interpolation=cv2.INTER_AREA)
                      for g, (x, y, w, h) in zip(greys, filled)])
    index = np.arange(len(frames)) if index is None else np.asarray(index)
    return FaceTrack(crops, np.stack(filled), detected, index, source)


def face_track(path: str | os.PathLike, every: int = EVERY, **detect_kwargs) -> FaceTrack:
    """Read one frame in ``every`` from a video and detect its faces (see :func:`detect_faces`)."""
    frames, index = read_frames(path, every)
    return detect_faces(frames, index, source=str(path), **detect_kwargs)


HOG = {"hog": 8, "hog-coarse": 16}   # encoder name -> cell size in pixels


def hog_descriptor(cell: int = 8):
    """OpenCV's HOG on a 64x64 crop: ``cell`` x ``cell`` cells, blocks of 2 x 2 cells,
    stride one cell, 9 bins -> 1,764 values for 8-pixel cells ("hog"), 324 for
    16-pixel cells ("hog-coarse", near the paper's 342-d face features)."""
    import cv2

    return cv2.HOGDescriptor((CROP, CROP), (2 * cell, 2 * cell), (cell, cell), (cell, cell), 9)


def encode_faces(crops: np.ndarray, encoder="hog", device="cpu") -> torch.Tensor:
    """Encode face crops.

    Args:
        crops: (n, 64, 64) grey crops, uint8 or floats in [0, 1] or [0, 255] (:func:`as_uint8`).
        encoder: ``"hog"`` (default, 1,764-d), ``"hog-coarse"`` (324-d) or a torch module mapping
            (n, 1, 64, 64) float crops in [0, 1] to (n, d) (or (n, d, 1, 1)).
    Returns:
        float32 tensor (n, d).
    """
    crops = np.asarray(crops)
    if crops.ndim != 3 or crops.shape[1:] != (CROP, CROP):
        raise ValueError(f"crops must be (n, {CROP}, {CROP}), got shape {crops.shape}")
    crops = as_uint8(crops, "crops")   # float crops in [0, 1] would be cast to zeros below
    if isinstance(encoder, str):
        if encoder not in HOG:
            raise ValueError(f"encoder must be one of {sorted(HOG)} or a torch.nn.Module, got {encoder!r}")
        hog = hog_descriptor(HOG[encoder])
        rows = [hog.compute(c.astype(np.uint8)).reshape(-1) for c in crops]
        return torch.from_numpy(np.stack(rows).astype(np.float32))
    if not isinstance(encoder, torch.nn.Module):
        raise TypeError(f"encoder must be 'hog' or a torch.nn.Module, got {type(encoder).__name__}")
    x = torch.from_numpy(crops.astype(np.float32) / 255.0).unsqueeze(1).to(device)
    was_training = encoder.training
    encoder.eval()
    with torch.no_grad():
        out = encoder(x)
    encoder.train(was_training)
    return out.reshape(len(crops), -1).float().cpu()


def face_features(track: FaceTrack, length: int = LENGTH, encoder="hog",
                  device="cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Encode a clip's faces and pad / cut to ``length`` (18 in the paper).

    Returns:
        (x, mask): x (length, d) float32, mask (length,) bool, True on real faces.
    """
    return pad_or_truncate(encode_faces(track.crops, encoder, device), length)


def face_features_many(paths, length: int = LENGTH, encoder="hog", every: int = EVERY,
                       progress: bool = True):
    """Visual features for several clips; clips without any face are dropped and reported.

    Returns:
        (x, mask, kept, dropped): x (n_kept, length, d), mask (n_kept, length),
        kept the paths used (in order), dropped a dict path -> reason.
    """
    from ..progress import bar as progress_bar

    xs, masks, kept, dropped = [], [], [], {}
    for path in progress_bar(list(paths), desc="faces", disable=not progress):
        try:
            x, m = face_features(face_track(path, every), length, encoder)
        except NoFaceError as err:
            dropped[str(path)] = str(err)
            continue
        xs.append(x), masks.append(m), kept.append(str(path))
    if not xs:
        raise NoFaceError(f"none of the {len(dropped)} clips has a face")
    return torch.stack(xs), torch.stack(masks), kept, dropped

"""Bad input, I/O surface: corpus loaders (MELD CSVs, MMSA / IEMOCAP pickles,
.npz), feature extractors, record, the runner and the command lines. Each case
asserts the exception type (or exit status) and that the message names the
argument or the file at fault."""

import importlib
import json
import pickle

import numpy as np
import pytest

from affectkit.data.iemocap import load_iemocap
from affectkit.data.meld import load_meld, read_csv
from affectkit.data.mmsa import load_mmsa
from affectkit.data.pickles import UnsafePickleError, load_npz, load_pickle, to_npz
from affectkit.features import acoustic, visual
from affectkit.features.lexical import WordEmbedder, load_encoder
from affectkit.tools import bench, runner

from .corpora import ROWS, write

record = importlib.import_module("affectkit.teach.record")   # the module (affectkit.teach.record is the function)

# -- MELD CSVs: structure problems are named with the file and the line -------------------

MELD = [
    ("too_many_fields", ROWS[:1] + [ROWS[1] + ",extra"], r"b\.csv, line 3: 12 fields .*unquoted comma"),
    ("unquoted_comma", [ROWS[0].replace('"Well, the kettle’s on again."', "Well, the kettle’s on again.")],
     r"b\.csv, line 2: 12 fields where the header has 11"),
    ("unbalanced_quote", [ROWS[0], ROWS[1].replace("I can’t", '"I can’t'), ROWS[2]], r"b\.csv, line 3"),
    ("truncated_row", [ROWS[0], ROWS[1].split(",Bo,")[0]], r"b\.csv, line 3: 2 fields .*cut"),
    ("empty_emotion", [ROWS[0].replace(",neutral,neutral,", ",,neutral,")], r"b\.csv: unknown emotion labels \[''\]"),
    ("unknown_emotion", [ROWS[0].replace(",neutral,neutral,", ",bored,neutral,")], r"b\.csv: unknown emotion"),
    ("unknown_sentiment", [ROWS[0].replace(",neutral,neutral,", ",neutral,meh,")], r"b\.csv: unknown sentiment"),
    ("dialogue_id", [ROWS[0].replace(",neutral,neutral,0,0,", ",neutral,neutral,x,0,")],
     r"b\.csv: non-integer dialogue ids"),
    ("header_only", [], r"b\.csv: no rows"),
]


@pytest.mark.parametrize("rows, match", [c[1:] for c in MELD], ids=[c[0] for c in MELD])
def test_bad_input_meld_rows(tmp_path, rows, match):
    with pytest.raises(ValueError, match=match):
        read_csv(write(tmp_path / "b.csv", rows))


def test_bad_input_meld_files(tmp_path):
    with pytest.raises(ValueError, match=r"u16\.csv: the file is UTF-16"):
        read_csv(write(tmp_path / "u16.csv", encoding="utf-16"))
    (tmp_path / "e.csv").write_text("  \n")
    with pytest.raises(ValueError, match=r"e\.csv: the file is empty"):
        read_csv(tmp_path / "e.csv")
    with pytest.raises(FileNotFoundError, match=r"no MELD CSV at .*none\.csv"):
        read_csv(tmp_path / "none.csv")
    with pytest.raises(FileNotFoundError, match=r"no MELD directory found .*nowhere"):
        load_meld(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"unknown MELD splits \['valid'\]"):
        load_meld(tmp_path, splits=("valid",))
    with pytest.raises(FileNotFoundError, match=r"none of MELD's files"):
        load_meld(tmp_path)


# -- pickles and .npz: no code runs, broken files are named ----------------------------------

class Payload:
    """Creates a file when unpickled by the full unpickler."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return open, (self.target, "w")


@pytest.mark.parametrize("loader", [load_mmsa, load_iemocap, load_pickle], ids=["mmsa", "iemocap", "pickle"])
def test_bad_input_hostile_pickle(tmp_path, loader):
    target = tmp_path / "pwned"
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps({"train": Payload(target)}))
    with pytest.raises(UnsafePickleError, match=r"evil\.pkl: refuses to load (builtins|io)\.open"):
        loader(tmp_path / "evil.pkl")
    assert not target.exists(), "the payload ran"


BROKEN_PICKLES = [
    ("text_file", b"train,valid,test\n", r"t\.pkl: not a readable pickle"),
    ("truncated", pickle.dumps({"train": np.zeros(100)})[:40], r"t\.pkl: not a readable pickle"),
    ("empty", b"", r"t\.pkl: not a readable pickle"),
]


@pytest.mark.parametrize("content, match", [c[1:] for c in BROKEN_PICKLES], ids=[c[0] for c in BROKEN_PICKLES])
def test_bad_input_broken_pickle(tmp_path, content, match):
    (tmp_path / "t.pkl").write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load_mmsa(tmp_path / "t.pkl")


def test_bad_input_corpus_structure(tmp_path):
    (tmp_path / "list.pkl").write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(ValueError, match=r"list\.pkl: an MMSA file holds a dict of splits"):
        load_mmsa(tmp_path / "list.pkl")
    (tmp_path / "split.pkl").write_bytes(pickle.dumps({s: [1, 2] for s in ("train", "valid", "test")}))
    with pytest.raises(ValueError, match=r"split\.pkl: split 'train' holds a list"):
        load_mmsa(tmp_path / "split.pkl")
    (tmp_path / "short.pkl").write_bytes(pickle.dumps(({}, {}, {})))
    with pytest.raises(ValueError, match=r"short\.pkl: expected a tuple of 9 fields"):
        load_iemocap(tmp_path / "short.pkl")
    with pytest.raises(FileNotFoundError, match=r"no file at .*gone\.pkl"):
        load_mmsa(tmp_path / "gone.pkl")


TO_NPZ = [
    ("list_of_dicts", {"rows": [{"a": 1}, {"a": 2}]}, r"rows: holds dict values"),
    ("ragged", {"train": {"text": [[1, 2], [3]]}}, r"train/text: ragged lists"),
    ("objects", {"x": [object()]}, r"x: holds object values"),
    ("slash_key", {"a/b": np.zeros(2)}, r"'a/b': keys must be non-empty strings without '/'"),
    ("not_dict", [np.zeros(2)], r"expected a dict of arrays"),
]


@pytest.mark.parametrize("tree, match", [c[1:] for c in TO_NPZ], ids=[c[0] for c in TO_NPZ])
def test_bad_input_to_npz(tmp_path, tree, match):
    with pytest.raises((ValueError, TypeError), match=match):
        to_npz(tree, tmp_path / "out.npz")
    assert list(tmp_path.iterdir()) == [], "nothing written half-way"


def test_bad_input_npz_files(tmp_path):
    with pytest.raises(ValueError, match=r"out\.txt: the converted file must end in \.npz"):
        to_npz({"a": np.zeros(2)}, tmp_path / "out.txt")
    np.savez(tmp_path / "obj.npz", ids=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match=r"obj\.npz: not a readable \.npz of arrays"):
        load_npz(tmp_path / "obj.npz")
    (tmp_path / "junk.npz").write_bytes(b"PK junk")
    with pytest.raises(ValueError, match=r"junk\.npz: not a readable"):
        load_npz(tmp_path / "junk.npz")
    with pytest.raises(FileNotFoundError, match=r"no file at .*none\.npz"):
        load_npz(tmp_path / "none.npz")


# -- features ----------------------------------------------------------------------------------

SR = 16000
TONE = np.sin(np.linspace(0, 2000, SR // 2)).astype(np.float32) * 0.5

IS10 = [
    ("int64_samples", lambda: acoustic.is10(np.zeros(SR, np.int64), sr=SR), TypeError, r"signal: samples of dtype int64"),
    ("text_samples", lambda: acoustic.is10(np.array(["a"] * SR), sr=SR), TypeError, r"signal: a signal must be a numeric array"),
    ("none_source", lambda: acoustic.is10(None, sr=SR), TypeError, r"signal: a signal must be a numeric array"),
    ("sr_zero", lambda: acoustic.is10(TONE, sr=0), ValueError, r"sample rate must be a positive int"),
    ("sr_bool", lambda: acoustic.is10(TONE, sr=True), ValueError, r"sample rate must be a positive int"),
    ("sr_float", lambda: acoustic.is10(TONE, sr=16000.5), ValueError, r"sample rate"),
    ("no_sr", lambda: acoustic.is10(TONE), ValueError, r"an array needs its sample rate"),
    ("square_2d", lambda: acoustic.is10(np.zeros((100, 100), np.float32), sr=SR), ValueError,
     r"signal: a 2-D signal must be \(samples, channels\) or \(channels, samples\)"),
    ("three_d", lambda: acoustic.is10(np.zeros((2, 2, SR), np.float32), sr=SR), ValueError, r"signal: signal must be"),
    ("nan", lambda: acoustic.is10(np.full(SR, np.nan, np.float32), sr=SR), ValueError, r"signal: the signal has NaN"),
    ("too_short", lambda: acoustic.is10(TONE[:100], sr=SR), ValueError, r"signal: 0\.006 s of audio is too short"),
    ("channels_first_short", lambda: acoustic.is10(np.zeros((2, 100), np.float32), sr=SR), ValueError,
     r"signal: 0\.006 s of audio"),
    ("empty", lambda: acoustic.is10(np.zeros(0, np.float32), sr=SR), ValueError, r"signal: the clip has no audio"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in IS10], ids=[c[0] for c in IS10])
def test_bad_input_is10(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_input_is10_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no audio file at .*none\.wav"):
        acoustic.is10(tmp_path / "none.wav")
    (tmp_path / "fake.wav").write_bytes(b"RIFF not really")
    with pytest.raises(ValueError, match=r"fake\.wav: no readable audio"):
        acoustic.is10(tmp_path / "fake.wav")
    with pytest.raises(ValueError, match=r"sr is read from the file"):
        acoustic.is10(tmp_path / "fake.wav", sr=SR)


def test_is10_scales_integer_pcm_and_reads_channels_first():
    """int16 PCM is the float signal times 32768 (read unscaled, 1,553 of 1,582 features change);
    a (2, n) array is two channels, not 2 samples of n channels."""
    pcm = np.round(TONE * 32767).astype(np.int16)
    as_float = acoustic.is10(pcm.astype(np.float32) / 32768, sr=SR)
    np.testing.assert_allclose(acoustic.is10(pcm, sr=SR), as_float, rtol=1e-6)
    np.testing.assert_allclose(acoustic.is10(pcm.astype(np.int32) * 65536, sr=SR), as_float, rtol=1e-5, atol=1e-6)
    reference = acoustic.is10(TONE, sr=SR)
    np.testing.assert_allclose(acoustic.is10(np.stack([TONE, TONE]), sr=SR), reference, rtol=1e-5)
    with pytest.warns(UserWarning, match=r"signal: samples reach .* outside \[-1, 1\]"):
        acoustic.is10(pcm.astype(np.float32), sr=SR)


def image_bytes(kind):
    import cv2

    ok, buf = cv2.imencode(kind, np.zeros((8, 8), np.uint8))
    return buf.tobytes()


VIDEOS = [
    ("png_as_mp4", lambda: image_bytes(".png"), r"clip\.mp4: a PNG image, not a video"),
    ("jpeg_as_mp4", lambda: image_bytes(".jpg"), r"clip\.mp4: a JPEG image, not a video"),
    ("bmp_as_mp4", lambda: image_bytes(".bmp"), r"clip\.mp4: a BMP image"),
    ("junk", lambda: b"not a video at all", r"clip\.mp4: no frames could be read"),
    ("empty", lambda: b"", r"clip\.mp4: no frames could be read"),
]


@pytest.mark.parametrize("content, match", [c[1:] for c in VIDEOS], ids=[c[0] for c in VIDEOS])
def test_bad_input_videos(tmp_path, content, match):
    (tmp_path / "clip.mp4").write_bytes(content())
    with pytest.raises(ValueError, match=match):
        visual.read_frames(tmp_path / "clip.mp4")


def test_bad_input_visual_arguments(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"x")
    for every in (0, True, 1.5):
        with pytest.raises(ValueError, match=r"every must be a positive int"):
            visual.read_frames(tmp_path / "clip.mp4", every=every)
    with pytest.raises(FileNotFoundError, match=r"no video file at .*none\.mp4"):
        visual.read_frames(tmp_path / "none.mp4")


WORD_EMBEDDER = [
    ("max_words_zero", lambda: WordEmbedder(max_words=0), ValueError, r"max_words must be an integer >= 1"),
    ("max_words_float", lambda: WordEmbedder(max_words=2.5), ValueError, r"max_words must be an integer"),
    ("batch_size_zero", lambda: WordEmbedder(batch_size=0), ValueError, r"batch_size must be an integer >= 1"),
    ("none_text", lambda: WordEmbedder(cache_dir=False)(["fine", None]), TypeError, r"texts\[1\] is None"),
    ("number_text", lambda: WordEmbedder(cache_dir=False)([3.5]), TypeError, r"texts\[0\] is 3\.5"),
    ("bare_string", lambda: WordEmbedder(cache_dir=False)("hello there"), TypeError, r"got one string: wrap it"),
    ("not_iterable", lambda: WordEmbedder(cache_dir=False)(5), TypeError, r"texts must be a list of strings, got int"),
    ("model_none", lambda: load_encoder(None), TypeError, r"model must be a hub id or a folder"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in WORD_EMBEDDER], ids=[c[0] for c in WORD_EMBEDDER])
def test_bad_input_word_embedder(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_input_missing_models(tmp_path, monkeypatch):
    """No download is ever tried, even without the offline variables."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    import socket

    tried = []

    def no_network(*args, **kwargs):
        tried.append(args)
        raise OSError("affectkit tried the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    with pytest.raises(FileNotFoundError, match=r"model folder .*my-model does not exist"):
        load_encoder(str(tmp_path / "my-model"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"model folder .*empty has no config\.json"):
        load_encoder(str(tmp_path / "empty"))
    with pytest.raises(OSError, match=r"model 'nobody/no-such-model' is not available on this machine"):
        load_encoder("nobody/no-such-model")
    assert not tried, "a download was attempted"
    tokenizer, model = load_encoder()   # the default model, from the package that ships it
    assert model.config.hidden_size == 384 and not tried


# -- record -------------------------------------------------------------------------------------

RECORD = [
    ("empty_name", lambda: record.record("", 1, notebook="t"), ValueError, r"record name must be a non-empty"),
    ("none_name", lambda: record.record(None, 1, notebook="t"), ValueError, r"record name"),
    ("escape_dot", lambda: record.record("a", 1, notebook="./../x"), ValueError, r"notebook name must be a plain"),
    ("escape_abs", lambda: record.record("a", 1, notebook="/tmp/x"), ValueError, r"notebook name must be a plain"),
    ("escape_backslash", lambda: record.record("a", 1, notebook="..\\x"), ValueError, r"notebook name"),
    ("ipynb", lambda: record.record("a", 1, notebook="x.ipynb"), ValueError, r"without '\.ipynb': 'x'"),
    ("object_value", lambda: record.record("a", object(), notebook="t"), TypeError, r"cannot record a value of type"),
    ("declare_folder", lambda: record.this_notebook("notebooks/03"), ValueError, r"notebook name must be a plain"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in RECORD], ids=[c[0] for c in RECORD])
def test_bad_input_record(tmp_path, monkeypatch, make, exc, match):
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path / "results"))
    with pytest.raises(exc, match=match):
        make()
    assert not (tmp_path / "x.json").exists() and not any(tmp_path.rglob("*.json"))


@pytest.mark.parametrize("content, match", [("{bad", r"t\.json is not a valid results file"),
                                            ("[1, 2]", r"t\.json holds a list, not a results object"),
                                            ("\udcff", r"t\.json is not a valid results file")],
                         ids=["truncated", "list", "bytes"])
def test_bad_input_corrupt_sidecar(tmp_path, monkeypatch, content, match):
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    if content == "\udcff":
        (tmp_path / "t.json").write_bytes(b"\xff\xfe{")
    else:
        (tmp_path / "t.json").write_text(content)
    with pytest.raises(ValueError, match=match):
        record.record("a", 1, notebook="t")


# -- runner and the command lines -------------------------------------------------------------

def runner_cases(tmp_path):
    (tmp_path / "bad.ipynb").write_text("{not json")
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "noparams.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4}))
    return {"missing": (["gone.ipynb"], r"gone\.ipynb: no such notebook"),
            "not_json": ([str(tmp_path / "bad.ipynb")], r"bad\.ipynb: not a valid notebook file"),
            "not_notebook": ([str(tmp_path / "list.ipynb")], r"list\.ipynb: valid JSON but not a Jupyter notebook"),
            "suffix": ([str(tmp_path / "notes.txt")], r"notes\.txt: not a notebook"),
            "no_parameters": ([str(tmp_path / "noparams.ipynb")], r"noparams\.ipynb: no cell tagged 'parameters'")}


@pytest.mark.parametrize("case", ["missing", "not_json", "not_notebook", "suffix", "no_parameters"])
def test_bad_input_runner_cli(tmp_path, capsys, case):
    argv, match = runner_cases(tmp_path)[case]
    assert runner.main(["--out", str(tmp_path / "out"), *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    import re
    assert re.search(match, err), err
    assert not (tmp_path / "out").exists(), "nothing ran"


CLI = [
    ("bench_epochs_zero", bench.main, ["meld", "--epochs", "0"], r"argument --epochs: must be >= 1, got 0"),
    ("bench_epochs_negative", bench.main, ["meld", "--epochs", "-3"], r"argument --epochs: must be >= 1"),
    ("bench_epochs_text", bench.main, ["meld", "--epochs", "two"], r"argument --epochs: invalid integer value"),
    ("bench_lr_zero", bench.main, ["meld", "--lr", "0"], r"argument --lr: must be a positive number"),
    ("bench_lr_nan", bench.main, ["meld", "--lr", "nan"], r"argument --lr: must be a positive number"),
    ("bench_seed_negative", bench.main, ["meld", "--seed", "-1"], r"argument --seed: must be in \[0, 2\*\*32\)"),
    ("bench_split", bench.main, ["meld", "--split", "train"], r"argument --split: invalid choice: 'train'"),
    ("runner_cell_timeout", runner.main, ["--cell-timeout", "0"], r"argument --cell-timeout: must be >= 1"),
    ("runner_profile", runner.main, ["--profile", "huge"], r"argument --profile: invalid choice: 'huge'"),
]


@pytest.mark.parametrize("main, argv, match", [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_bad_input_cli_arguments(capsys, main, argv, match):
    import re

    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert re.search(match, err), err


def test_bad_input_bench_data_dir(tmp_path, capsys):
    assert bench.main(["meld", "--data-dir", str(tmp_path / "nowhere"), "--quiet"]) == 2
    assert "nowhere" in capsys.readouterr().err

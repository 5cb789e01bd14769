"""The extractor on the demo clips: the corpus it writes, its resume after a kill,
its report of clips it cannot use, and the CLI around it."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from affectkit.data.corpus import load_corpus
from affectkit.features.demo import make_demo_corpus
from affectkit.features.extract import extract, read_labels
from affectkit.tools import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    labels = make_demo_corpus(folder / "clips", per_speaker=1)
    result = extract(folder / "clips", labels, folder / "demo.npz", jobs=2, progress=False)
    return {"folder": folder, "labels": labels, "result": result}


def arrays(path):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def test_the_demo_corpus_loads_as_datasets(demo):
    corpus = load_corpus(demo["result"]["path"])
    assert demo["result"]["skipped"] == {} and demo["result"]["extracted"] == 18
    assert corpus.classes == ("happy", "neutral", "sad")
    assert corpus.train.shapes == {"A": (1582,), "V": (18, 324), "L": (22, 384)}
    assert [len(corpus.splits[s]) for s in ("train", "val", "test", "unlabeled")] == [9, 3, 3, 3]
    assert (corpus.unlabeled.y == -1).all() and corpus.train.mask["V"].any()
    assert not (demo["folder"] / "demo.npz.parts").exists(), "parts are removed after a clean run"


def test_a_killed_run_resumes_to_the_same_corpus(demo, tmp_path):
    out = tmp_path / "demo.npz"   # same name as the first run: same corpus name inside
    cmd = [sys.executable, "-m", "affectkit", "extract", str(demo["folder"] / "clips"), "--labels",
           str(demo["labels"]), "--out", str(out), "--jobs", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    parts = tmp_path / "demo.npz.parts"
    deadline = time.time() + 120
    finished = lambda: [p for p in parts.glob("*.npz") if not p.name.startswith(".")]  # noqa: E731 (not temp files)
    while time.time() < deadline and len(finished()) < 3:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(finished())
    assert 3 <= done < 18 and not out.exists(), "killed mid-run"
    (parts / ".clip.npz.k1ll3d.tmp.npz").write_bytes(b"half a part")   # as a kill during a write leaves
    result = extract(demo["folder"] / "clips", demo["labels"], out, jobs=2, progress=False)
    assert result["reused"] == done and result["extracted"] == 18 - done
    assert not parts.exists(), "the parts, and the temp file of the clip in flight, are gone after the rerun"
    first, again = arrays(demo["result"]["path"]), arrays(out)
    assert first.keys() == again.keys()
    for key in first:
        assert np.array_equal(first[key], again[key], equal_nan=first[key].dtype.kind == "f"), key


def test_clips_it_cannot_use_are_reported(demo, tmp_path):
    import cv2

    clips = tmp_path / "clips"
    shutil.copytree(demo["folder"] / "clips", clips)
    rows = read_labels(demo["labels"])
    broken, faceless, silent = rows[0]["clip"], rows[1]["clip"], rows[2]["clip"]
    (clips / f"{broken}.wav").write_bytes(b"RIFF broken")
    video = cv2.VideoWriter(str(clips / f"{faceless}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 64), False)
    for _ in range(30):
        video.write(np.full((64, 64), 128, np.uint8))
    video.release()
    (clips / f"{silent}.wav").unlink()
    result = extract(clips, demo["labels"], tmp_path / "c.npz", jobs=2, progress=False)
    assert set(result["skipped"]) == {broken, faceless, silent}
    assert "no readable audio" in result["skipped"][broken]
    assert "no face" in result["skipped"][faceless]
    assert "no sound track" in result["skipped"][silent], "a video without a sound track, and no .wav"
    assert sum(len(ds) for ds in result["corpus"].splits.values()) == 15
    assert (tmp_path / "c.npz.parts").exists(), "parts stay while clips were skipped (a rerun retries them)"


@pytest.mark.parametrize("change, match", [
    (lambda rows: [{**r, "split": "training"} if i == 0 else r for i, r in enumerate(rows)],
     r"labels\.csv, line 2: split 'training'"),
    (lambda rows: rows + [rows[0]], r"is listed twice"),
    (lambda rows: [{**r, "label": ""} if i == 0 else r for i, r in enumerate(rows)], r"line 2: clip .* has no label"),
    (lambda rows: [r for r in rows if r["split"] != "test"], r"no clip in split\(s\) \['test'\]"),
], ids=["split", "duplicate", "no_label", "no_test"])
def test_bad_input_labels_files(demo, tmp_path, change, match):
    rows = change(read_labels(demo["labels"]))
    path = tmp_path / "labels.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ValueError, match=match):
        extract(demo["folder"] / "clips", path, tmp_path / "x.npz", progress=False)


def test_bad_input_extract_cli(tmp_path, capsys):
    assert cli.main(["extract", str(tmp_path / "none"), "--labels", "l.csv", "--out", "x.npz"]) == 2
    assert "no clip folder at" in capsys.readouterr().err
    assert cli.main(["extract", str(tmp_path), "--labels", str(tmp_path / "l.csv"), "--out", "x.npz"]) == 2
    assert "no labels file at" in capsys.readouterr().err
    assert cli.main(["train", "cmdm", "--data", str(tmp_path / "none.npz")]) == 2
    assert "no corpus file at" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["train", "cmdm", "--data", "x.npz", "--epochs", "0"])
    assert "--epochs: must be >= 1" in capsys.readouterr().err


def test_train_and_explore_on_the_demo_corpus(demo, tmp_path, capsys):
    path = str(demo["result"]["path"])
    assert cli.main(["train", "cmdm", "--data", path, "--profile", "smoke", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["setting"] for r in out["results"]} == {"A alone", "V alone", "L alone", "AVL vanilla",
                                                      "AVL matched", "AVL semi"}
    assert cli.main(["train", "easum", "--data", path, "--profile", "smoke", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["spl"] for r in out["ds"]} == {"none", "soft"} and out["dg"]
    assert cli.main(["explore", "--data", path, "--out", str(tmp_path / "maps"), "--profile", "smoke",
                     "--projection", "pca", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    page = (tmp_path / "maps" / "index.html").read_text()
    assert "data:image/png;base64," in page and (tmp_path / "maps" / "latent_emotion.png").stat().st_size > 1000
    assert set(out["numbers"]) == {"vanilla", "matched"}

"""Your corpus all the way: clips -> corpus -> a saved model -> predictions for clips it never saw;
and corpora a modality is missing from (no faces, video-only clips)."""

import csv
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from affectkit.data.corpus import load_corpus
from affectkit.features.demo import make_demo_corpus
from affectkit.features.extract import extract, read_labels
from affectkit.saved import load_model, predict
from affectkit.tools import cli

pytestmark = pytest.mark.xdist_group("predict")   # one worker builds the trained fixture once


def write_rows(path, rows, columns=None):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns or list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The demo corpus extracted, CMDM trained at the smoke profile and saved; new demo clips (another seed)."""
    root = tmp_path_factory.mktemp("predict")
    labels = make_demo_corpus(root / "clips", per_speaker=1)
    extract(root / "clips", labels, root / "demo.npz", jobs=2, progress=False)
    code = cli.main(["train", "cmdm", "--data", str(root / "demo.npz"), "--profile", "smoke", "--quiet",
                     "--save", str(root / "model"), "--out", str(root / "train.json")])
    assert code == 0
    new_labels = make_demo_corpus(root / "new", per_speaker=1, seed=7)
    return {"root": root, "labels": labels, "new": root / "new", "new_labels": new_labels,
            "train": json.loads((root / "train.json").read_text())}


def test_train_saves_a_model_with_its_card(trained):
    folder = trained["root"] / "model"
    assert {p.name for p in folder.iterdir()} == {"model.pt", "card.json", "card.md"}
    card = json.loads((folder / "card.json").read_text())
    assert card["classes"] == ["happy", "neutral", "sad"] and card["modalities"] == "AVL"
    assert card["setting"] == trained["train"]["headline"] == "AVL semi"
    assert len(card["corpus"]["sha256"]) == 64 and card["corpus"]["sizes"]["test"] == 3
    assert card["features"]["L"]["max_words"] == 22 and card["profile"] == "smoke"
    test = card["scores"]["test"]
    assert np.sum(test["confusion"]) == test["n"] == 3 and test["chance_ua"] == pytest.approx(1 / 3)
    assert "Confusion matrix" in (folder / "card.md").read_text()
    out = trained["train"]
    assert all(r["ua_std"] is None for r in out["results"]), "one seed: no std"
    assert all(len(str(r["ua"])) <= 6 for r in out["results"]), "rounded to 4 digits"


def test_predict_labels_clips_the_model_never_saw(trained, tmp_path):
    rows = read_labels(trained["new_labels"])
    new = write_rows(tmp_path / "new.csv", rows, ["clip", "transcript", "label"])   # no split, no speaker
    out = tmp_path / "predictions.csv"
    assert cli.main(["predict", "--model", str(trained["root"] / "model"), str(trained["new"]), "--labels", str(new),
                     "--out", str(out), "--quiet", "--jobs", "2"]) == 0
    table = pd.read_csv(out)
    assert list(table["clip"]) == [r["clip"] for r in rows]
    probs = table[["p_happy", "p_neutral", "p_sad"]].to_numpy()
    assert np.allclose(probs.sum(1), 1, atol=1e-5) and (probs >= 0).all()
    assert (table["predicted"] == np.array(["happy", "neutral", "sad"])[probs.argmax(1)]).all()


def test_the_saved_model_predicts_as_the_trained_one(trained):
    corpus = load_corpus(trained["root"] / "demo.npz")
    model = load_model(trained["root"] / "model")
    from_disk = predict(model, corpus.test)
    # the same clips through the folder: the features are extracted again, the predictions agree
    rows = [r for r in read_labels(trained["labels"]) if r["split"] == "test"]
    table = predict(model, trained["root"] / "clips", write_rows(trained["root"] / "test.csv", rows), progress=False)
    assert list(table["clip"]) == list(corpus.clip_names("test"))
    assert np.allclose(table.filter(like="p_").to_numpy(), from_disk.filter(like="p_").to_numpy(), atol=1e-4)
    confusion = np.zeros((3, 3), int)
    for t, p in zip(corpus.test.y.tolist(), from_disk["predicted"].map(corpus.classes.index)):
        confusion[t, p] += 1
    assert confusion.tolist() == trained["train"]["test"]["confusion"], "the card scores the model that was saved"


def test_predict_says_what_it_needs(trained, tmp_path, capsys):
    model = str(trained["root"] / "model")
    assert cli.main(["predict", "--model", model, str(trained["new"]), "--quiet"]) == 2
    assert "reads transcripts" in capsys.readouterr().err
    no_words = write_rows(tmp_path / "clips.csv", read_labels(trained["new_labels"]), ["clip"])
    assert cli.main(["predict", "--model", model, str(trained["new"]), "--labels", str(no_words), "--quiet"]) == 2
    assert "add a transcript column" in capsys.readouterr().err
    assert cli.main(["predict", "--model", str(tmp_path), str(trained["new"]), "--quiet"]) == 2
    assert "no saved model" in capsys.readouterr().err
    assert not (tmp_path / "predictions.csv").exists()
    (tmp_path / "a_folder").mkdir()
    assert cli.main(["predict", "--model", model, str(trained["new"]), "--labels", str(trained["new_labels"]),
                     "--out", str(tmp_path / "a_folder"), "--quiet"]) == 2
    assert "a_folder" in capsys.readouterr().err


def test_the_corpus_keeps_clip_and_speaker_names(trained):
    corpus = load_corpus(trained["root"] / "demo.npz")
    rows = {r["clip"]: r for r in read_labels(trained["labels"])}
    for split in ("train", "val", "test", "unlabeled"):
        names = corpus.clip_names(split)
        assert [rows[c]["split"] for c in names] == [split] * len(names)
        assert [rows[c]["speaker"] for c in names] == list(corpus.speaker_names(split))


def test_a_corpus_without_faces_trains_on_sound_and_words(trained, tmp_path, capsys):
    clips = tmp_path / "clips"
    shutil.copytree(trained["root"] / "clips", clips)
    for video in clips.glob("*.mp4"):
        video.unlink()
    result = extract(clips, trained["labels"], tmp_path / "nofaces.npz", jobs=2, progress=False)
    assert set(result["dropped"]) == {"V"} and result["skipped"] == {}
    corpus = load_corpus(tmp_path / "nofaces.npz")
    assert set(corpus.train.x) == {"A", "L"}
    path = str(tmp_path / "nofaces.npz")
    assert cli.main(["train", "cmdm", "--data", path, "--profile", "smoke", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["setting"] for r in out["results"]} == {"A alone", "L alone", "AL vanilla", "AL matched", "AL semi"}
    assert cli.main(["train", "easum", "--data", path, "--profile", "smoke", "--quiet",
                     "--save", str(tmp_path / "easum")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["modalities"] == "LA" and out["test"]["nofaces"]["n"] == 3
    model = load_model(tmp_path / "easum")
    assert model.method == "easum" and model.modalities == "LA"
    assert np.allclose(model.probabilities(corpus.test).sum(1), 1, atol=1e-5)


def test_easum_labels_must_have_a_place_in_easum9(trained, tmp_path, capsys):
    corpus = load_corpus(trained["root"] / "demo.npz")
    from affectkit.data.corpus import Corpus, save_corpus
    renamed = Corpus("moody", corpus.train, corpus.val, corpus.test)
    renamed.train.classes = renamed.val.classes = renamed.test.classes = ("happy", "melancholy", "sad")
    save_corpus(Corpus("moody", renamed.train, renamed.val, renamed.test), tmp_path / "moody.npz")
    args = ["train", "easum", "--data", str(tmp_path / "moody.npz"), "--profile", "smoke", "--quiet", "--epochs", "1"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "['melancholy'] have no place in EASUM-9" in err and "--map melancholy=" in err
    assert cli.main(args + ["--map", "melancholy=gloomy"]) == 2
    assert "not one of EASUM-9" in capsys.readouterr().err
    assert cli.main(args + ["--map", "melancholy=neutral"]) == 0


def test_easum_over_two_corpora_saves_one_model_each(tmp_path, capsys):
    """A sentiment corpus and an emotion corpus (the synthetic MOSI- and IEMOCAP-like domains): one DS model per
    corpus under DIR/<corpus>; the sentiment one predicts intensities, the emotion one probabilities."""
    from affectkit.data import make_domains
    from affectkit.data.corpus import Corpus, save_corpus
    from affectkit.data.labels import COMMON9

    domains = make_domains("smoke", seed=0)
    paths = []
    for name in ("mosi", "iemocap"):
        d = domains[name]
        corpus = Corpus(name, d.train, d.val, d.test, task=d.task, space=COMMON9 if d.task == "sentiment" else d.space)
        paths += ["--data", str(save_corpus(corpus, tmp_path / f"{name}.npz"))]
    assert cli.main(["train", "easum", *paths, "--profile", "smoke", "--quiet", "--save", str(tmp_path / "m")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["saved"] == [str(tmp_path / "m" / "mosi"), str(tmp_path / "m" / "iemocap")]
    assert out["test"]["mosi"] is None and out["test"]["iemocap"]["n"] == len(domains["iemocap"].test)
    with pytest.raises(FileNotFoundError, match=r"one model per corpus \(\['iemocap', 'mosi'\]\)"):
        load_model(tmp_path / "m")
    sentiment = predict(load_model(tmp_path / "m" / "mosi"), domains["mosi"].test)
    assert list(sentiment.columns) == ["clip", "sentiment"] and len(sentiment) == len(domains["mosi"].test)
    emotion = predict(load_model(tmp_path / "m" / "iemocap"), domains["iemocap"].test)
    assert np.allclose(emotion.filter(like="p_").sum(axis=1), 1, atol=1e-5)


def test_a_sound_only_corpus_all_the_way(trained, tmp_path, capsys):
    """No videos, no transcript column: A only. Train, explore, and predict a folder without a labels file
    (its clips named by their file stems)."""
    clips = tmp_path / "clips"
    shutil.copytree(trained["root"] / "clips", clips)
    for video in clips.glob("*.mp4"):
        video.unlink()
    rows = read_labels(trained["labels"])
    labels = write_rows(tmp_path / "labels.csv", rows, ["clip", "label", "speaker", "split"])
    result = extract(clips, labels, tmp_path / "a.npz", jobs=2, progress=False)
    assert set(result["dropped"]) == {"V", "L"} and set(result["corpus"].train.x) == {"A"}
    path = str(tmp_path / "a.npz")
    assert cli.main(["train", "cmdm", "--data", path, "--profile", "smoke", "--quiet", "--save", str(tmp_path / "m")]) == 0
    assert json.loads(capsys.readouterr().out)["headline"] == "A alone"
    assert cli.main(["explore", "--data", path, "--out", str(tmp_path / "maps"), "--profile", "smoke",
                     "--projection", "pca", "--quiet"]) == 0
    assert set(json.loads(capsys.readouterr().out)["numbers"]) == {"vanilla"}, "nothing to match with one modality"
    new = tmp_path / "new"
    new.mkdir()
    for wav in sorted(trained["new"].glob("*.wav"))[:4]:
        shutil.copy(wav, new / wav.name)
    table = predict(load_model(tmp_path / "m"), new, progress=False)
    assert list(table["clip"]) == sorted(p.stem for p in new.glob("*.wav"))
    assert "Trained at the smoke profile" in (tmp_path / "m" / "card.md").read_text()


def test_extract_names_a_speaker_in_two_splits(trained, tmp_path, capsys):
    rows = read_labels(trained["labels"])
    moved = [{**r, "speaker": "s1"} if r["split"] == "test" else r for r in rows]
    labels = write_rows(tmp_path / "labels.csv", moved)
    assert cli.main(["extract", str(trained["root"] / "clips"), "--labels", str(labels), "--out",
                     str(tmp_path / "c.npz"), "--quiet"]) == 0
    assert "(['s1'])" in capsys.readouterr().err


def test_a_new_clip_without_a_face_is_still_predicted(trained, tmp_path):
    import cv2

    new = tmp_path / "new"
    shutil.copytree(trained["new"], new)
    rows = read_labels(trained["new_labels"])
    faceless = rows[0]["clip"]
    video = cv2.VideoWriter(str(new / f"{faceless}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 64), False)
    for _ in range(30):
        video.write(np.full((64, 64), 128, np.uint8))
    video.release()
    table = predict(load_model(trained["root"] / "model"), new, new / "labels.csv", progress=False)
    assert len(table) == len(rows) and table.attrs["skipped"] == {}
    row = table.set_index("clip").loc[faceless]
    assert row["missing"].startswith("V: ") and "face" in row["missing"]
    assert (table["missing"] == "").sum() == len(rows) - 1
    assert np.allclose(table.filter(like="p_").sum(axis=1), 1, atol=1e-5)

"""A corpus no classifier can learn from is refused, with a message, before anything is written:
one class, an empty split, a class the train split never shows; a labels CSV handed where a corpus
file goes; a clip that is missing altogether. A speaker in two splits is a warning."""

import numpy as np
import pytest

from affectkit.data import MultimodalDataset
from affectkit.data.corpus import Corpus, check_learnable, load_corpus
from affectkit.features.clips import clip_features
from affectkit.features.extract import read_labels

CLASSES = ("happy", "sad", "angry")


def split(y, speakers, name):
    n = len(y)
    return MultimodalDataset(x={"A": np.zeros((n, 3), np.float32)}, y=np.asarray(y), classes=CLASSES,
                             speaker=np.asarray(speakers), name=name)


def corpus(train_y=(0, 1, 0, 1), val_y=(0, 1), test_y=(1, 0), speakers=((0, 0, 1, 1), (2, 2), (3, 3))):
    return Corpus("mine", split(train_y, speakers[0], "mine/train"), split(val_y, speakers[1], "mine/val"),
                  split(test_y, speakers[2], "mine/test"))


def test_a_learnable_corpus_passes_quietly():
    assert check_learnable(corpus()) == []


def test_one_class_empty_split_and_unseen_classes_are_refused():
    with pytest.raises(ValueError, match="train split holds 1 class.*at least 2"):
        check_learnable(corpus(train_y=(0, 0, 0, 0)))
    with pytest.raises(ValueError, match="empty"):   # MultimodalDataset refuses it first
        check_learnable(corpus(test_y=(), speakers=((0, 0, 1, 1), (2, 2), ())))
    with pytest.raises(ValueError, match=r"\['angry'\] appear in test but never in train"):
        check_learnable(corpus(test_y=(2, 0)))


def test_a_speaker_in_two_splits_is_a_warning():
    (warning,) = check_learnable(corpus(speakers=((0, 0, 1, 1), (1, 2), (3, 3))))
    assert "more than one of train / val / test" in warning and "[1]" in warning


def test_a_labels_csv_is_not_a_corpus(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("clip,label,speaker,transcript,split\n")
    with pytest.raises(ValueError, match="is a labels file, not a corpus: run `python -m affectkit extract"):
        load_corpus(labels)


def labels_file(tmp_path, rows):
    path = tmp_path / "labels.csv"
    path.write_text("clip,label,speaker,transcript,split\n" + "\n".join(",".join(r) for r in rows) + "\n")
    return path


def test_labels_that_cannot_be_learned_are_refused_before_extraction(tmp_path):
    one_class = [("a.wav", "happy", "s1", "hi", "train"), ("b.wav", "happy", "s1", "hi", "train"),
                 ("c.wav", "happy", "s2", "hi", "val"), ("d.wav", "happy", "s3", "hi", "test")]
    with pytest.raises(ValueError, match="train clips have 1 label"):
        read_labels(labels_file(tmp_path, one_class))
    unseen = [("a.wav", "happy", "s1", "hi", "train"), ("b.wav", "sad", "s1", "hi", "train"),
              ("c.wav", "happy", "s2", "hi", "val"), ("d.wav", "angry", "s3", "hi", "test")]
    with pytest.raises(ValueError, match=r"\['angry'\] appear in test but never in train"):
        read_labels(labels_file(tmp_path, unseen))


def test_a_missing_clip_is_named_missing(tmp_path):
    reason = clip_features(str(tmp_path), "nowhere.mp4", str(tmp_path / "part.npz"))["clip"]
    assert reason.startswith("missing: no file named nowhere.mp4")
    assert not (tmp_path / "part.npz").exists()


@pytest.mark.parametrize("rows, message", [
    ([("a", "happy", "train"), ("b", "sad", "train"), ("c", "happy", "val"), ("d", "sad", "test")],
     "3 clip(s) listed have no file"),
    ([("a", "happy", "train"), ("a2", "happy", "train"), ("c", "happy", "val"), ("d", "happy", "test")],
     "a classifier needs at least 2"),
    ([("a", "happy", "train"), ("b", "sad", "train"), ("c", "happy", "val")], r"no clip in split(s) ['test']"),
], ids=["missing_clips", "one_class", "empty_split"])
def test_the_cli_refuses_and_writes_nothing(tmp_path, capsys, rows, message):
    from affectkit.tools import cli

    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.wav").write_bytes(b"")
    labels = tmp_path / "labels.csv"
    labels.write_text("clip,label,speaker,transcript,split\n" + "".join(f"{c},{y},s,hello,{s}\n" for c, y, s in rows))
    out = tmp_path / "corpus.npz"
    assert cli.main(["extract", str(folder), "--labels", str(labels), "--out", str(out), "--quiet"]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips", "labels.csv"], "nothing written"

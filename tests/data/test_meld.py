"""The MELD loader on tiny invented files in MELD's format (no corpus rows)."""

import pytest

from affectkit.data.meld import load_meld, meld_dir, read_csv

from ..corpora import HEADER, ROWS, write


def test_reads_a_meld_csv(tmp_path):
    df = read_csv(write(tmp_path / "dev_sent_emo.csv"))
    assert list(df.columns) == ["text", "speaker", "emotion", "sentiment", "dialogue", "utterance",
                                "emotion_id", "sentiment_id"]
    assert df.text.tolist() == ["Well, the kettle’s on again.", "I can’t believe it!", "Leave me alone."]
    assert df.emotion_id.tolist() == [0, 1, 6] and df.sentiment_id.tolist() == [0, 1, 2]
    assert df.dialogue.tolist() == [0, 0, 1]


def test_encoding_quirks(tmp_path):
    mojibake = [r.replace("’", "â€™") for r in ROWS]
    df = read_csv(write(tmp_path / "a.csv", mojibake))
    assert df.text[1] == "I can’t believe it!"
    df = read_csv(write(tmp_path / "b.csv", encoding="cp1252"))  # a file saved as cp1252
    assert df.text[1] == "I can’t believe it!"


def test_bad_files_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match=r"c.csv: missing columns \['Emotion'\]"):
        read_csv(write(tmp_path / "c.csv", [r.replace(",neutral,neutral", ",neutral") for r in ROWS[:1]],
                       HEADER.replace("Emotion,", "")))
    with pytest.raises(ValueError, match=r"d.csv: unknown emotion labels \['happy'\]"):
        read_csv(write(tmp_path / "d.csv", [ROWS[0].replace("neutral,neutral", "happy,neutral")]))
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(ValueError, match="e.csv: the file is empty"):
        read_csv(tmp_path / "e.csv")


def test_load_meld_takes_the_splits_present(tmp_path):
    write(tmp_path / "train_sent_emo.csv")
    write(tmp_path / "test_sent_emo.csv")
    data = load_meld(tmp_path)
    assert list(data) == ["train", "test"] and len(data["train"]) == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="none of MELD's files"):
        load_meld(empty)
    with pytest.raises(FileNotFoundError, match="no MELD directory found"):
        meld_dir(tmp_path / "missing")


def test_meld_dir_lookup_order(tmp_path, monkeypatch):
    from pathlib import Path

    import affectkit.data.meld as meld

    root = Path(__file__).resolve().parents[2]
    assert meld.REPO_MELD_DIR == root / "data" / "meld"
    assert "data/meld/" in (root / ".gitignore").read_text().splitlines(), "MELD's files stay git-ignored"
    named, env, repo = (tmp_path / d for d in ("named", "env", "repo"))
    for d in (named, env, repo):
        d.mkdir()
    monkeypatch.setattr(meld, "REPO_MELD_DIR", repo)
    monkeypatch.setenv("AFFECTKIT_MELD_DIR", str(env))
    assert meld_dir(named) == named and meld_dir() == env
    monkeypatch.setenv("AFFECTKIT_MELD_DIR", str(tmp_path / "gone"))
    assert meld_dir() == repo
    monkeypatch.delenv("AFFECTKIT_MELD_DIR")
    assert meld_dir() == repo
    monkeypatch.setattr(meld, "REPO_MELD_DIR", tmp_path / "no-repo-copy")
    with pytest.raises(FileNotFoundError, match="no-repo-copy"):
        meld_dir()

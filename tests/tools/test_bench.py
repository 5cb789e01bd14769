"""python -m affectkit.tools.bench meld on tiny invented MELD files (no corpus rows)."""
import json

from affectkit.tools import bench

from ..corpora import ROWS, write


def test_meld_prints_scores_as_json(tmp_path, capsys):
    write(tmp_path / "train_sent_emo.csv", ROWS * 3)
    write(tmp_path / "dev_sent_emo.csv")
    assert bench.main(["meld", "--data-dir", str(tmp_path), "--split", "dev", "--epochs", "1", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"weighted_f1", "accuracy", "per_class_f1", "split", "n", "seconds"} <= set(out)
    assert out["split"] == "dev" and out["n"] == 3 and 0 <= out["weighted_f1"] <= 1
    assert set(out["per_class_f1"]) == {"neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"}


def test_meld_context_prints_scores_beside_the_same_encoders(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_CACHE_DIR", str(tmp_path / "cache"))
    write(tmp_path / "train_sent_emo.csv", ROWS * 3)
    write(tmp_path / "dev_sent_emo.csv")
    args = ["meld", "--data-dir", str(tmp_path), "--epochs", "1", "--dialogue-epochs", "1", "--quiet", "--context"]
    assert bench.main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["context"] == "both" and out["n"] == 3 and 0 <= out["weighted_f1"] <= 1   # the best on dev
    assert set(out["context_free"]) == {"weighted_f1", "accuracy", "per_class_f1"} and set(out["confidence"]) == {
        "train", "dev", "full_train"}
    assert bench.main(args + ["past", "--window", "2", "--no-speakers"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["context"], out["window"], out["speakers"]) == ("past", 2, False)


def test_missing_split_or_directory_is_a_clear_error(tmp_path, capsys):
    write(tmp_path / "train_sent_emo.csv")
    assert bench.main(["meld", "--data-dir", str(tmp_path), "--split", "test"]) == 2
    assert "no MELD test file (test_sent_emo.csv)" in capsys.readouterr().err
    assert bench.main(["meld", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "no MELD directory found" in capsys.readouterr().err


def test_default_folder_is_the_environment_then_the_repository(tmp_path, monkeypatch, capsys):
    import affectkit.data.meld as meld

    monkeypatch.delenv("AFFECTKIT_MELD_DIR", raising=False)
    monkeypatch.setattr(meld, "REPO_MELD_DIR", tmp_path / "data" / "meld")
    assert bench.main(["meld"]) == 2
    assert str(tmp_path / "data" / "meld") in capsys.readouterr().err
    monkeypatch.setenv("AFFECTKIT_MELD_DIR", str(tmp_path))
    write(tmp_path / "train_sent_emo.csv")
    assert bench.main(["meld", "--split", "test"]) == 2
    assert f"{tmp_path}: no MELD test file" in capsys.readouterr().err

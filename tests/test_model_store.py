"""The model store: models notebooks share, found by a key derived from their kind, setting, profile and seed."""

import pytest


def test_shared_models_are_found_by_a_hash_of_their_setting(tmp_path, monkeypatch, smoke_world):
    """A notebook finds another's model by the key of its setting, profile and seed, whatever
    way the setting was written; a checkpoint of another setting, training length, profile
    or seed is not taken for it, and no notebook's name is part of the key."""
    from affectkit import model_store
    from affectkit.cmdm import CMDM, CMDMLoss
    from affectkit.cmdm.experiments import Setting, collapse_settings
    from affectkit.teach.lessons.collapse import COLLAPSE_BETA, COLLAPSE_SIGMA

    monkeypatch.setenv("AFFECTKIT_CHECKPOINT_DIR", str(tmp_path))
    written = Setting(CMDMLoss(reconstruction=False, unpaired=False, beta=0.2, sigma=1.0))
    key = model_store.model_key("cmdm", "smoke", 0, setting=written)
    assert key == model_store.model_key("cmdm", "smoke", 0, setting=collapse_settings(COLLAPSE_BETA, COLLAPSE_SIGMA)["mmd_only"])
    assert key != model_store.model_key("cmdm", "smoke", 0, setting=collapse_settings(0.3, COLLAPSE_SIGMA)["mmd_only"])
    assert key != model_store.model_key("cmdm", "smoke", 1, setting=written)
    assert key != model_store.model_key("cmdm", "lab", 0, setting=written)
    model = CMDM(smoke_world.train.shapes, 4, "smoke")
    path = model_store.save_cmdm(model, written, "smoke", 0)
    assert path == tmp_path / "cmdm" / f"{key}.pt"
    trained = []

    def train():
        trained.append(1)
        return model

    study = collapse_settings(COLLAPSE_BETA, COLLAPSE_SIGMA)
    found = model_store.load_or_train("cmdm", train, "smoke", 0, setting=study["mmd_only"])
    assert found[1] == "checkpoint" and not trained
    for other in (dict(setting=collapse_settings(0.5, COLLAPSE_SIGMA)["mmd_only"]), dict(setting=written, epochs=3)):
        assert model_store.load_or_train("cmdm", train, "smoke", 0, **other)[1] == "trained"
    assert model_store.load_or_train("cmdm", train, "smoke", 1, setting=written)[1] == "trained"
    assert len(trained) == 3


def test_a_checkpoint_under_another_key_is_not_taken(tmp_path, monkeypatch, smoke_world):
    """A file copied to another setting's key (or saved by an older kit) is retrained, not trusted."""
    import shutil

    from affectkit import model_store
    from affectkit.cmdm import CMDM
    from affectkit.cmdm.experiments import collapse_settings
    from affectkit.teach.lessons.collapse import COLLAPSE_BETA, COLLAPSE_SIGMA

    monkeypatch.setenv("AFFECTKIT_CHECKPOINT_DIR", str(tmp_path))
    study = collapse_settings(COLLAPSE_BETA, COLLAPSE_SIGMA)
    a, b = study["vanilla"], study["mmd_only"]
    model = CMDM(smoke_world.train.shapes, 4, "smoke")
    shutil.copy(model_store.save_cmdm(model, a, "smoke", 0), model_store.model_path("cmdm", "smoke", 0, setting=b))
    assert model_store.load_or_train("cmdm", lambda: model, "smoke", 0, setting=b)[1] == "trained"
    with pytest.raises(ValueError, match="kind must be one of"):
        model_store.model_key("cmdm-v2", "smoke", 0)

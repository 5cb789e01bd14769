"""The one training loop (affectkit.loop), the one profile registry, and the
scan that keeps each idea written once."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

import affectkit
from affectkit import loop
from affectkit.config import PROFILES, CMDMArch, EASUMArch, EASUMTraining, MeldRun

LIBRARY = Path(affectkit.__file__).parent


class Line(loop.Step):
    """y = 2x + 1 by gradient descent; validation = minus the distance of the weights to (2, 1),
    optionally replaced by a scripted sequence of scores."""

    def __init__(self, scores=None, n_batches=4, poison_at=None):
        torch.manual_seed(0)
        self.model = torch.nn.Linear(1, 1)
        self.x = torch.linspace(-1, 1, 32).unsqueeze(1)
        self.y = 2 * self.x + 1
        self.scores, self.n_batches, self.poison_at, self.calls = scores, n_batches, poison_at, 0

    def batches(self, epoch):
        return [(self.x[i::self.n_batches], self.y[i::self.n_batches]) for i in range(self.n_batches)]

    def terms(self, batch):
        x, y = batch
        mse = (self.model(x) - y).pow(2).mean()
        self.calls += 1
        if self.poison_at == self.calls:
            mse = mse * float("nan")
        return {"mse": mse, "total": mse}

    def validate(self):
        if self.scores is not None:
            return {"score": self.scores.pop(0)}
        w, b = self.model.weight.item(), self.model.bias.item()
        return {"score": -math.hypot(w - 2, b - 1)}


def sgd(step, lr=0.3):
    return torch.optim.SGD(step.model.parameters(), lr=lr)


def test_history_has_every_term_and_validation():
    step = Line()
    run = loop.train(step, sgd(step), 5, select="score", progress=False)
    assert list(run.history.columns) == ["epoch", "mse", "total", "score"]
    assert run.history["mse"].iloc[-1] < run.history["mse"].iloc[0]
    assert run.best_epoch == 4 and run.best_score == pytest.approx(run.history["score"].max())


@pytest.mark.parametrize("mode, best", [("max", 1), ("min", 2)])
def test_selection_restores_the_best_weights(mode, best):
    step = Line(scores=[0.1, 0.9, 0.0, 0.5])
    weights = []
    original = step.validate

    def remember():
        weights.append(step.model.weight.item())
        return original()

    step.validate = remember
    run = loop.train(step, sgd(step), 4, select="score", mode=mode, progress=False)
    assert run.best_epoch == best and step.model.weight.item() == weights[best]


def test_early_stopping_and_eval_every():
    step = Line(scores=[0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
    run = loop.train(step, sgd(step), 6, select="score", patience=2, progress=False)
    assert list(run.history["epoch"]) == [0, 1, 2], "two validations without improvement, then stop"
    step = Line()
    run = loop.train(step, sgd(step), 5, select="score", eval_every=2, progress=False)
    assert run.history["score"].notna().tolist() == [False, True, False, True, True], "every 2nd and the last"


def test_without_selection_the_last_weights_stay():
    step = Line()
    run = loop.train(step, sgd(step), 3, progress=False, timed=True, bar="steps")
    assert run.best_epoch == 2 and math.isnan(run.best_score) and (run.history["seconds"] > 0).all()


def test_a_scheduler_is_stepped_after_every_batch():
    step = Line(n_batches=4)
    optimizer = sgd(step, lr=1.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: 1 / (1 + i))
    loop.train(step, optimizer, 2, scheduler=schedule, progress=False)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1 / 9)


def test_divergence_names_the_term_and_the_step():
    step = Line(poison_at=6)   # epoch 1, step 1 (4 batches per epoch)
    with pytest.raises(loop.TrainingDiverged, match=r"loss component mse is nan at epoch 1, step 1"):
        loop.train(step, sgd(step), 3, progress=False)


def test_weighted_means():
    class Weighted(Line):
        def weight(self, batch):
            return len(batch[0])

    step = Weighted(n_batches=3)   # batches of 11, 11 and 10
    run = loop.train(step, sgd(step, lr=0.0), 1, progress=False)
    per = [(step.model(x) - y).pow(2).mean().item() for x, y in step.batches(0)]
    assert run.history["mse"][0] == pytest.approx(np.average(per, weights=[11, 11, 10]))


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=0), r"epochs must be >= 1"), (dict(mode="best"), r"mode must be 'max' or 'min'"),
    (dict(bar="dots"), r"bar must be"), (dict(eval_every=0), r"eval_every must be >= 1"),
    (dict(select="score", scores=[float("nan")] * 2, epochs=2), r"every 'score' was NaN")])
def test_bad_input_loop(kwargs, match):
    step = Line(scores=kwargs.pop("scores", None))
    args = {"epochs": 2, "progress": False, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        loop.train(step, sgd(step), **args)


def test_every_method_trains_through_the_one_loop(monkeypatch, smoke_world):
    """CMDM, a DAE, the DG and DS models and the text classifier: each supplies a Step."""
    from affectkit import cmdm, easum, text

    seen = []
    real = loop.train

    def spy(step, *args, **kwargs):
        seen.append(type(step).__name__)
        return real(step, *args, **kwargs)

    monkeypatch.setattr(loop, "train", spy)
    w = smoke_world
    cmdm.fit(cmdm.CMDM(w.train.shapes, 4, "smoke"), w.train, w.val, w.unlabeled, epochs=1, progress=False)
    cmdm.fit_autoencoder(cmdm.make_dae("A", w.train.shapes["A"], "smoke"), w.train, w.val, "A", epochs=1,
                         progress=False)
    prepared = easum.prepare_domains(affectkit.make_domains("smoke", seed=0))
    shapes = prepared["mosi"]["train"].shapes
    dg = easum.fit_dg(easum.DGModel(shapes, "smoke"), prepared, epochs=1, batch_size=16, progress=False).model
    easum.fit_ds(easum.DSModel(shapes, "sentiment", arch="smoke"), dg, prepared["mosi"]["train"],
                 prepared["mosi"]["val"], "sentiment", epochs=1, batch_size=16, progress=False)
    text.fit_text_classifier(["a b", "c d", "e f", "g h"], [0, 1, 0, 1], 2, epochs=1, batch_size=2, progress=False)
    assert seen == ["CMDMStep", "AutoencoderStep", "DGStep", "DSStep", "TextStep"]


def test_one_registry_holds_every_size():
    for name, prof in PROFILES.items():
        assert isinstance(prof.cmdm_arch, CMDMArch) and isinstance(prof.easum_arch, EASUMArch)
        assert isinstance(prof.easum_training, EASUMTraining) and isinstance(prof.meld_run, MeldRun)
    from affectkit.cmdm import CMDM
    from affectkit.easum.experiments import training_for
    from affectkit.text.experiments import meld_run

    assert CMDM({"A": (16,)}, 4, "smoke").arch is PROFILES["smoke"].cmdm_arch
    assert training_for("lab") is PROFILES["lab"].easum_training and meld_run("paper") is PROFILES["paper"].meld_run
    keyed = [str(p.relative_to(LIBRARY)) for p in LIBRARY.rglob("*.py") if p.name != "config.py"
             and re.search(r'^\s*"(smoke|lab|paper)":', p.read_text(), flags=re.M)]
    assert keyed == [], f"per-profile tables outside affectkit/config.py: {keyed}"


@pytest.mark.parametrize("pattern, home, idea", [
    (r"\.backward\(\)", "loop.py", "a training loop"),
    (r"os\.replace\(|\.replace\(path\)|mkstemp\(", "files.py", "an atomic writer"),
    (r"\.sum\(1\) / (np\.maximum\(|\w+\.sum\(1\))", "data/transforms.py", "a masked mean pooling"),
    (r"while True:\s*\n\s*yield from", "data/dataset.py", "an endless batch cycle"),
])
def test_each_idea_is_written_once(pattern, home, idea):
    """The duplicate scan of issue 14: one loop, one pooling, one writer, one cycle."""
    places = sorted(str(p.relative_to(LIBRARY)) for p in LIBRARY.rglob("*.py")
                    if re.search(pattern, p.read_text()))
    assert places == [home], f"{idea} is written in {places}, not only in {home}"


def test_shared_models_are_found_by_a_hash_of_their_setting(tmp_path, monkeypatch, smoke_world):
    """Notebook 07 finds notebook 03's model whatever way the setting was written, and
    a checkpoint of another setting is not taken for it."""
    from affectkit import model_store
    from affectkit.cmdm import CMDM, CMDMLoss
    from affectkit.cmdm.experiments import Setting, collapse_settings
    from affectkit.lessons.collapse import COLLAPSE_BETA, COLLAPSE_SIGMA

    monkeypatch.setenv("AFFECTKIT_CHECKPOINT_DIR", str(tmp_path))
    written = Setting(CMDMLoss(reconstruction=False, unpaired=False, beta=0.2, sigma=1.0))
    study = collapse_settings(COLLAPSE_BETA, COLLAPSE_SIGMA)["mmd_only"]   # as notebook 07 writes it
    assert model_store.setting_key(written) == model_store.setting_key(study)
    other = collapse_settings(0.3, COLLAPSE_SIGMA)["mmd_only"]
    assert model_store.setting_key(written) != model_store.setting_key(other)
    model = CMDM(smoke_world.train.shapes, 4, "smoke")
    model_store.save_cmdm("03_mmd_collapse", "mmd_only", model, "smoke", 0, written)
    trained = []

    def train():
        trained.append(1)
        return model

    found = model_store.load_or_train("cmdm", "03_mmd_collapse", "mmd_only", train, profile="smoke", seed=0,
                                      setting=study)
    assert found[1] == "checkpoint" and not trained
    other = model_store.load_or_train("cmdm", "03_mmd_collapse", "mmd_only", train, profile="smoke", seed=0,
                                      setting=collapse_settings(0.5, COLLAPSE_SIGMA)["mmd_only"])
    assert other[1] == "trained" and trained
    anyone = model_store.load_or_train("cmdm", "03_mmd_collapse", "mmd_only", train, profile="smoke", seed=0)
    assert anyone[1] == "checkpoint", "without a setting, whatever notebook 03 trained"

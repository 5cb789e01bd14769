"""The one fit, its training loop and the one predict (affectkit.loop)."""

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import affectkit
from affectkit import loop

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


def test_every_method_fits_through_the_one_fit(monkeypatch, smoke_world):
    """CMDM, a DAE, the DG and DS models and the text classifier: each supplies only a Step to
    loop.fit, and each returns the one result type, its best score the best of its history."""
    from affectkit import cmdm, easum, text

    steps, fits = [], []
    real_train, real_fit = loop.train, loop.fit

    def spy_train(step, *args, **kwargs):
        steps.append(type(step).__name__)
        return real_train(step, *args, **kwargs)

    def spy_fit(*args, **kwargs):
        fits.append(kwargs.get("select"))
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(loop, "train", spy_train)
    monkeypatch.setattr(loop, "fit", spy_fit)
    w = smoke_world
    results = [cmdm.fit(cmdm.CMDM(w.train.shapes, 4, "smoke"), w.train, w.val, w.unlabeled, epochs=2,
                        progress=False),
               cmdm.fit_autoencoder(cmdm.make_dae("A", w.train.shapes["A"], "smoke"), w.train, w.val, "A",
                                    epochs=2, progress=False)]
    prepared = easum.prepare_domains(affectkit.make_domains("smoke", seed=0))
    shapes = prepared["mosi"].shapes
    results.append(easum.fit_dg(easum.DGModel(shapes, "smoke"), prepared, epochs=2, batch_size=16, progress=False))
    results.append(easum.fit_ds(easum.DSModel(shapes, "sentiment", arch="smoke"), results[-1].model,
                                prepared["mosi"].train, prepared["mosi"].val, "sentiment", epochs=2, batch_size=16,
                                progress=False))
    results.append(text.fit_text_classifier(["a b", "c d", "e f", "g h"], [0, 1, 0, 1], 2, epochs=1, batch_size=2,
                                            progress=False))
    assert steps == ["CMDMStep", "AutoencoderStep", "DGStep", "DSStep", "TextStep"]
    assert fits == ["val_ua", "val_mse", "val_acc", "score", None]
    assert all(type(r) is loop.FitResult for r in results)
    for r, select, best in zip(results, fits, (max, min, max, max)):
        assert r.best_score == best(r.history[select]), select
        assert r.history[select].iloc[r.best_epoch] == r.best_score
    assert math.isnan(results[-1].best_score) and results[-1].notes == {"truncated": 0}


def test_fit_seeds_before_the_model_is_built_and_selects():
    """A model built by fit (a function) starts from weights that follow the seed; the step
    sees the model on its device; the kept epoch is the best validation."""
    made = []

    def make_step(model, device):
        step = Line(scores=[0.1, 0.9, 0.0])
        step.model = model
        made.append((model, device))
        return step

    runs = [loop.fit(lambda: torch.nn.Linear(1, 1), make_step, 3, 0.3, seed=seed, device="cpu",
                     optimizer="adamw", select="score", progress=False) for seed in (5, 5, 6)]
    first = [r.history.mse[0] for r in runs]
    assert first[0] == first[1] != first[2], "the same seed, the same start; another seed, another"
    assert all(r.best_epoch == 1 and r.best_score == 0.9 for r in runs)
    assert made[0][0] is runs[0].model and made[0][1] == torch.device("cpu")
    with pytest.raises(ValueError, match="optimizer must be 'adam' or 'adamw'"):
        loop.fit(torch.nn.Linear(1, 1), make_step, 1, 0.1, optimizer="sgd", progress=False)
    with pytest.raises(ValueError, match="lr must be in"):
        loop.fit(torch.nn.Linear(1, 1), make_step, 1, 0.0, progress=False)


def test_the_default_batches_shuffle_the_train_split_anew_each_epoch(smoke_world):
    step = loop.Step(torch.nn.Linear(1, 1), smoke_world.train, batch_size=16, seed=3)
    order = [torch.cat([b["index"] for b in step.batches(epoch)]) for epoch in (0, 0, 1)]
    assert torch.equal(order[0], order[1]) and not torch.equal(order[0], order[2])
    assert sorted(order[0].tolist()) == list(range(len(smoke_world.train)))
    expected = torch.cat([b["index"] for b in smoke_world.train.batches(16, shuffle=True, seed=3001)])
    assert torch.equal(order[2], expected), "seed * 1000 + epoch"
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        loop.Step(torch.nn.Linear(1, 1), smoke_world.train, batch_size=0)


def test_a_steps_notes_reach_the_result():
    class Noted(Line):
        def notes(self):
            return {"seen": self.calls}

    step = Noted()
    assert loop.train(step, sgd(step), 2, progress=False).notes == {"seen": 8}


def test_predict_gathers_every_output_in_the_order_of_the_split(smoke_world):
    """One collector for every method: rows in split order, nested dicts kept, per-batch
    numbers as a list, only the kept keys, the model in eval mode."""
    class Echo(torch.nn.Module):
        def forward(self, x, mask):
            return {"a": x["A"][:, :2], "both": {"first": x["A"][:, 0], "n": x["A"][:, :1] * 0 + len(x["A"])},
                    "unused": x["A"]}

    ds = smoke_world.test
    model = Echo().train()
    out = loop.predict(model, ds, keep=("a", "both"), batch_size=7, device="cpu")
    assert set(out) == {"a", "both"} and not model.training
    assert np.array_equal(out["a"], ds.x["A"][:, :2].numpy())
    assert np.array_equal(out["both"]["first"], ds.x["A"][:, 0].numpy())
    sizes = out["both"]["n"][:, 0]
    assert sizes[:7].tolist() == [7] * 7 and sizes[-1] == len(ds) - 7 * (-(-len(ds) // 7) - 1)
    totals = loop.predict(model, ds, lambda m, b: {"total": float(len(b["y"]))}, batch_size=7, device="cpu")
    assert totals["total"] == [float(len(b["y"])) for b in ds.batches(7)]

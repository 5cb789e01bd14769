"""The paper profile starts correctly on a CPU: every paper-size model is built with the
papers' dimensions and takes one training step (its objective, backward, Adam) on a
reduced batch of random inputs of the paper's shapes. No GPU and no paper-size world
are needed (those are the GPU runs of benchmarks/RESULTS.md)."""

import warnings

import pytest
import torch

from affectkit.cmdm import CMDM, CMDMLoss
from affectkit.config import PROFILES
from affectkit.easum import DGModel, DSModel, dg_loss, ds_loss

PAPER = PROFILES["paper"]


def _batch(shapes, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = {m: torch.randn(n, *s, generator=g) for m, s in shapes.items()}
    mask = {m: torch.ones(n, s[0], dtype=torch.bool) for m, s in shapes.items() if len(s) == 2}
    for m in mask:   # a real sequence ends with padding
        mask[m][:, -2:] = False
    return x, mask


def _step(model, loss_fn):
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss = loss_fn()
    assert torch.isfinite(loss), loss
    loss.backward()
    opt.step()
    moved = sum(not torch.equal(a, p) for a, p in zip(before, model.parameters()))
    assert moved > 0.9 * len(before), f"only {moved} of {len(before)} parameter tensors moved"
    return float(loss)


def test_cmdm_paper_step():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the visual transformer's 4 heads become 3 (342 = 2 x 3^2 x 19)
        model = CMDM(PAPER.shapes, 4, "paper")
    assert model.arch.latent == 128
    x, mask = _batch(PAPER.shapes, 6)
    xu, masku = _batch(PAPER.shapes, 6, seed=1)
    y = torch.tensor([0, 1, 2, 3, 0, 1])
    loss = CMDMLoss(sigma="median")
    gen = torch.Generator().manual_seed(0)

    def objective():
        ls = loss.supervised_terms(model(x, mask), y, mask, gen)["total"]
        return ls + loss.omega * loss.unsupervised_terms(model(xu, masku), masku, gen)["total"]
    _step(model, objective)


@pytest.mark.parametrize("which", ["dg", "ds-sentiment", "ds-emotion"])
def test_easum_paper_step(which):
    shapes = PAPER.domain_shapes
    x, mask = _batch(shapes, 2)
    if which == "dg":
        model = DGModel(shapes, "paper")
        assert model.encoder.config.hidden_size == PAPER.easum_arch.hidden
        x2, mask2 = _batch(shapes, 2, seed=1)

        def objective():
            outputs = {"mosi": model(x, mask), "meld": model(x2, mask2)}
            targets = {"mosi": torch.tensor([0, 2]), "meld": torch.tensor([3, 5])}
            return dg_loss(outputs, targets, {"mosi": "sentiment", "meld": "emotion"}, omega=0.1)["total"]
    else:
        task = which.split("-")[1]
        model = DSModel(shapes, task, n_classes=7, arch="paper")
        assert model.encoder.config.num_hidden_layers == PAPER.easum_arch.ds_layers[task]
        target = torch.tensor([1.5, -0.5]) if task == "sentiment" else torch.tensor([2, 6])
        teacher = torch.randn(2, 9 if task == "sentiment" else 3)

        def objective():
            return ds_loss(model(x, mask), target, teacher, task, eta=0.5)["total"]
    _step(model, objective)

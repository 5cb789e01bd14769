"""fit_ds's ``loss=``: the DS step minimises the loss it is given (a student's L_DS in lab 4),
in this process; the default is the kit's ds_loss."""

import torch

from affectkit.data.domains import make_domains
from affectkit.easum import DGModel, DSModel, ds_loss, fit_dg, fit_ds, prepare_domains


def _fit(mosi, teacher, **kwargs):
    torch.manual_seed(3)
    return fit_ds(DSModel(mosi.train.shapes, "sentiment", arch="smoke"), teacher, mosi.train, mosi.val, "sentiment",
                  eta=0.5, epochs=2, batch_size=16, lr=1e-3, seed=3, device="cpu", progress=False, **kwargs)


def test_fit_ds_trains_with_the_loss_it_is_given():
    prepared = prepare_domains(make_domains("smoke", seed=0))
    mosi = prepared["mosi"]
    torch.manual_seed(0)
    teacher = fit_dg(DGModel(mosi.train.shapes, "smoke"), {"mosi": mosi, "meld": prepared["meld"]}, epochs=1,
                     batch_size=16, device="cpu", progress=False).model
    calls = []

    def a_students_loss(out, target, teacher_logits, task, eta, pseudo):   # a closure: no pickling needed
        calls.append((tuple(out["aux"].shape), tuple(teacher_logits.shape), task, eta, pseudo))
        return ds_loss(out, target, teacher_logits, task, eta, pseudo)

    default, given = _fit(mosi, teacher), _fit(mosi, teacher, loss=a_students_loss)
    assert calls and all(c[2:] == ("sentiment", 0.5, "soft") and c[0] == c[1] for c in calls)
    assert default.history[["main", "aux", "total"]].equals(given.history[["main", "aux", "total"]]), \
        "the same loss, written elsewhere, trains the same model"

    def main_only(out, target, teacher_logits, task, eta, pseudo):
        main = torch.nn.functional.mse_loss(out["main"], target)
        return {"main": main, "aux": main.new_zeros(()), "total": main}

    assert (_fit(mosi, teacher, loss=main_only).history.aux == 0).all()

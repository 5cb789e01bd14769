import pytest
import torch

from affectkit.easum.losses import dg_loss, ds_loss
from affectkit.easum.models import DGModel, DSModel, warm_start


def batch(shapes, n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = {m: torch.randn(n, *s, generator=g) for m, s in shapes.items()}
    mask = {m: torch.ones(n, s[0], dtype=torch.bool) for m, s in shapes.items()}
    mask["L"][0, -3:] = False
    x["L"][0, -3:] = 0
    return x, mask


SHAPES = {"L": (8, 12), "A": (8, 8), "V": (6, 8)}


def test_dg_model_shapes_and_loss():
    torch.manual_seed(0)
    model = DGModel(SHAPES, "smoke")
    outputs = {d: model(*batch(SHAPES, seed=i)) for i, d in enumerate(["mosi", "meld"])}
    assert outputs["mosi"]["rep"].shape == (4, 12)
    assert outputs["mosi"]["sentiment"].shape == (4, 3) and outputs["meld"]["emotion"].shape == (4, 9)
    targets = {"mosi": torch.tensor([0, 1, 2, 1]), "meld": torch.tensor([0, 3, 8, 2])}
    terms = dg_loss(outputs, targets, {"mosi": "sentiment", "meld": "emotion"}, omega=0.1)
    assert torch.isclose(terms["total"], terms["mosi"] + terms["meld"] + 0.1 * terms["md"])
    assert terms["md"] > 0
    terms["total"].backward()
    assert model.fusion.mag.gate_a.weight.grad is not None
    with pytest.raises(ValueError, match="same domains"):
        dg_loss(outputs, {"mosi": targets["mosi"]}, {"mosi": "sentiment", "meld": "emotion"})


def test_padding_does_not_change_the_representation():
    model = DGModel(SHAPES, "smoke").eval()
    x, mask = batch(SHAPES)
    rep = model(x, mask)["rep"][0]
    x["L"][0, -3:] = 5.0  # garbage on padded text tokens
    assert torch.allclose(model(x, mask)["rep"][0], rep, atol=1e-5)


def test_ds_model_heads_and_pseudo_label_losses():
    torch.manual_seed(0)
    senti = DSModel(SHAPES, "sentiment", arch="smoke")
    emo = DSModel(SHAPES, "emotion", n_classes=7, arch="smoke")
    x, mask = batch(SHAPES)
    out_s, out_e = senti(x, mask), emo(x, mask)
    assert out_s["main"].shape == (4,) and out_s["aux"].shape == (4, 9) and senti.teacher_head == "emotion"
    assert out_e["main"].shape == (4, 7) and out_e["aux"].shape == (4, 3) and emo.teacher_head == "sentiment"
    teacher = torch.randn(4, 9)
    soft = ds_loss(out_s, torch.tensor([1.0, -2.0, 0.3, 0.0]), teacher, "sentiment", eta=0.5)
    none = ds_loss(out_s, torch.tensor([1.0, -2.0, 0.3, 0.0]), None, "sentiment", eta=0.5)
    assert torch.isclose(soft["total"], soft["main"] + 0.5 * soft["aux"]) and none["aux"] == 0
    hard = ds_loss(out_e, torch.tensor([0, 6, 2, 1]), torch.randn(4, 3), "emotion", pseudo="hard")
    assert hard["aux"] > 0
    with pytest.raises(ValueError, match="n_classes"):
        DSModel(SHAPES, "emotion", arch="smoke")
    with pytest.raises(ValueError, match="pseudo"):
        ds_loss(out_s, torch.zeros(4), teacher, "sentiment", pseudo="fuzzy")


def test_bad_shapes_name_the_problem():
    with pytest.raises(ValueError, match="missing"):
        DGModel({"L": (8, 12), "A": (8, 8)}, "smoke")
    with pytest.raises(ValueError, match="max_len"):
        DGModel({"L": (100, 12), "A": (8, 8), "V": (6, 8)}, "smoke")
    with pytest.raises(ValueError, match=r"\(time, dim\) sequence"):
        DGModel({"L": (8, 12), "A": (8,), "V": (6, 8)}, "smoke")


def test_a_left_out_modality_is_silence():
    torch.manual_seed(0)
    full = DSModel(SHAPES, "sentiment", arch="smoke").eval()
    text_only = DSModel(SHAPES, "sentiment", arch="smoke", modalities="L").eval()
    text_only.load_state_dict(full.state_dict())
    x, mask = batch(SHAPES)
    silent = {**x, "A": torch.zeros_like(x["A"]), "V": torch.zeros_like(x["V"])}
    assert torch.allclose(text_only(x, mask)["main"], full(silent, mask)["main"], atol=1e-6)
    assert not torch.allclose(text_only(x, mask)["main"], full(x, mask)["main"], atol=1e-4)
    x_big = {**x, "A": torch.randn_like(x["A"]) * 10}
    assert torch.equal(text_only(x_big, mask)["main"], text_only(x, mask)["main"]), "A is not read"
    t_v = DGModel({"L": (8, 12), "V": (6, 8)}, "smoke", modalities="LV")  # no acoustic shape needed
    assert t_v({"L": x["L"], "V": x["V"]}, mask)["rep"].shape == (4, 12)
    for bad in ("AV", "LL", "LAX"):
        with pytest.raises(ValueError, match="text plus any of A and V"):
            DGModel(SHAPES, "smoke", modalities=bad)
    with pytest.raises(ValueError, match="batch has only"):
        DGModel(SHAPES, "smoke")({"L": x["L"], "A": x["A"]}, mask)


def test_explain_returns_mags_pieces():
    model = DGModel(SHAPES, "smoke").eval()
    x, mask = batch(SHAPES)
    parts = model.explain(x, mask)
    assert parts["text"].shape == parts["R"].shape == (4, 8, 12) and parts["lambda"].shape == (4, 8)
    assert (parts["lambda"] <= 1).all()
    expected = model.fusion.mag.norm(parts["text"] + parts["lambda"].unsqueeze(-1) * parts["R"])
    text, a, v = model.fusion.inputs(x, mask)
    fused = model.fusion(model.embed(text, mask["L"].long()), a, v, mask["L"])
    assert torch.allclose(fused[1], expected[1], atol=1e-6)
    model.train()
    model.explain(x, mask)
    assert model.training, "explain restores the training mode"


def _encoder_input(model, x, mask):
    """What the encoder's layers receive (a forward pre-hook on the layer stack)."""
    seen = {}
    hook = model.encoder.encoder.register_forward_pre_hook(lambda mod, args: seen.update(h=args[0]))
    model(x, mask)
    hook.remove()
    return seen["h"]


@pytest.mark.parametrize("kind", ["dg", "ds"])
def test_mag_sits_after_the_embedding_layer(kind):
    """MAG-BERT and the official EASUM code: embeddings (positions, LayerNorm) -> MAG -> encoder layers.
    With silent A and V the encoder's input is MAG's LayerNorm of the embedding output."""
    torch.manual_seed(0)
    model = (DGModel(SHAPES, "smoke", modalities="L") if kind == "dg"
             else DSModel(SHAPES, "sentiment", arch="smoke", modalities="L")).eval()
    x, mask = batch(SHAPES)
    text, _, _ = model.fusion.inputs(x, mask)
    embedded = model.encoder.embeddings(inputs_embeds=text, **({"mask": mask["L"].long()} if kind == "ds" else {}))
    # position embeddings are part of the embedding output, so MAG sees them
    assert not torch.allclose(embedded[0], model.encoder.embeddings.LayerNorm(text[0]), atol=1e-4)
    expected = model.fusion.mag.norm(embedded) * mask["L"].unsqueeze(-1)
    assert torch.allclose(_encoder_input(model, x, mask), expected, atol=1e-5)


def test_warm_start_copies_the_matching_weights():
    torch.manual_seed(0)
    dg = DGModel(SHAPES, "smoke")
    ds = DSModel(SHAPES, "emotion", n_classes=7, arch="smoke")
    copied = warm_start(ds, dg)
    assert any(k.startswith("fusion.mag.") for k in copied)
    assert "encoder.embeddings.position_embeddings.weight" in copied
    for k in copied:
        assert torch.equal(ds.state_dict()[k], dg.state_dict()[k]), k
    assert not any(k.startswith(("main.", "aux.", "heads.")) for k in copied)
    # the fusion and the embedding layer only: ConvBERT and DeBERTa layers share
    # feed-forward names and shapes, and none of them may be copied
    assert all(k.startswith(("fusion.", "encoder.embeddings.")) for k in copied), copied
    assert not any(k.startswith("encoder.encoder.") for k in copied), copied
    for task in ("sentiment", "emotion"):
        ds = DSModel(SHAPES, task, n_classes=7, arch="smoke")
        fresh = {k: v.clone() for k, v in ds.state_dict().items()}
        warm_start(ds, dg)
        for k, v in ds.state_dict().items():
            if k.startswith("encoder.encoder."):
                assert torch.equal(v, fresh[k]), f"{task}: {k} was overwritten by the warm start"
    other = DSModel(SHAPES, "emotion", n_classes=7, arch="lab")
    with pytest.raises(ValueError, match="share no fusion or embedding weight"):
        warm_start(other, DGModel({"L": (8, 12), "A": (8, 8), "V": (6, 8)}, "smoke"))


def test_zero_out_is_applied_to_augmented_rows_in_training_only():
    torch.manual_seed(0)
    model = DGModel(SHAPES, "smoke")
    x, mask = batch(SHAPES)
    rate = torch.tensor([0.0, 0.0, 0.9, 0.9])
    model.eval()
    assert torch.equal(model(x, mask, zero_out=rate)["rep"], model(x, mask)["rep"])
    model.train()
    seen = {}
    hook = model.fusion.register_forward_pre_hook(lambda mod, args: seen.update(emb=args[0]))
    torch.manual_seed(1)
    model(x, mask, zero_out=rate)
    hook.remove()
    zeroed = (seen["emb"].abs().sum(-1) == 0)
    assert not zeroed[:2].any() and zeroed[2:].float().mean() > 0.5


def test_paper_dropout_is_in_mag_only():
    """The official code: dropout 0.5 after MAG; ConvBERT/DeBERTa layers and the heads keep 0.1."""
    from dataclasses import replace

    from affectkit.config import get_profile

    paper = get_profile("paper").easum_arch
    assert (paper.mag_dropout, paper.dropout) == (0.5, 0.1)
    small = replace(paper, hidden=12, heads=2, intermediate=24, dg_layers=1, ds_layers={"sentiment": 1, "emotion": 1})
    for model in (DGModel(SHAPES, small), DSModel(SHAPES, "emotion", n_classes=7, arch=small)):
        assert model.fusion.mag.dropout.p == 0.5
        rates = {m.p for name, m in model.named_modules() if isinstance(m, torch.nn.Dropout) and "fusion" not in name}
        assert rates == {0.1}, rates
        assert model.encoder.config.hidden_dropout_prob == model.encoder.config.attention_probs_dropout_prob == 0.1

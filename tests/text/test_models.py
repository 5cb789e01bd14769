"""The fine-tuned text classifier and the MELD helpers, at tiny sizes (no corpus needed)."""
import numpy as np
import pytest
import torch

from affectkit.data.transforms import masked_mean
from affectkit.text.experiments import PAPER_TABLE6, classification_scores, majority, subsample
from affectkit.text.models import class_weights, fit_text_classifier, length_batches

TEXTS = ["I love this so much!", "This is wonderful news.", "What a great day.",
         "I hate you.", "Get out of here, now!", "This is awful and stupid.",
         "The meeting is at noon.", "Please pass the salt.", "It is on the table."] * 2
LABELS = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2] * 2)


def test_fine_tuning_learns_a_tiny_task():
    fit = fit_text_classifier(TEXTS, LABELS, 3, epochs=8, lr=1e-3, batch_size=6, seed=0, progress=False,
                              val=(TEXTS, LABELS))
    assert list(fit.history.columns) == ["epoch", "loss", "seconds", "val_score"]
    assert fit.history.loss.iloc[-1] < fit.history.loss.iloc[0]
    assert (fit.model.predict(TEXTS) == LABELS).mean() >= 0.8
    proba = fit.model.predict_proba(TEXTS[:4])
    assert proba.shape == (4, 3) and np.allclose(proba.sum(1), 1, atol=1e-5)


def test_one_batch_runs_without_a_schedule():
    fit = fit_text_classifier(TEXTS[:4], LABELS[:4], 3, epochs=1, batch_size=8, progress=False)
    assert len(fit.history) == 1


@pytest.mark.parametrize("texts, y, message", [
    (TEXTS[:3], LABELS[:2], "3 texts but 2 labels"),
    ([], np.array([], int), "no training texts"),
    (TEXTS[:2], np.array([0, 3]), r"labels must be in \[0, 3\)"),
])
def test_bad_training_input(texts, y, message):
    with pytest.raises(ValueError, match=message):
        fit_text_classifier(texts, y, 3, progress=False)


def test_class_weights_between_none_and_balanced():
    y = np.array([0] * 8 + [1] * 2)
    np.testing.assert_allclose(class_weights(y, 3, power=1.0).numpy(), [10 / 24, 10 / 6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(class_weights(y, 3, power=0.0).numpy(), [1.0, 1.0, 0.0])
    half = class_weights(y, 3).numpy()
    assert half[1] / half[0] == pytest.approx(2.0)          # sqrt of the 4:1 imbalance


def test_length_batches_cover_everything_once_and_group_lengths():
    lengths = np.r_[np.full(50, 5), np.full(50, 40)]
    batches = length_batches(lengths, 10, np.random.default_rng(0))
    assert sorted(np.concatenate(batches).tolist()) == list(range(100))
    assert all(len(set(lengths[b])) == 1 for b in batches)  # no batch mixes 5 and 40 tokens


def test_scores_match_hand_computation():
    out = classification_scores([0, 0, 1, 1], [0, 1, 1, 1], classes=("a", "b"))
    assert out["accuracy"] == 0.75
    # F1(a) = 2/3 (precision 1, recall 1/2), F1(b) = 0.8; equal support
    assert out["weighted_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert out["per_class_f1"] == pytest.approx({"a": 2 / 3, "b": 0.8})


def test_baseline_helpers():
    assert majority([2, 2, 1], 4).tolist() == [2, 2, 2, 2]
    x = torch.ones(2, 3, 4).numpy()
    x[0, 2] = 100.0                                          # a padded step must not count
    pooled = masked_mean(x, np.array([[1, 1, 0], [0, 0, 0]], bool))
    np.testing.assert_allclose(pooled, [[1.0] * 4, [0.0] * 4])
    import pandas as pd
    df = pd.DataFrame({"a": range(10)})
    assert len(subsample(df, 4, seed=0)) == 4 and len(subsample(df, None)) == 10
    assert PAPER_TABLE6.set_index("model").loc["CMDM (Ours-fully)", "weighted_f1"] == 0.530


def test_long_texts_are_cut_with_a_warning():
    long = " ".join(["word"] * 60)
    with pytest.warns(UserWarning, match="1 of 4 training texts are longer than max_length=16"):
        fit = fit_text_classifier([long] + TEXTS[:3], LABELS[:4], 3, epochs=1, batch_size=4,
                                  max_length=16, progress=False)
    assert fit.model.predict([long]).shape == (1,)
    assert fit.notes["truncated"] == 1


def test_a_chosen_max_length_cuts_without_a_warning():
    """A caller that chose max_length (notebook 08) silences the warning and reads the count."""
    import warnings

    long = " ".join(["word"] * 60)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*longer than max_length")
        fit = fit_text_classifier([long] + TEXTS[:3], LABELS[:4], 3, epochs=1, batch_size=4,
                                  max_length=16, progress=False, warn_truncation=False)
    assert fit.notes["truncated"] == 1


@pytest.mark.parametrize("frozen", [1, 5])
def test_frozen_layers_compute_what_the_whole_encoder_computes(frozen):
    """upper(lower(x)) is the encoder's own forward pass (eval mode, padded batch):
    the layers are called the way transformers calls them."""
    from affectkit.text.models import TextClassifier

    torch.manual_seed(0)
    whole, split = TextClassifier(3), TextClassifier(3, frozen_layers=frozen)
    split.load_state_dict(whole.state_dict())
    whole.eval(), split.eval()
    batch = whole.tokenize(["short", "a much longer line of text, with padding after it in the other row"])
    with torch.no_grad():
        expected = whole(batch["input_ids"], batch["attention_mask"])
        got = split(batch["input_ids"], batch["attention_mask"])
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()


def test_frozen_layers_get_no_gradient_and_no_dropout():
    from affectkit.text.models import TextClassifier

    clf = TextClassifier(3, frozen_layers=4).train()
    layers = clf.layers()
    assert not any(p.requires_grad for p in clf.encoder.embeddings.parameters())
    assert not any(p.requires_grad for layer in layers[:4] for p in layer.parameters())
    assert all(p.requires_grad for layer in layers[4:] for p in layer.parameters())
    assert not clf.encoder.embeddings.training and not layers[3].training and layers[4].training
    with pytest.raises(ValueError, match="at least one is fine-tuned"):
        TextClassifier(3, frozen_layers=len(layers))


def test_fine_tuning_the_upper_layers_learns_a_tiny_task():
    fit = fit_text_classifier(TEXTS, LABELS, 3, epochs=8, lr=1e-3, batch_size=6, seed=0, progress=False,
                              frozen_layers=4)
    assert fit.history.loss.iloc[-1] < fit.history.loss.iloc[0]
    assert (fit.model.predict(TEXTS) == LABELS).mean() >= 0.8

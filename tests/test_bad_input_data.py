"""Bad input, data surface: MultimodalDataset, the synthetic world and domains,
metrics. Each case asserts the exception type and that the message names the
argument at fault (``python -m pytest -q -k bad_input`` runs every surface)."""

import numpy as np
import pytest
import torch

import affectkit
from affectkit import metrics
from affectkit.config import seed_everything
from affectkit.data.dataset import MultimodalDataset


def dataset(**over):
    base = dict(x={"A": np.zeros((4, 3)), "L": np.zeros((4, 5, 2))}, y=[0, 1, 2, 3], classes=("a", "b", "c", "d"))
    base.update(over)
    return MultimodalDataset(**base)


def with_x(**x):
    return lambda: dataset(x={"A": np.zeros((4, 3)), **x})


DATASET = [
    ("float_labels", lambda: dataset(y=[0.0, 1.5, 2.0, 3.0]), ValueError, r"y must hold whole class indices.*1\.5"),
    ("nan_label", lambda: dataset(y=[0, np.nan, 2, 3]), ValueError, r"y has NaN labels"),
    ("y_2d", lambda: dataset(y=np.zeros((4, 2), int)), ValueError, r"y must be 1-D"),
    ("y_strings", lambda: dataset(y=["a", "b", "c", "d"]), TypeError, r"y must be numeric"),
    ("y_object", lambda: dataset(y=np.array([0, None, 1, 2], dtype=object)), TypeError, r"y must be numeric"),
    ("y_out_of_range", lambda: dataset(y=[0, 1, 2, 4]), ValueError, r"y has labels \[4\] outside -1\.\.3"),
    ("y_below_minus_one", lambda: dataset(y=[0, 1, 2, -2]), ValueError, r"y has labels \[-2\]"),
    ("y_scalar", lambda: dataset(y=3), TypeError, r"y must be an array"),
    ("y_true_out_of_range", lambda: dataset(y_true=[0, 1, 9, 3]), ValueError, r"y_true has labels \[9\]"),
    ("empty_split", lambda: dataset(x={"A": np.zeros((0, 3))}, y=[]), ValueError, r"empty split"),
    ("modality_key", lambda: dataset(x={"audio": np.zeros((4, 3))}), ValueError, r"modality keys \['audio'\]"),
    ("modality_key_lower", lambda: dataset(x={"a": np.zeros((4, 3))}), ValueError, r"modality keys \['a'\]"),
    ("x_not_dict", lambda: dataset(x=np.zeros((4, 3))), ValueError, r"x must be a non-empty dict"),
    ("x_empty", lambda: dataset(x={}), ValueError, r"x must be a non-empty dict"),
    ("x_strings", with_x(L=np.full((4, 5, 2), "w")), TypeError, r"x\['L'\] must be numeric"),
    ("x_object", with_x(V=np.empty((4, 2, 2), dtype=object)), TypeError, r"x\['V'\] must be numeric"),
    ("x_ragged", with_x(V=[[1, 2], [3]]), TypeError, r"x\['V'\] is a ragged list"),
    ("x_complex", with_x(V=np.zeros((4, 2, 2), complex)), TypeError, r"x\['V'\] must be numeric"),
    ("x_1d", with_x(V=np.zeros(4)), ValueError, r"x\['V'\] must be \(n, dim\) or \(n, time, dim\)"),
    ("x_4d", with_x(V=np.zeros((4, 2, 2, 2))), ValueError, r"x\['V'\] must be"),
    ("x_nan", with_x(V=np.full((4, 2, 2), np.nan)), ValueError, r"x\['V'\] has NaN or inf"),
    ("x_inf", lambda: dataset(x={"A": np.full((4, 3), np.inf)}), ValueError, r"x\['A'\] has NaN or inf"),
    ("x_length", with_x(V=np.zeros((5, 2, 2))), ValueError, r"x\['V'\] has 5 samples but y has 4"),
    ("x_not_array", with_x(V="frames"), TypeError, r"x\['V'\] must be an array"),
    ("no_classes", lambda: dataset(classes=()), ValueError, r"classes must not be empty"),
    ("mask_on_vector", lambda: dataset(mask={"A": np.ones((4, 3), bool)}), ValueError, r"masks \['A'\]"),
    ("mask_shape", lambda: dataset(mask={"L": np.ones((4, 4), bool)}), ValueError, r"mask\['L'\] must be \(4, 5\)"),
    ("sentiment_range", lambda: dataset(sentiment=[0.0, 1.0, 3.5, 0.0]), ValueError, r"sentiment must lie in \[-3, 3\]"),
    ("sentiment_negative", lambda: dataset(sentiment=[-4.0, 1, 2, 0]), ValueError, r"sentiment must lie in \[-3, 3\]"),
    ("sentiment_inf", lambda: dataset(sentiment=[0, np.inf, 0, 0]), ValueError, r"sentiment must lie"),
    ("sentiment_2d", lambda: dataset(sentiment=np.zeros((4, 1))), ValueError, r"sentiment must be 1-D"),
    ("sentiment_length", lambda: dataset(sentiment=np.zeros(3)), ValueError, r"sentiment has 3 entries"),
    ("sentiment_text", lambda: dataset(sentiment=["pos"] * 4), TypeError, r"sentiment must be numeric"),
    ("domain_length", lambda: dataset(domain=[0, 0]), ValueError, r"domain has 2 entries"),
    ("speaker_fraction", lambda: dataset(speaker=[0, 0.5, 1, 1]), ValueError, r"speaker must hold whole"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in DATASET], ids=[c[0] for c in DATASET])
def test_bad_input_dataset(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_input_dataset_methods():
    ds = dataset()
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        next(ds.batches(0))
    with pytest.raises(ValueError, match=r"no modality \['V'\]"):
        ds.select(["V"])


WORLD = [
    ("profile", lambda: affectkit.make_world("huge"), ValueError, r"huge"),
    ("seed_bool", lambda: affectkit.make_world("smoke", seed=True), TypeError, r"seed must be an integer"),
    ("seed_negative", lambda: affectkit.make_world("smoke", seed=-1), ValueError, r"seed must be >= 0"),
    ("seed_float", lambda: affectkit.make_world("smoke", seed=1.5), TypeError, r"seed must be an integer"),
    ("seed_huge", lambda: affectkit.make_world("smoke", seed=2 ** 40), ValueError, r"seed must be < 2\*\*32"),
    ("n_latent_float", lambda: affectkit.make_world("smoke", n_latent=4.7), TypeError, r"WorldKnobs\.n_latent"),
    ("source_dim_zero", lambda: affectkit.make_world("smoke", source_dim=0), ValueError, r"WorldKnobs\.source_dim"),
    ("separation_nan", lambda: affectkit.make_world("smoke", separation=float("nan")), ValueError,
     r"WorldKnobs\.separation must be finite"),
    ("spread_negative", lambda: affectkit.make_world("smoke", spread=-1.0), ValueError, r"WorldKnobs\.spread"),
    ("noise_zero", lambda: affectkit.make_world("smoke", noise=0.0), ValueError, r"WorldKnobs\.noise"),
    ("noise_text", lambda: affectkit.make_world("smoke", noise="loud"), TypeError, r"WorldKnobs\.noise"),
    ("speaker_inf", lambda: affectkit.make_world("smoke", speaker=float("inf")), ValueError, r"WorldKnobs\.speaker"),
    ("gain_nan", lambda: affectkit.make_world("smoke", gain={"L": float("nan")}), ValueError,
     r"WorldKnobs\.gain\['L'\]"),
    ("gain_negative", lambda: affectkit.make_world("smoke", gain={"A": -1.0}), ValueError, r"WorldKnobs\.gain\['A'\]"),
    ("gain_modality", lambda: affectkit.make_world("smoke", gain={"Q": 1.0}), ValueError, r"WorldKnobs\.gain has modality 'Q'"),
    ("gain_not_dict", lambda: affectkit.make_world("smoke", gain=1.0), TypeError, r"WorldKnobs\.gain must be a dict"),
    ("evidence_zero", lambda: affectkit.make_world("smoke", evidence={"V": 0}), ValueError,
     r"WorldKnobs\.evidence\['V'\]"),
    ("evidence_fraction", lambda: affectkit.make_world("smoke", evidence={"L": 2.5}), TypeError,
     r"WorldKnobs\.evidence\['L'\]"),
    ("prior_length", lambda: affectkit.make_world("smoke", labeled_prior=(1, 2, 3)), ValueError,
     r"WorldKnobs\.labeled_prior"),
    ("prior_nan", lambda: affectkit.make_world("smoke", unlabeled_prior=(0.5, np.nan, 0.2, 0.3)), ValueError,
     r"WorldKnobs\.unlabeled_prior"),
    ("prior_zero", lambda: affectkit.make_world("smoke", labeled_prior=(0, 0, 0, 0)), ValueError,
     r"WorldKnobs\.labeled_prior"),
    ("min_length_zero", lambda: affectkit.make_world("smoke", min_length=0.0), ValueError, r"WorldKnobs\.min_length"),
    ("min_length_above_one", lambda: affectkit.make_world("smoke", min_length=1.5), ValueError,
     r"WorldKnobs\.min_length"),
    ("unknown_knob", lambda: affectkit.make_world("smoke", loudness=2), TypeError, r"unknown world knobs \['loudness'\]"),
    ("shape_fraction", lambda: affectkit.make_world("smoke", shapes={"A": (4.7,)}), TypeError, r"shapes\['A'\]"),
    ("shape_zero", lambda: affectkit.make_world("smoke", shapes={"A": (0,)}), ValueError, r"shapes\['A'\]"),
    ("shape_3d", lambda: affectkit.make_world("smoke", shapes={"V": (2, 3, 4)}), ValueError, r"shapes\['V'\]"),
    ("shape_text", lambda: affectkit.make_world("smoke", shapes={"A": "big"}), TypeError, r"shapes\['A'\]"),
    ("shape_modality", lambda: affectkit.make_world("smoke", shapes={"Q": (3,)}), ValueError, r"unknown modality 'Q'"),
    ("shapes_empty", lambda: affectkit.make_world("smoke", shapes={}), ValueError, r"shapes must be a non-empty dict"),
    ("n_unlabeled_zero", lambda: affectkit.make_world("smoke", n_unlabeled=0), ValueError, r"n_unlabeled must be >= 1"),
    ("n_unlabeled_bool", lambda: affectkit.make_world("smoke", n_unlabeled=True), TypeError, r"n_unlabeled"),
    ("domain_shift", lambda: affectkit.make_domains("smoke", domain_shift=-1.0), ValueError, r"domain_shift"),
    ("domain_scale_nan", lambda: affectkit.make_domains("smoke", domain_scale=float("nan")), ValueError,
     r"domain_scale must be finite"),
    ("domains_seed_bool", lambda: affectkit.make_domains("smoke", seed=False), TypeError, r"seed must be an integer"),
    ("domains_knob", lambda: affectkit.make_domains("smoke", spread=0.0), ValueError, r"WorldKnobs\.spread"),
    ("seed_everything_bool", lambda: seed_everything(True), TypeError, r"seed must be an integer"),
    ("seed_everything_negative", lambda: seed_everything(-3), ValueError, r"seed must be >= 0"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in WORLD], ids=[c[0] for c in WORLD])
def test_bad_input_world(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


METRICS = [
    ("confusion_true_outside", lambda: metrics.confusion([0, 5], [0, 1], n_classes=4), ValueError,
     r"y_true has labels \[5\] outside 0\.\.3"),
    ("confusion_pred_negative", lambda: metrics.confusion([0, 1], [0, -1]), ValueError, r"y_pred has labels \[-1\]"),
    ("confusion_n_classes_zero", lambda: metrics.confusion([0, 1], [0, 1], n_classes=0), ValueError, r"n_classes"),
    ("confusion_n_classes_bool", lambda: metrics.confusion([0], [0], n_classes=True), ValueError, r"n_classes"),
    ("wa_lengths", lambda: metrics.wa([0, 1, 2], [0, 1]), ValueError, r"y_true has 3 values but y_pred has 2"),
    ("ua_float_labels", lambda: metrics.ua([0.0, 1.0], [0, 1]), TypeError, r"y_true and y_pred must hold integers"),
    ("ua_2d", lambda: metrics.ua(np.zeros((2, 2), int), [0, 1]), ValueError, r"y_true must be 1-D"),
    ("wf1_empty", lambda: metrics.weighted_f1([], []), ValueError, r"y_true and y_pred are empty"),
    ("mae_nan", lambda: metrics.mae([0.0, np.nan], [0.0, 1.0]), ValueError, r"y_true holds NaN or inf"),
    ("corr_inf", lambda: metrics.corr([0.0, 1.0, 2.0], [0.0, np.inf, 1.0]), ValueError, r"y_pred holds NaN or inf"),
    ("acc2_convention", lambda: metrics.acc2([1.0, -1.0], [1.0, 1.0], convention="zero"), ValueError, r"convention"),
    ("acc7_text", lambda: metrics.acc7(["a", "b"], [0.0, 1.0]), ValueError, r"y_true must hold numbers"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in METRICS], ids=[c[0] for c in METRICS])
def test_bad_input_metrics(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_confusion_keeps_its_counts():
    """The checks above do not change a valid matrix."""
    cm = metrics.confusion(torch.tensor([0, 1, 1]), torch.tensor([0, 1, 0]), n_classes=3, normalize=False)
    assert cm.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 0]]

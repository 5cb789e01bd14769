"""The shared reading helpers: the words match the numbers."""

import pytest

from affectkit.teach import readings


def test_seed_verdict():
    assert readings.seed_verdict([0.1, 0.2]) == "better on every seed"
    assert readings.seed_verdict([-0.1, -0.2]) == "worse on every seed"
    assert readings.seed_verdict([0.1, -0.2, 0.3]) == "better on 2 of 3 seeds"
    assert readings.seed_verdict([-0.1, -0.2], higher_is_better=False) == "better on every seed"
    assert readings.seed_verdict([0.0, 0.0]) == "equal on every seed"
    with pytest.raises(ValueError):
        readings.seed_verdict([])
    with pytest.raises(ValueError):
        readings.seed_verdict([float("nan")])


def test_paired_and_compare():
    assert readings.paired([0.01, 0.03], "semi", "fully", "UA") == \
        "semi vs fully: +0.020 ± 0.010 UA, better on every seed"
    assert "within the seed spread (0.010)" in readings.compare(0.501, 0.500, "a", "b", "UA", spread=0.01)
    assert "more than the seed spread" in readings.compare(0.60, 0.50, "a", "b", "UA", spread=0.01)
    assert readings.compare(0.4, 0.5, "a", "b").startswith("b beats a by 0.100")
    assert readings.compare(0.4, 0.5, "a", "b", higher_is_better=False).startswith("a beats b")


def test_ranking_trend_ratio():
    assert readings.ranking({"A": 0.5, "L": 0.6, "V": 0.4}) == "L (0.60) > A (0.50) > V (0.40)"
    assert readings.trend([1, 2, 3], [0.1, 0.2, 0.3], "UA").startswith("UA rises on every step")
    assert readings.trend([3, 2, 1], [0.1, 0.2, 0.3], "UA").startswith("UA falls on every step")
    assert "goes up and down (1 of 2 steps up)" in readings.trend([1, 2, 3], [0.1, 0.3, 0.2], "UA")
    assert "is flat" in readings.trend([1, 2], [0.5, 0.5], "UA")
    assert readings.ratio(6.0, 1.0, "vanilla", "mmd") == "vanilla's is 6.0x mmd's"
    assert readings.ratio(1.0, 4.0, "a", "b") == "a's is 1/4.0 of b's"
    assert readings.verdict(True) == "yes" and readings.verdict(False) == "no" and readings.verdict(None) == "n/a"


def test_stopping():
    one = readings.stopping(5, 6, "the validation MSE")
    assert one.startswith("the best epoch is the last of 6 (epoch 5): the validation MSE was still improving")
    assert "budget is short" in one
    assert "in every run (3 of 3)" in readings.stopping([5, 5, 5], 6)
    before = readings.stopping([2, 3], 6, "UA")
    assert before.startswith("the best epoch comes before the last of 6 in every run (epochs 2-3): UA")
    assert readings.stopping([5, 2, 5], 6).startswith("the best epoch is the last of 6 in 2 of 3 runs")
    assert readings.stopping([0, 0], 1).startswith("a budget of one epoch")
    for bad in ((6, 6), (-1, 6), (1.5, 6), ([], 6), (0, 0)):
        with pytest.raises(ValueError):
            readings.stopping(*bad)


def test_row_verdict():
    assert readings.row_verdict({"better_on": 3, "seeds": 3}) == "better on every seed"
    assert readings.row_verdict({"better_on": 0, "seeds": 3}) == "worse on every seed"
    assert readings.row_verdict({"better_on": 1, "seeds": 3}) == "better on 1 of 3 seeds"


def test_settles():
    text = readings.settles([0, 1, 2, 3, 4], [1.0, 3.0, 3.9, 4.0, 4.0], "L_pair")
    assert text == "L_pair goes from 1.000 at 0 to 4.000 at 4 and first covers 95% of that change at 2 (50% of the way)"
    falling = readings.settles([0, 1, 2, 3], [2.0, 1.0, 0.95, 0.9], "cls")
    assert falling.endswith("first covers 95% of that change at 2 (67% of the way)")
    assert "at 3 (100% of the way)" in readings.settles([3, 2, 1, 0], [4.0, 3.0, 2.0, 1.0])   # sorted by x
    assert readings.settles([0, 1], [0.5, 0.5], "UA") == "UA ends where it starts (0.500)"
    for bad in (([0], [1.0]), ([0, 1], [1.0, float("nan")]), ([0, 1, 2], [1.0, 2.0])):
        with pytest.raises(ValueError):
            readings.settles(*bad)
    with pytest.raises(ValueError):
        readings.settles([0, 1], [0.0, 1.0], share=0)


def test_ranking_joins_ties_at_the_printed_precision():
    assert readings.ranking({"A": 1.0, "L": 0.3334, "V": 1 / 3}) == "A (1.00) > L (0.33) = V (0.33)"
    assert readings.ranking({"x": 0.5, "y": 0.5}, "UA") == "UA: x (0.50) = y (0.50)"
    assert readings.ranking({"a": 0.1, "b": 0.2}, higher_is_better=False) == "a (0.10) < b (0.20)"


def test_verdict_rules_one_per_kind():
    # a beats b: a gain on every seed; a positive mean with one loss is no gain
    assert readings.beats([0.02, 0.01, 0.03]) and not readings.beats([0.05, 0.04, -0.01])
    assert readings.beats([-0.1, -0.2], higher_is_better=False)
    assert readings.paired([0.05, 0.04, -0.01], "semi", "fully").endswith(
        "better on 2 of 3 seeds (no consistent difference)")
    # a curve: the whole curve, every step
    assert readings.shape([2, 4, 8, 16], [0.4, 0.5, 0.6, 0.7]) == "rises"
    assert readings.shape([2, 4, 8, 16], [0.4, 0.6, 0.5, 0.7]) == "up and down", "one step down is no rise"
    assert readings.shape([16, 8, 4, 2], [0.4, 0.5, 0.6, 0.7]) == "falls", "sorted by x"
    assert readings.shape([0, 1], [0.5, 0.5]) == "flat"
    assert readings.trend([0, 1500, 6000], [0.575, 0.614, 0.597], "UA").startswith("UA goes up and down")
    # a matching term pulls below 95% of its ceiling
    assert readings.saturated(3.9, 4.0) and not readings.saturated(3.7, 4.0)
    with pytest.raises(ValueError):
        readings.saturated(1.0, 0.0)
    # two rates of one split: twice the standard error of their difference
    assert readings.noise_band(0.5, 0.5, 100) == pytest.approx(2 * (0.5 / 100) ** 0.5)
    assert readings.beyond_noise(0.491, 0.700, 600) and not readings.beyond_noise(0.50, 0.52, 600)
    assert readings.rates(0.491, 0.700, 600, "latent", "input", "UA").endswith("lower, beyond the noise")
    assert readings.rates(0.50, 0.52, 600, "a", "b").endswith("no difference beyond the noise")
    # balance: every class within 20% of an equal share
    assert readings.balanced([0.25, 0.25, 0.26, 0.24]) and not readings.balanced([0.35, 0.25, 0.2, 0.2])
    assert "not balanced" in readings.balance([0.35, 0.25, 0.2, 0.2])


def test_held_out_interprets_a_validation_gain():
    text = readings.held_out([0.01, 0.02, 0.015], {"a": [-0.01, -0.02], "b": [-0.01, 0.0], "c": [0.01, 0.0]},
                             "mm", "omega0")
    assert "does not carry over to the test split, where it is worse on 2 of 3" in text
    assert "agree in direction" in readings.held_out([0.01], {"a": [0.02]}, "x", "y")


def test_reproducibility_note_names_what_the_numbers_depend_on():
    import torch

    from affectkit.config import seed_everything
    from affectkit.teach.readings import reproducibility

    assert seed_everything(3) is None   # seeding returns nothing; the note is the notebooks'
    note = reproducibility(3)
    assert note.startswith("seed 3, torch ") and f"{torch.get_num_threads()} CPU threads" in note
    assert "another thread count" in note

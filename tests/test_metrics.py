import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from affectkit import metrics


def test_hand_computed_classification():
    t = [0, 0, 0, 0, 1, 1, 2, 2]
    p = [0, 0, 0, 1, 1, 0, 2, 1]
    assert metrics.wa(t, p) == pytest.approx(5 / 8)
    assert metrics.ua(t, p) == pytest.approx((3 / 4 + 1 / 2 + 1 / 2) / 3)
    # precision: class 0 3/4, class 1 1/3, class 2 1/1; supports 4, 2, 2
    assert metrics.wap(t, p) == pytest.approx((4 * 3 / 4 + 2 * 1 / 3 + 2 * 1) / 8)
    cm = metrics.confusion(t, p)
    assert cm[0].tolist() == [0.75, 0.25, 0.0] and np.allclose(cm.sum(1), 1)
    assert metrics.confusion(t, p, normalize=False)[2].tolist() == [0, 1, 1]


def test_against_scikit_learn():
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    assert metrics.weighted_f1(t, p) == pytest.approx(skm.f1_score(t, p, average="weighted"))
    assert metrics.macro_f1(t, p) == pytest.approx(skm.f1_score(t, p, average="macro"))
    assert metrics.ua(t, p) == pytest.approx(skm.recall_score(t, p, average="macro"))
    assert metrics.wa(torch.tensor(t), torch.tensor(p)) == pytest.approx(skm.accuracy_score(t, p))


def test_sentiment_metrics_hand_computed():
    t = np.array([-2.0, 0.0, 1.0, 3.0, -0.4])
    p = np.array([-1.0, 0.5, 2.0, -1.0, 0.2])
    # has0: truth>=0 [F,T,T,T,F], pred>=0 [F,T,T,F,T] -> 3/5
    assert metrics.acc2(t, p, "has0") == pytest.approx(3 / 5)
    # non0: drop truth 0 -> truth>0 [F,T,T,F], pred>0 [F,T,F,T] -> 2/4
    assert metrics.acc2(t, p, "non0") == pytest.approx(2 / 4)
    assert metrics.f1_2(t, p, "non0") == pytest.approx(
        skm.f1_score([0, 1, 1, 0], [0, 1, 0, 1], average="weighted"))
    # acc7: round(clip) truth [-2,0,1,3,0], pred [-1,0,2,-1,0] -> 2/5
    assert metrics.acc7(t, p) == pytest.approx(2 / 5)
    assert metrics.acc5(np.array([3.0, -2.7]), np.array([2.2, -2.0])) == 1.0
    assert metrics.mae(t, p) == pytest.approx(np.mean(np.abs(t - p)))
    assert metrics.corr(t, p) == pytest.approx(np.corrcoef(t, p)[0, 1])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: metrics.wa([0, 1], [0]), ValueError, "2 values but y_pred has 1"),
    (lambda: metrics.ua([], []), ValueError, "empty"),
    (lambda: metrics.wa([0.5, 1.0], [0, 1]), TypeError, "integers"),
    (lambda: metrics.mae([np.nan, 1.0], [0.0, 1.0]), ValueError, "NaN"),
    (lambda: metrics.acc2([0.0, 0.0], [1.0, 2.0], "non0"), ValueError, "every truth value is 0"),
    (lambda: metrics.acc2([1.0], [1.0], "both"), ValueError, "convention"),
    (lambda: metrics.corr([1.0, 1.0], [0.0, 2.0]), ValueError, "constant"),
    (lambda: metrics.wa([[0, 1]], [[0, 1]]), ValueError, "1-D"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_latent_spread_and_effective_rank():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(500, 4))
    assert metrics.latent_spread(z) == pytest.approx(2.0, rel=0.05)          # sqrt(trace(I_4))
    assert metrics.latent_spread(0.1 * z) == pytest.approx(0.1 * metrics.latent_spread(z))
    assert metrics.effective_rank(z) == pytest.approx(4.0, rel=0.05)
    line = np.outer(rng.normal(size=500), [1.0, 2.0, 0.0, 0.0])
    assert metrics.effective_rank(line) == pytest.approx(1.0, abs=1e-6)
    assert metrics.effective_rank(np.zeros((3, 2))) == 0.0
    with pytest.raises(ValueError, match="latents"):
        metrics.latent_spread(np.zeros(3))

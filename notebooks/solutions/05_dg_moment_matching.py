"""Solutions to the exercises of notebook 05."""

import torch

import affectkit
from affectkit.data.transforms import masked_mean
from affectkit.easum import MAG, moment_distance


def _pooled_pair(profile, seed):
    domains = affectkit.make_domains(profile, seed=seed)

    def pooled(ds):
        x = ds.x["A"]
        return x if x.ndim == 2 else masked_mean(x, ds.mask.get("A"))
    return pooled(domains["mosi"].train), pooled(domains["meld"].train)


def exercise_1(profile="lab", seed=0):
    """The moment distance (K = 2) between the MOSI-like and the MELD-like train splits'
    acoustic features (mean over the real frames), before any model."""
    return float(moment_distance(*_pooled_pair(profile, seed)))


def exercise_2(profile="lab", seed=0):
    """Section 2's MAG and inputs with gamma = 0.3 and the nonverbal inputs at the text's
    scale: the share of the 40 tokens with lambda < 1."""
    torch.manual_seed(seed)
    mag = MAG(text_dim=16, acoustic_dim=8, visual_dim=8, gamma=0.3, dropout=0.0).eval()
    x_t, x_a, x_v = torch.randn(4, 10, 16), torch.randn(4, 10, 8), torch.randn(4, 10, 8)
    with torch.no_grad():
        parts = mag.displacement(x_t, x_a, x_v)
    return float((parts["lambda"] < 1).float().mean())


def exercise_3(profile="lab", seed=0):
    """The share of exercise 1's moment distance that comes from the means (k = 1)."""
    a, b = _pooled_pair(profile, seed)
    return float(moment_distance(a, b, k=1) / moment_distance(a, b, k=2))

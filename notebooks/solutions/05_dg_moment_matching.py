"""Solutions to the exercises of notebook 05."""

import torch

import affectkit
from affectkit.data.transforms import masked_mean
from affectkit.easum import MAG, moment_distance


def exercise_1(profile="lab", seed=0):
    """The moment distance (K = 2) between the MOSI-like and the MELD-like train splits'
    acoustic features (mean over time), before any model."""
    domains = affectkit.make_domains(profile, seed=seed)

    def pooled(ds):
        x = ds.x["A"]
        return x if x.ndim == 2 else masked_mean(x, ds.mask.get("A"))
    return float(moment_distance(pooled(domains["mosi"].train), pooled(domains["meld"].train)))


def exercise_2(profile="lab", seed=0):
    """MAG with zero acoustic and visual input: max |MAG(text, 0, 0) - LayerNorm(text)|."""
    torch.manual_seed(seed)
    mag = MAG(16, 4, 5, dropout=0.0).eval()
    text = torch.randn(3, 7, 16)
    with torch.no_grad():
        out = mag(text, torch.zeros(3, 7, 4), torch.zeros(3, 7, 5))
        return float((out - mag.norm(text)).abs().max())

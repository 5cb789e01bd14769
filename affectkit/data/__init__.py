"""Data: the synthetic affect world, datasets, transforms and label spaces."""

from .dataset import MultimodalDataset
from .domains import Domain, make_domains
from .world import AffectWorld, WorldKnobs, make_world

__all__ = ["MultimodalDataset", "AffectWorld", "WorldKnobs", "make_world", "Domain", "make_domains"]

"""affectkit: a notebook-first teaching kit for multimodal affect recognition.

    import affectkit
    world = affectkit.make_world(profile="lab", seed=0)
    domains = affectkit.make_domains(profile="lab", seed=0)
    affectkit.this_notebook("my_notebook")    # names the sidecar (my_notebook.json) where the executor does not
    affectkit.record("probe_ua", {"A": 0.58})
"""

from . import config, metrics
from .config import get_profile, resolve_device, seed_everything
from .data import MultimodalDataset, make_domains, make_world
from .teach.record import record, this_notebook

__version__ = "0.1.0"

__all__ = ["config", "metrics", "get_profile", "resolve_device", "seed_everything",
           "MultimodalDataset", "make_world", "make_domains", "record", "this_notebook"]

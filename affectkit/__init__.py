"""affectkit: a notebook-first teaching kit for multimodal affect recognition.

    import affectkit
    world = affectkit.make_world(profile="lab", seed=0)
    domains = affectkit.make_domains(profile="lab", seed=0)
    affectkit.this_notebook("00_tour")        # names the sidecar where the executor does not
    affectkit.record("probe_ua", {"A": 0.58})
"""

from . import config, metrics
from .config import get_profile, resolve_device, seed_everything
from .data import MultimodalDataset, make_domains, make_world
from .teach.figure_audit import install_if_asked as _audit_figures
from .teach.record import record, this_notebook

_audit_figures()   # only with AFFECTKIT_AUDIT_FIGURES=1 (the tests): every figure's title and labels

__version__ = "0.1.0"

__all__ = ["config", "metrics", "get_profile", "resolve_device", "seed_everything",
           "MultimodalDataset", "make_world", "make_domains", "record", "this_notebook"]

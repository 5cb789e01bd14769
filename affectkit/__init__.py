"""affectkit: a notebook-first teaching kit for multimodal affect recognition.

    import affectkit
    world = affectkit.make_world(profile="lab", seed=0)
    domains = affectkit.make_domains(profile="lab", seed=0)
    affectkit.this_notebook("my_notebook")    # names the sidecar (my_notebook.json) where the executor does not
    affectkit.record("probe_ua", {"A": 0.58})
    model = affectkit.load_model("models/cmdm")          # saved by `affectkit train cmdm --save models/cmdm`
    table = affectkit.predict(model, "new_clips/", labels="new.csv")

The names load on first use (PEP 562), so ``import affectkit`` and ``affectkit --help``
stay fast: torch and the models are imported only when a name needs them.
"""

import importlib
import importlib.util

__version__ = "0.1.0"

# public name -> the module that defines it (config and metrics are modules themselves)
_HOMES = {"get_profile": "affectkit.config", "resolve_device": "affectkit.config",
          "seed_everything": "affectkit.config", "MultimodalDataset": "affectkit.data",
          "make_world": "affectkit.data", "make_domains": "affectkit.data",
          "record": "affectkit.teach.record", "this_notebook": "affectkit.teach.record",
          "load_model": "affectkit.saved", "predict": "affectkit.saved"}

__all__ = ["config", "metrics", "get_profile", "resolve_device", "seed_everything",
           "MultimodalDataset", "make_world", "make_domains", "record", "this_notebook",
           "load_model", "predict"]


def __getattr__(name):
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
    elif importlib.util.find_spec(f"affectkit.{name}") is not None:   # a subpackage: affectkit.cmdm, ...
        value = importlib.import_module(f"affectkit.{name}")
    else:
        raise AttributeError(f"module 'affectkit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

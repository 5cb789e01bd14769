"""Looking at latent spaces: projections and the numbers beside the pictures
(notebook 07).

- :func:`stack` puts a model's per-modality latents into one table of points
  with their modality, emotion and origin (labeled test / unlabeled pool);
- :func:`project`: 2-D maps with UMAP (``random_state`` fixed) or PCA, the
  fast fallback;
- :func:`scores`: silhouette by any grouping, kNN label accuracy in the
  latent space, and the trustworthiness of a projection (scikit-learn).

Every function checks its input: NaN or inf latents, fewer points than
neighbours, a colouring of the wrong length are errors that name the problem.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .checks import as_int_array, check_latents

PROJECTIONS = ("umap", "pca")


def check_column(values, n: int, name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 1 or len(values) != n:
        raise ValueError(f"colouring {name!r} has {len(values)} values for {n} points")
    return values


def stack(latents: dict, labels, classes=None, modalities=None) -> tuple:
    """Stack per-modality latents into one point cloud.

    Args:
        latents: modality -> (n, d) (same n and d for every modality).
        labels: (n,) class index per utterance (-1: unlabeled); classes: names for them.
        modalities: which to keep (default: all, in order).
    Returns:
        (z (n * M, d), frame with columns "modality", "emotion", "utterance").
    """
    mods = list(modalities or latents)
    missing = [m for m in mods if m not in latents]
    if missing:
        raise ValueError(f"no latents for modalities {missing}; have {list(latents)}")
    labels = np.asarray(labels) if classes is None else as_int_array(labels, "labels")
    parts = [check_latents(latents[m], name=f"latents[{m!r}]") for m in mods]
    if {p.shape for p in parts} != {(len(labels), parts[0].shape[1])}:
        raise ValueError(f"every modality needs ({len(labels)}, d) latents, got "
                         f"{ {m: p.shape for m, p in zip(mods, parts)} }")
    names = labels if classes is None else class_names(labels, classes)
    frame = pd.DataFrame({"modality": np.repeat(mods, len(labels)), "emotion": np.tile(names, len(mods)),
                          "utterance": np.tile(np.arange(len(labels)), len(mods))})
    return np.concatenate(parts), frame


def class_names(labels: np.ndarray, classes) -> np.ndarray:
    """Each label's class name, ``"unlabeled"`` for -1; a ValueError for a label with no
    class (NumPy would read -1 as the last class, and class 7 of 4 as an IndexError)."""
    k = len(classes)
    bad = sorted(set(labels[(labels < -1) | (labels >= k)].tolist()))
    if bad:
        raise ValueError(f"labels {bad[:5]} have no class: the {k} classes {tuple(classes)} are 0..{k - 1} "
                         f"(-1: unlabeled)")
    return np.where(labels < 0, "unlabeled", np.array(classes, dtype=object)[np.clip(labels, 0, None)])


def numba_cache_dir() -> Path:
    """Where UMAP's numba-compiled code is kept: ``$NUMBA_CACHE_DIR``, else the
    checkout's ``build/numba_cache`` (an editable install), else
    ``~/.cache/affectkit/numba``. Compiling takes about 30 s on 2 cores; cached, a few."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").exists():
        return root / "build" / "numba_cache"
    return Path.home() / ".cache" / "affectkit" / "numba"


def _numba_cache() -> None:
    cache = numba_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache))


def project(z, method: str = "umap", n_neighbors: int = 15, min_dist: float = 0.1, seed: int = 0) -> np.ndarray:
    """A 2-D map of ``z`` (n, d) -> (n, 2): UMAP (seeded) or PCA."""
    if method not in PROJECTIONS:
        raise ValueError(f"method must be one of {PROJECTIONS}, got {method!r}")
    z = check_latents(z, min_points=3)
    if method == "pca":
        from sklearn.decomposition import PCA
        return PCA(2, random_state=seed).fit_transform(z)
    if not 2 <= n_neighbors < len(z):
        raise ValueError(f"n_neighbors = {n_neighbors} needs 2 <= n_neighbors < the number of points ({len(z)})")
    if not 0.0 <= min_dist <= 1.0:
        raise ValueError(f"min_dist must be in [0, 1], got {min_dist}")
    _numba_cache()
    import umap
    # a fixed random_state makes UMAP single-threaded (n_jobs=1, said explicitly)
    return umap.UMAP(n_neighbors=n_neighbors, min_dist=min_dist, random_state=seed, n_jobs=1).fit_transform(z)


def silhouette(z, groups, max_points: int = 4000, seed: int = 0) -> float:
    """Mean silhouette of ``groups`` in ``z`` (-1..1; high: the groups sit apart).
    Scored on a random subset of ``max_points`` for speed."""
    z = check_latents(z)
    groups = check_column(groups, len(z), "groups")
    if len(set(groups.tolist())) < 2:
        raise ValueError("silhouette needs at least two groups")
    from sklearn.metrics import silhouette_score
    return float(silhouette_score(z, groups, sample_size=min(max_points, len(z)), random_state=seed))


def knn_accuracy(z, labels, k: int = 10, folds: int = 5, seed: int = 0) -> float:
    """Cross-validated accuracy of a k-nearest-neighbour classifier of ``labels``
    in the latent space: how well neighbourhoods keep the emotion."""
    z = check_latents(z, min_points=folds * (k + 1))
    labels = check_column(labels, len(z), "labels")
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    # a class with fewer members than folds cannot be stratified: fewer folds (at least 2)
    smallest = int(np.unique(labels, return_counts=True)[1].min())
    cv = StratifiedKFold(max(2, min(folds, smallest)), shuffle=True, random_state=seed)
    return float(cross_val_score(KNeighborsClassifier(k), z, labels, cv=cv).mean())


def trustworthiness(z, xy, n_neighbors: int = 10) -> float:
    """How far the 2-D map keeps each point's neighbours (1: perfectly)."""
    z = check_latents(z)
    xy = check_latents(xy, name="projection")
    if len(xy) != len(z):
        raise ValueError(f"projection has {len(xy)} points for {len(z)} latents")
    if not 1 <= n_neighbors < len(z) / 2:
        raise ValueError(f"n_neighbors = {n_neighbors} must be in 1..{int(len(z) / 2) - 1} for {len(z)} points")
    from sklearn.manifold import trustworthiness as sk_trust
    return float(sk_trust(z, xy, n_neighbors=n_neighbors))


def map_scores(z, frame: pd.DataFrame, xy=None, k: int = 10) -> dict:
    """The numbers beside a latent map: silhouette by emotion and by modality,
    kNN emotion accuracy, and (given a projection ``xy``) its trustworthiness."""
    out = {"silhouette_emotion": silhouette(z, frame["emotion"].astype(str).to_numpy()),
           "knn_accuracy": knn_accuracy(z, frame["emotion"].astype(str).to_numpy(), k)}
    if frame["modality"].nunique() > 1:
        out["silhouette_modality"] = silhouette(z, frame["modality"].to_numpy())
    if xy is not None:
        out["trustworthiness"] = trustworthiness(z, xy, k)
    return out

"""EASUM: joint sentiment and emotion modelling over several corpora (Hwang & Kim).
One module per idea:

- ``mag.py``: the Multimodal Adaptation Gate that shifts word embeddings by
  acoustic and visual evidence (Sec. 3.3, Eq. 2-6);
- ``models.py``: the domain-general (DG: MAG + ConvBERT, a sentiment and an
  emotion head) and domain-specific (DS: MAG + DeBERTa) models;
- ``losses.py``: the moment distance MD and MD_total (Sec. 3.3, Eq. 8-9), the DG
  loss (Eq. 11), the soft (KL) and hard pseudo-label losses and the DS loss
  (Sec. 3.4, Eq. 13);
- ``train.py``: the DG step (one batch per domain) and the DS step (the frozen
  teacher's pseudo labels) on the kit's loop, domain balancing, metrics;
- ``experiments.py``: the paper's grids (omega, eta, hard vs soft) on any domains;
- ``reference.py``: the paper's own numbers, for comparison, and the kit's
  numbering of its 13 display equations (``EQUATIONS``: the paper numbers none;
  every "EASUM Eq. N" in the kit means that table).

    from affectkit.easum import MAG, moment_distance, ds_loss, fit_dg
"""

from .losses import dg_loss, ds_loss, hard_label_ce, moment_distance, moment_distance_total, soft_label_kl
from .mag import MAG, align_to
from .models import DGModel, DSModel, EASUMArch, MAGEncoder, warm_start
from .train import (balance_domains, dg_accuracy, dg_metrics, ds_metrics, fit_dg, fit_ds, load_dg, predict_dg,
                    predict_ds, prepare_domains, save_dg)

__all__ = ["dg_loss", "ds_loss", "hard_label_ce", "moment_distance", "moment_distance_total", "soft_label_kl",
           "MAG", "align_to", "DGModel", "DSModel", "EASUMArch", "MAGEncoder", "warm_start", "balance_domains",
           "dg_accuracy", "dg_metrics", "ds_metrics", "fit_dg", "fit_ds", "load_dg", "predict_dg", "predict_ds",
           "prepare_domains", "save_dg"]

"""EASUM: joint sentiment and emotion modelling over several corpora (Hwang & Kim).
One module per idea:

- ``mag.py``: the Multimodal Adaptation Gate that shifts word embeddings by
  acoustic and visual evidence (Sec. 3.3, Eq. 2-6);
- ``models.py``: the domain-general (DG: MAG + ConvBERT, a sentiment and an
  emotion head) and domain-specific (DS: MAG + DeBERTa) models;
- ``losses.py``: the moment distance MD and MD_total (Sec. 3.3, Eq. 8-9), the DG
  loss (Eq. 11), the soft (KL) and hard pseudo-label losses and the DS loss
  (Sec. 3.4, Eq. 13);
- ``prepare.py``: the domains (synthetic or the user's corpora) z-normalised
  together, with their DG targets, and EASUM's balancing by augmented copies
  (Sec. 3.3, Eq. 1);
- ``dg.py``: the DG step (one batch per domain, moment matching) on the kit's
  loop, its predictions, metrics and checkpoints (Sec. 3.3);
- ``ds.py``: the DS step (the frozen teacher's pseudo labels) on the kit's loop,
  its predictions and metrics (Sec. 3.4);
- ``experiments.py``: the paper's grids (omega, eta, hard vs soft) on any domains;
- ``reference.py``: the paper's own numbers, for comparison, and the kit's
  numbering of its 13 display equations (``EQUATIONS``: the paper numbers none;
  every "EASUM Eq. N" in the kit means that table).

    from affectkit.easum import MAG, moment_distance, ds_loss, fit_dg
"""

from .dg import DGStep, dg_accuracy, dg_metrics, fit_dg, load_dg, predict_dg, save_dg
from .ds import DSStep, ds_metrics, fit_ds, predict_ds
from .losses import dg_loss, ds_loss, hard_label_ce, moment_distance, moment_distance_total, soft_label_kl
from .mag import MAG, align_to
from .models import DGModel, DSModel, EASUMArch, MAGEncoder, warm_start
from .prepare import PreparedDomain, balance_domains, domain_data, prepare_domains

__all__ = ["dg_loss", "ds_loss", "hard_label_ce", "moment_distance", "moment_distance_total", "soft_label_kl",
           "MAG", "align_to", "DGModel", "DSModel", "EASUMArch", "MAGEncoder", "warm_start", "PreparedDomain",
           "balance_domains", "domain_data", "prepare_domains", "DGStep", "dg_accuracy", "dg_metrics", "fit_dg",
           "load_dg", "predict_dg", "save_dg", "DSStep", "ds_metrics", "fit_ds", "predict_ds"]

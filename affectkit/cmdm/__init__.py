"""CMDM: semi-supervised multimodal emotion recognition with cross-modal
distribution matching (Liang, Li, Jin, ACM MM 2020). One module per idea:

- ``dae.py``: the per-modality deep auto-encoders (Sec. 3.1, Table 3);
- ``model.py``: the CMDM model, DAEs + classifier on the concatenated latents;
- ``losses.py``: the Gaussian kernel (Eq. 4), MMD (Eq. 3), the paired form and
  the unpaired (shuffled) term (Eq. 6-7);
- ``objectives.py``: Ls, Lu and Lsemi (Eq. 5-9) with their switches;
- ``pool.py``: the class-balanced unlabeled pool (Sec. 4.2);
- ``train.py``: CMDM's training step (labeled batch + pool batch) on the kit's loop;
- ``experiments.py``: the paper's grids (Tables 4, 5, 7) on any dataset;
- ``reference.py``: the paper's own numbers, for comparison.

    from affectkit.cmdm import mmd, CMDM, CMDMLoss, fit
"""

from .dae import SequenceDAE, VectorDAE
from .losses import (
                     MATCHING_FORMS,
                     bandwidth,
                     check_sigma,
                     derangement,
                     gaussian_kernel,
                     matching_terms,
                     mmd,
                     paired_discrepancy,
)
from .model import CMDM, CMDMArch, build_cmdm, make_dae
from .objectives import CMDMLoss, masked_mse, reconstruction
from .pool import balance_pool, balance_report, balanced_indices
from .train import (
                     TrainingDiverged,
                     encode_split,
                     evaluate,
                     fit,
                     fit_autoencoder,
                     load_checkpoint,
                     predict,
                     save_checkpoint,
)

__all__ = ["SequenceDAE", "VectorDAE", "MATCHING_FORMS", "bandwidth", "check_sigma", "derangement",
           "gaussian_kernel", "matching_terms", "mmd", "paired_discrepancy", "CMDM", "CMDMArch", "build_cmdm",
           "make_dae", "CMDMLoss", "masked_mse", "reconstruction", "balance_pool", "balance_report",
           "balanced_indices", "TrainingDiverged", "encode_split", "evaluate", "fit", "fit_autoencoder",
           "load_checkpoint", "predict", "save_checkpoint"]

"""Text-only emotion models for real dialogue (MELD, notebook 08): a fine-tuned
sentence encoder with a linear head (``models.py``) and the experiments that
compare it with the lexical CMDM branch and the paper's Table 6 (``experiments.py``).

    from affectkit.text import fit_text_classifier
"""

from .models import TextClassifier, class_weights, fit_text_classifier

__all__ = ["TextClassifier", "class_weights", "fit_text_classifier"]

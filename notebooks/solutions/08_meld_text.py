"""Solutions to the exercises of notebook 08 (they need MELD's CSVs; None without them)."""

from sklearn.metrics import f1_score


def _splits():
    from affectkit.data.meld import load_meld
    try:
        found = load_meld(splits=("train", "dev"))
    except FileNotFoundError:
        return None
    return (found["train"], found["dev"]) if {"train", "dev"} <= set(found) else None


def exercise_1(profile="lab", seed=0):
    """The weighted F1 on dev of always predicting the most frequent train class."""
    data = _splits()
    if data is None:
        return None
    train, dev = data
    majority = train["emotion"].value_counts().idxmax()
    return float(f1_score(dev["emotion"], [majority] * len(dev), average="weighted"))


def _tfidf_predictions(train, dev, class_weight, seed):
    """TF-IDF of words and bigrams + logistic regression, fit on train: dev predictions."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2),
                          LogisticRegression(max_iter=2000, class_weight=class_weight, random_state=seed))
    model.fit(train["text"], train["emotion"])
    return model.predict(dev["text"])


def exercise_2(profile="lab", seed=0):
    """TF-IDF (words and bigrams) + logistic regression, class-balanced: weighted F1 on dev."""
    data = _splits()
    if data is None:
        return None
    train, dev = data
    return float(f1_score(dev["emotion"], _tfidf_predictions(train, dev, "balanced", seed), average="weighted"))


def exercise_3(profile="lab", seed=0):
    """The model of exercise 2 with and without class_weight="balanced": (macro F1 balanced,
    macro F1 unweighted) on dev. (Their accuracies: the balanced one is right less often.)"""
    data = _splits()
    if data is None:
        return None
    train, dev = data
    return tuple(float(f1_score(dev["emotion"], _tfidf_predictions(train, dev, w, seed), average="macro"))
                 for w in ("balanced", None))

"""Classifier heads on cached embeddings: the network's own FC head, an RBF SVM, LightGBM.

Every head returns a landslide score in [0, 1] whose 0.5 threshold is its decision: the FC head's
softmax probability, LightGBM's probability, and for the SVM the logistic of ``decision_function``
(monotone, 0 -> 0.5), so no ``probability=True`` (Platt scaling costs about 7x the fit).
Heads are fitted on the training fold's embeddings only.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def fit_svm(train_emb, train_y, c: float = 1.0, seed: int = 0):
    """RBF SVM on standardised embeddings (gamma='scale')."""
    return make_pipeline(StandardScaler(), SVC(C=c, kernel="rbf", gamma="scale", random_state=seed)
                         ).fit(train_emb, train_y)


def fit_lgbm(train_emb, train_y, seed: int = 0):
    import lightgbm as lgb
    return lgb.LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=15, subsample=0.8,
                              subsample_freq=1, colsample_bytree=0.5, random_state=seed, n_jobs=2,
                              verbose=-1).fit(train_emb, train_y)


def svm_scores(model, emb) -> np.ndarray:
    return _sigmoid(model.decision_function(emb))


def lgbm_scores(model, emb) -> np.ndarray:
    return model.predict_proba(emb)[:, 1]


HEADS: dict[str, tuple[Callable, Callable]] = {
    "svm": (lambda e, y, c, s: fit_svm(e, y, c, s), svm_scores),
    "lgbm": (lambda e, y, _c, s: fit_lgbm(e, y, s), lgbm_scores),
}

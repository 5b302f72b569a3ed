"""A decision threshold chosen on out-of-fold scores, never on the scores it is applied to.

``best_threshold`` maximises F1 over the midpoints between consecutive distinct scores (F1 changes only
where the threshold crosses a score); ties go to the threshold closest to 0.5. ``cross_fitted`` scores
each fold at the threshold chosen on the *other* folds' out-of-fold scores, so the CV F1 it yields is
not selected on the fold it reports."""
from __future__ import annotations

import numpy as np


def f1_at(y: np.ndarray, scores: np.ndarray, t: float) -> float:
    pred = np.asarray(scores) >= t
    y = np.asarray(y).astype(bool)
    tp = int((pred & y).sum())
    denom = int(pred.sum() + y.sum())
    return 2 * tp / denom if denom else 0.0


def best_threshold(y, scores) -> float:
    s = np.unique(np.asarray(scores, float))
    candidates = np.r_[0.5, (s[1:] + s[:-1]) / 2] if len(s) > 1 else np.array([0.5])
    f1 = np.array([f1_at(y, scores, t) for t in candidates])
    best = np.flatnonzero(f1 == f1.max())
    return float(candidates[best[np.argmin(np.abs(candidates[best] - 0.5))]])


def per_fold_f1(y, scores, fold_of, t: float = 0.5) -> list[float]:
    y, scores, fold_of = np.asarray(y), np.asarray(scores), np.asarray(fold_of)
    return [f1_at(y[fold_of == k], scores[fold_of == k], t) for k in np.unique(fold_of)]


def cross_fitted(y, oof, fold_of) -> tuple[list[float], list[float]]:
    """Per fold: (threshold chosen on the other folds, F1 of this fold at it)."""
    y, oof, fold_of = np.asarray(y), np.asarray(oof), np.asarray(fold_of)
    thresholds, f1s = [], []
    for k in np.unique(fold_of):
        mine = fold_of == k
        t = best_threshold(y[~mine], oof[~mine])
        thresholds.append(t)
        f1s.append(f1_at(y[mine], oof[mine], t))
    return thresholds, f1s

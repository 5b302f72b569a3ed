"""Scores and the statistics that say how far to trust them.

- ``f1_at_half``: F1 of probabilities thresholded at 0.5.
- ``bootstrap_f1``: F1 over patches resampled with replacement. The replicates use a fixed stream of
  indices for a given set size, so two models scored on the same test split are resampled *paired*
  (the same patches in replicate r): averaging replicates over seeds gives the interval of the
  seed-averaged F1, and differences of replicates give the interval of a difference.
- ``corrected_ttest``: Nadeau and Bengio's (2003) corrected resampled t-test over paired (seed, fold)
  differences. Fold training sets overlap, so the plain paired t-test's variance s^2/J is too small;
  the correction uses (1/J + n_test/n_train) s^2, with n_test/n_train = 1/(k-1) for k folds.
"""
from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.metrics import f1_score

BOOTSTRAP_SEED = 20030101


def f1_at_half(y_true, probs) -> float:
    return float(f1_score(np.asarray(y_true), np.asarray(probs) >= 0.5, zero_division=0))


def bootstrap_f1(y_true, probs, replicates: int = 1000) -> np.ndarray:
    """F1 of ``replicates`` resamples of the patches (paired across models: see the module doc)."""
    y = np.asarray(y_true).astype(bool)
    pred = np.asarray(probs) >= 0.5
    idx = np.random.default_rng(BOOTSTRAP_SEED).integers(0, len(y), size=(replicates, len(y)))
    yt, yp = y[idx], pred[idx]
    tp = (yt & yp).sum(1)
    denom = yt.sum(1) + yp.sum(1)
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def interval(replicates, level: float = 0.95) -> tuple[float, float]:
    lo, hi = np.quantile(np.asarray(replicates, float), [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def corrected_interval(diffs, folds: int, level: float = 0.95) -> tuple[float, float]:
    """The interval of the mean paired (seed, fold) difference under the same corrected variance."""
    d = np.asarray(diffs, float)
    if len(d) < 2:
        return float("nan"), float("nan")
    half = stats.t.ppf((1 + level) / 2, len(d) - 1) * np.sqrt(d.var(ddof=1) * (1 / len(d) + 1 / (folds - 1)))
    return float(d.mean() - half), float(d.mean() + half)


def corrected_ttest(diffs, folds: int) -> tuple[float, float]:
    """(mean difference, two-sided p) of paired per-(seed, fold) differences of k-fold CV scores."""
    d = np.asarray(diffs, float)
    if len(d) < 2:
        return float(d.mean()) if len(d) else float("nan"), float("nan")
    var = d.var(ddof=1) * (1 / len(d) + 1 / (folds - 1))
    if var <= 0:
        return float(d.mean()), (1.0 if d.mean() == 0 else float("nan"))  # constant: no spread to test
    t = d.mean() / np.sqrt(var)
    return float(d.mean()), float(2 * stats.t.sf(abs(t), len(d) - 1))


# Threshold-free scores (and F1 at a given threshold) of one score vector under many weightings of its
# patches at once: a row of ``weights`` is one bootstrap replicate's patch counts (all ones: the plain
# score). Written as sums over the patches sorted once, so a thousand replicates cost one matrix pass,
# not a thousand sklearn calls; tests/test_metrics.py holds them equal to sklearn's on unit weights.
SCORES = ("ap", "auc", "log_loss")


def weighted_scores(y, probs, weights=None, thresholds=(0.5,)) -> dict[str, np.ndarray]:
    """Per row of ``weights`` (default one row of ones): average precision, ROC-AUC, log loss, and
    ``f1@t`` for each threshold t. Tied scores count as one threshold, as sklearn counts them."""
    y = np.asarray(y).astype(bool)
    p = np.asarray(probs, float)
    w = np.ones((1, len(y))) if weights is None else np.atleast_2d(np.asarray(weights, float))
    order = np.argsort(-p, kind="stable")
    ps, ys, ws = p[order], y[order], w[:, order]
    ends = np.r_[np.flatnonzero(np.diff(ps) != 0), len(ps) - 1]  # the last patch of each tied score
    tp = np.cumsum(ws * ys, axis=1)[:, ends]
    fp = np.cumsum(ws * ~ys, axis=1)[:, ends]
    pos, neg = tp[:, -1:], fp[:, -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = tp / pos
        precision = tp / np.maximum(tp + fp, 1e-300)
        d_recall = np.diff(np.c_[np.zeros(len(w)), recall], axis=1)
        ap = (d_recall * precision).sum(1)
        tpr, fpr = np.c_[np.zeros(len(w)), recall], np.c_[np.zeros(len(w)), fp / neg]
        auc = (np.diff(fpr, axis=1) * (tpr[:, 1:] + tpr[:, :-1]) / 2).sum(1)
    q = np.clip(p, 1e-7, 1 - 1e-7)
    loss = w @ -(np.where(y, np.log(q), np.log(1 - q))) / w.sum(1)
    out = {"ap": ap, "auc": auc, "log_loss": loss}
    for t in thresholds:
        pred = p >= t
        denom = w @ y + w @ pred
        out[f"f1@{t}"] = np.where(denom > 0, 2 * (w @ (y & pred)) / np.maximum(denom, 1e-300), 0.0)
    return out


def bootstrap_weights(n: int, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Patch counts of ``replicates`` resamples with replacement of ``n`` patches (rows sum to n)."""
    return rng.multinomial(n, np.full(n, 1 / n), size=replicates).astype(float)

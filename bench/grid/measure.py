"""A cell's scores from its per-patch scores (the archive's rows, ``bench.grid.archive``): per fold on the
out-of-fold patches, and on the test split for the fold ensemble, with bootstrap replicates of the test
patches that every cell of a grid shares (so that replicates of two cells are paired).

The metrics: average precision (``ap``), ROC-AUC (``auc``), log loss, F1 at 0.5 (the paper's reading) and
F1 at the cross-fitted out-of-fold threshold (``f1@oof``: ``landslide.tricks.threshold``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from landslide.metrics import SCORES, bootstrap_weights, weighted_scores
from landslide.tricks.threshold import best_threshold, cross_fitted

METRICS = (*SCORES, "f1@0.5", "f1@oof")
LOWER_IS_BETTER = {"log_loss"}
REPLICATES = 1000
BOOTSTRAP_SEED = 20170101


@dataclass
class CellScores:
    cv: dict[str, list[float]]          # metric -> one value per fold (out-of-fold patches of that fold)
    test: dict[str, float]              # metric -> the fold ensemble's value on the test split
    test_boot: dict[str, np.ndarray]    # metric -> one value per shared bootstrap replicate of the test split
    thresholds: list[float]             # the cross-fitted threshold of each fold


def test_weights(n: int, replicates: int = REPLICATES) -> np.ndarray:
    """The patch counts every cell's test replicates use: one fixed stream per test-set size."""
    return bootstrap_weights(n, replicates, np.random.default_rng(BOOTSTRAP_SEED))


def cell_scores(cell: pd.DataFrame, weights: np.ndarray | None = None) -> CellScores:
    """Scores of one (row, seed) from its archive rows; ``weights``: the shared test replicates."""
    oof = cell[cell.split == "oof"]
    y, p, fold_of = oof.label.to_numpy(), oof.score.to_numpy(), oof.fold.to_numpy()
    thresholds, tuned = cross_fitted(y, p, fold_of)
    cv: dict[str, list[float]] = {m: [] for m in METRICS}
    for k in np.unique(fold_of):
        mine = fold_of == k
        for m, v in weighted_scores(y[mine], p[mine]).items():
            cv[m].append(float(v[0]))
    cv["f1@oof"] = [float(v) for v in tuned]
    test, boot = {}, {}
    tests = cell[cell.split == "test"]
    if len(tests):
        # the fold ensemble: each test patch's mean score over the folds, patches in ID order (the pairing)
        ens = tests.groupby("id", sort=True).agg(label=("label", "first"), score=("score", "mean"))
        t = best_threshold(y, p)  # chosen on every out-of-fold patch, applied to the test split once
        for key, w in (("point", None), ("boot", weights)):
            s = weighted_scores(ens.label.to_numpy(), ens.score.to_numpy(), w, thresholds=(0.5, t))
            s["f1@oof"] = s.pop(f"f1@{t}") if t != 0.5 else s["f1@0.5"].copy()
            if key == "point":
                test = {m: float(v[0]) for m, v in s.items()}
            else:
                boot = s
    return CellScores(cv, test, boot, [float(t) for t in thresholds])

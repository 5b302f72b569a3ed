"""How sure a change is: a row against its parent, over seeds, folds and test patches.

- On the test split, a hierarchical bootstrap: each replicate draws the seeds with replacement, then uses
  the grid's shared resample of the test patches (``bench.grid.measure``), and averages the per-seed
  differences; the 95 % interval thus holds the seed-to-seed variance as well as the patches'.
- On the folds, the correlated Bayesian t-test (Benavoli et al. 2017, the ``baycomp`` package) over the
  paired (seed, fold) differences, with a region of practical equivalence (ROPE): P(better),
  P(equivalent), P(worse). The folds of one seed are the same in every row, which makes the pairing valid.

The verdict of a row is read on ONE metric, ``PRIMARY``, from the Bayesian test (``call``); the F1
readings stand beside it (docs/protocol.md)."""
from __future__ import annotations

import math

import numpy as np

from bench.grid.measure import LOWER_IS_BETTER

# Average precision: it ranks patches without a threshold, so neither soft-label training's shifted
# probabilities (issue 36: Mixup's cross-fitted thresholds sit at 0.11-0.32) nor any other monotone
# recalibration moves it, and unlike ROC-AUC it weighs the minority class (landslides, 18 %) that F1 is about.
PRIMARY = "ap"
ROPE = 0.01      # a change smaller than this, in the metric's own units, is no change in practice
CERTAIN = 0.95   # a probability at least this names the verdict; below, "undecided"
SEED_DRAW = 19790101


def bayes(diffs, runs: int, rope: float = ROPE, lower_is_better: bool = False) -> tuple[float, float, float]:
    """(P(better), P(equivalent), P(worse)) of paired (seed, fold) differences row - parent, ``runs`` seeds."""
    from baycomp.single import CorrelatedTTest
    d = np.asarray(diffs, float)
    if lower_is_better:
        d = -d
    if len(d) < 2 or len(d) % runs:
        return math.nan, math.nan, math.nan
    if np.var(d) == 0:  # no spread: the posterior is a point at the mean
        m = float(d.mean())
        return float(m > rope), float(abs(m) <= rope), float(m < -rope)
    worse, same, better = CorrelatedTTest.probs(np.zeros_like(d), d, rope=rope, runs=runs)
    return float(better), float(same), float(worse)


def call(probs: tuple[float, float, float]) -> str:
    better, same, worse = probs
    if math.isnan(better):
        return ""
    return ("better" if better >= CERTAIN else "worse" if worse >= CERTAIN else
            "equivalent" if same >= CERTAIN else "undecided")


def seed_draws(n_seeds: int, replicates: int) -> np.ndarray:
    return np.random.default_rng(SEED_DRAW).integers(0, n_seeds, size=(replicates, n_seeds))


def hierarchical(reps: np.ndarray, ref: np.ndarray | None = None) -> tuple[float, float]:
    """95 % interval of the seed mean of ``reps`` (seeds x replicates), or of its paired difference from
    ``ref`` (the same seeds, the same test replicates)."""
    d = reps if ref is None else reps - ref
    draws = seed_draws(d.shape[0], d.shape[1])
    means = d[draws, np.arange(d.shape[1])[:, None]].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return float(lo), float(hi)


def compare(row: dict, parent: dict, metric: str) -> dict:
    """Row against parent on one metric. ``row``/``parent``: seed -> CellScores. Returns Δ on the test split
    (seed mean) with its hierarchical interval, the CV Δ and the Bayesian probabilities."""
    seeds = sorted(set(row) & set(parent))
    out = {"d": math.nan, "lo": math.nan, "hi": math.nan, "cv_d": math.nan, "probs": (math.nan,) * 3}
    if not seeds:
        return out
    diffs = [a - b for s in seeds for a, b in zip(row[s].cv[metric], parent[s].cv[metric], strict=True)]
    out["cv_d"] = float(np.mean(diffs))
    out["probs"] = bayes(diffs, len(seeds), lower_is_better=metric in LOWER_IS_BETTER)
    if all(row[s].test for s in seeds) and all(parent[s].test for s in seeds):
        out["d"] = float(np.mean([row[s].test[metric] - parent[s].test[metric] for s in seeds]))
        out["lo"], out["hi"] = hierarchical(np.array([row[s].test_boot[metric] for s in seeds]),
                                            np.array([parent[s].test_boot[metric] for s in seeds]))
    return out

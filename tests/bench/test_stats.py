"""The verdict's statistics on simulated per-patch scores: known answers (issue 36's Done-when)."""
import numpy as np
import pandas as pd
import pytest

from bench.grid.effects import measure_columns
from bench.grid.measure import cell_scores
from bench.grid.measure import test_weights as shared_weights
from bench.grid.spec import Grid, Row
from bench.grid.stats import bayes, call, compare

SEEDS, FOLDS, N = 3, 3, 300


def _cell(rng, row: str, seed: int, gain: float, y_oof, y_test) -> pd.DataFrame:
    """A (row, seed)'s archive rows: scores that rank landslides higher by ``gain`` plus the seed's noise."""
    def scores(y, n):
        return 1 / (1 + np.exp(-(gain * (y - 0.5) * 2 + rng.normal(0, 1, n))))
    oof = pd.DataFrame({"fold": np.arange(N) % FOLDS, "split": "oof", "id": [f"t{i}" for i in range(N)],
                        "label": y_oof, "score": scores(y_oof, N)})
    test = pd.concat([pd.DataFrame({"fold": k, "split": "test", "id": [f"s{i:04d}" for i in range(N)],
                                    "label": y_test, "score": scores(y_test, N)}) for k in range(FOLDS)])
    frame = pd.concat([oof, test], ignore_index=True)
    frame.insert(0, "seed", seed), frame.insert(0, "row", row), frame.insert(0, "grid", "g")
    return frame


def _archive(rng, gains: dict[str, float]) -> pd.DataFrame:
    y_oof, y_test = (rng.random(N) < 0.25).astype(int), (rng.random(N) < 0.25).astype(int)
    return pd.concat([_cell(rng, row, s, g, y_oof, y_test) for row, g in gains.items() for s in range(SEEDS)],
                     ignore_index=True)


GRID = Grid("g", "g", "baseline", [], [Row("baseline", "Baseline", {}), Row("other", "other", {}, "baseline")])
FACTS = {"base": {"folds": FOLDS}, "cells": []}


def test_the_bayesian_probabilities_are_the_corrected_t_posterior_by_hand():
    from scipy import stats
    d = np.array([0.02, 0.03, 0.01, 0.025, 0.02, 0.03])  # 2 seeds x 3 folds
    scale = np.sqrt(d.var(ddof=1) * (1 / 6 + 1 / (3 - 1)))  # Nadeau-Bengio: 1/n + n_test/n_train
    better, same, worse = bayes(d, runs=2, rope=0.01)
    assert better == pytest.approx(stats.t.sf(0.01, 5, d.mean(), scale))
    assert worse == pytest.approx(stats.t.cdf(-0.01, 5, d.mean(), scale))
    assert better + same + worse == pytest.approx(1)
    assert bayes(d, runs=2, rope=0.01, lower_is_better=True)[2] == pytest.approx(better)  # log loss: lower wins


def test_a_monotone_recalibration_changes_no_threshold_free_or_cross_fitted_verdict():
    rng = np.random.default_rng(1)
    scores = _archive(rng, {"baseline": 1.0, "other": 1.6})
    cubed = scores.copy()
    cubed.loc[cubed.row == "other", "score"] **= 3  # p -> p^3: the same ranking, other probabilities
    plain, recal = (measure_columns(GRID, s, FACTS).set_index("row").loc["other"] for s in (scores, cubed))
    for m in ("ap", "auc", "f1_oof"):
        assert plain[f"verdict_{m}"] == recal[f"verdict_{m}"], m
    # per fold the ranking is the same, so the verdict's data are; the test ensemble averages cubed fold
    # scores, which moves its ranking a little
    assert plain.cv_d_ap == pytest.approx(recal.cv_d_ap) and plain.cv_d_auc == pytest.approx(recal.cv_d_auc)
    assert abs(plain.d_ap - recal.d_ap) < 0.005
    assert plain.verdict_ap == "better"
    assert recal.d_log_loss != pytest.approx(plain.d_log_loss)  # calibration is what log loss reads


def test_a_planted_gain_is_found_and_no_gain_is_judged_as_one_at_about_the_nominal_rate():
    rng = np.random.default_rng(2)
    weights = shared_weights(N, replicates=200)
    called, excluded = [], []
    for _ in range(120):  # the "other" row is the baseline with other seeds: draws of one distribution
        frame = _archive(rng, {"baseline": 1.0, "other": 1.0})
        cells = {row: {s: cell_scores(frame[(frame.row == row) & (frame.seed == s)], weights) for s in range(SEEDS)}
                 for row in ("baseline", "other")}
        c = compare(cells["other"], cells["baseline"], "ap")
        called.append(call(c["probs"]) in ("better", "worse"))
        excluded.append(c["lo"] > 0 or c["hi"] < 0)
    assert np.mean(called) <= 0.08, np.mean(called)      # nominal: 0.05 (either side of the ROPE at 0.95)
    assert np.mean(excluded) <= 0.12, np.mean(excluded)  # a 95 % interval; 3 seeds make the bootstrap narrow
    gained = measure_columns(GRID, _archive(rng, {"baseline": 1.0, "other": 1.8}), FACTS).set_index("row")
    assert gained.loc["other", "verdict"] == "better" and gained.loc["other", "d_ap_lo"] > 0

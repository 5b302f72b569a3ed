import numpy as np
import pytest
from sklearn.metrics import f1_score

from landslide.metrics import BOOTSTRAP_SEED, bootstrap_f1, corrected_ttest, interval


def test_bootstrap_replicates_equal_sklearn_on_the_same_resamples():
    rng = np.random.default_rng(1)
    y = (rng.random(200) < 0.2).astype(int)
    p = np.clip(y * 0.6 + rng.random(200) * 0.5, 0, 1)
    boot = bootstrap_f1(y, p, replicates=50)
    idx = np.random.default_rng(BOOTSTRAP_SEED).integers(0, 200, size=(50, 200))
    ref = [f1_score(y[i], p[i] >= 0.5, zero_division=0) for i in idx]
    np.testing.assert_allclose(boot, ref, atol=1e-12)
    lo, hi = interval(boot)
    assert lo <= f1_score(y, p >= 0.5) <= hi


def test_bootstrap_is_paired_across_models():
    """Same test set -> same resampled patches, so a model compared with itself differs by exactly 0."""
    y = np.r_[np.ones(20), np.zeros(80)].astype(int)
    p = np.linspace(0, 1, 100)
    np.testing.assert_array_equal(bootstrap_f1(y, p), bootstrap_f1(y, p.copy()))


def test_corrected_ttest_is_wider_than_the_naive_one():
    from scipy import stats
    d = np.array([0.02, 0.05, -0.01, 0.04, 0.03, 0.00, 0.02, 0.06, 0.01])
    _, p = corrected_ttest(d, folds=3)
    naive = stats.ttest_1samp(d, 0).pvalue
    assert p > naive
    t = d.mean() / np.sqrt(d.var(ddof=1) * (1 / 9 + 1 / 2))
    assert p == pytest.approx(2 * stats.t.sf(abs(t), 8))


def test_corrected_interval_by_hand_and_consistent_with_its_p():
    from scipy import stats

    from landslide.metrics import corrected_interval, corrected_ttest
    d = np.array([0.02, 0.05, -0.01, 0.04, 0.03, 0.00])  # 2 seeds x 3 folds
    half = stats.t.ppf(0.975, 5) * np.sqrt(d.var(ddof=1) * (1 / 6 + 1 / 2))
    lo, hi = corrected_interval(d, folds=3)
    assert (lo, hi) == pytest.approx((d.mean() - half, d.mean() + half))
    assert (lo < 0 < hi) == (corrected_ttest(d, 3)[1] > 0.05)  # the interval holds 0 exactly when p > 0.05


def test_test_change_differences_paired_replicates_seed_by_seed():
    from bench.grid.report import test_change
    row = {0: (0.80, [0.78, 0.80, 0.82]), 1: (0.70, [0.68, 0.70, 0.72]), 2: (0.9, [0.9, 0.9, 0.9])}
    ref = {0: (0.75, [0.75, 0.75, 0.75]), 1: (0.70, [0.70, 0.70, 0.70])}  # seed 2 missing: left out
    d, lo, hi = test_change(row, ref)
    assert d == pytest.approx(0.025)  # (0.05 + 0.00) / 2
    assert (lo, hi) == pytest.approx(tuple(np.quantile([0.005, 0.025, 0.045], [0.025, 0.975])))


def test_weighted_scores_equal_sklearns_on_plain_and_resampled_patches():
    from sklearn.metrics import average_precision_score, f1_score, log_loss, roc_auc_score

    from landslide.metrics import bootstrap_weights, weighted_scores
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.2
    p = np.round(np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1), 2)  # rounded: tied scores
    w = bootstrap_weights(400, 3, rng)
    s = weighted_scores(y, p, w, thresholds=(0.3,))
    for i, r in enumerate(w):
        assert s["ap"][i] == pytest.approx(average_precision_score(y, p, sample_weight=r))
        assert s["auc"][i] == pytest.approx(roc_auc_score(y, p, sample_weight=r))
        assert s["log_loss"][i] == pytest.approx(log_loss(y, np.clip(p, 1e-7, 1 - 1e-7), sample_weight=r))
        assert s["f1@0.3"][i] == pytest.approx(f1_score(y, p >= 0.3, sample_weight=r))

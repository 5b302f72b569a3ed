"""The regime line every grid table carries: classification thresholds, the plateau reading and the
train AUC/log loss read back from a run folder, against hand-computed values and sklearn."""
import math

import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from bench.grid.regime import Regime, plateau_delta, train_scores
from landslide.train.results import FoldResult


@pytest.mark.parametrize("train, cv, name", [
    (0.898, 0.822, "under-fit"),      # the committed v2 quick baseline
    (0.975, 0.833, "fitted"),         # gap 0.142
    (0.999, 0.80, "over-fit"),        # gap 0.199
    (0.97, 0.96, "fitted, no gap"),
])
def test_regime_names_follow_the_papers_thresholds(train, cv, name):
    r = Regime(train, cv)
    assert r.name == name
    assert r.gap == pytest.approx(train - cv)
    assert f"gap {train - cv:+.3f}" in r.line()


def test_plateau_delta_is_the_mean_over_curves_of_last_three_minus_three_before():
    rising = np.c_[np.arange(8), [0.1, 0.2, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]]   # (0.9) - (0.6) = 0.3
    flat = np.c_[np.arange(8), [0.1, 0.2, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]]     # 0.8 - 0.8 = 0
    assert plateau_delta([rising, flat]) == pytest.approx(0.15)
    assert Regime(0.97, 0.9, plateau_delta=0.005, curves=9).plateau is True
    assert Regime(0.97, 0.9, plateau_delta=0.02, curves=9).plateau is False
    assert math.isnan(plateau_delta([rising[:5]]))  # too short to read


def test_train_scores_match_sklearn_on_a_run_folder(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 40)
    (tmp_path / "oof.csv").write_text("ID,label,score\n" + "".join(f"ID_{i},{y},0.5\n" for i, y in enumerate(labels)))
    expected = []
    for k in range(2):
        tr = np.sort(rng.choice(40, 25, replace=False))
        p = np.clip(0.3 * labels[tr] + 0.7 * rng.random(25), 0, 1)
        fold = tmp_path / f"fold_{k}"
        fold.mkdir()
        FoldResult(tr, np.setdiff1d(np.arange(40), tr), p, np.zeros((25, 2)), np.zeros(15), np.zeros((15, 2)),
                   0.5, 1, np.zeros((1, 2)), 0.9).save(fold / "result.npz")
        (fold / "model.pt").write_bytes(b"")  # a finished fold has its final weights (only their presence is read)
        expected.append((roc_auc_score(labels[tr], p), log_loss(labels[tr], np.clip(p, 1e-7, 1 - 1e-7))))
    auc, loss = train_scores(tmp_path, 2)
    assert auc == pytest.approx(np.mean([e[0] for e in expected]))
    assert loss == pytest.approx(np.mean([e[1] for e in expected]))

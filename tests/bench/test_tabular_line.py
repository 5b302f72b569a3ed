"""The tabular baseline's line under a grid's title: a preview's one fold reads as one fold, not as ± 0."""
import numpy as np
import pytest

import bench.grid.reference as reference
from landslide.profiles import profile_config


@pytest.mark.parametrize("folds, shown", [(1, "(one fold)"), (2, "± ")])
def test_the_tabular_cv_f1_reads_one_fold_as_such(monkeypatch, folds, shown):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)

    def fake(*_):  # LightGBM's scores, made up: the line's reading is tested
        return {"labels": y, "oof": rng.random(60), "fold_of": np.arange(60) % folds, "test_labels": y,
                "test": rng.random(60)}
    monkeypatch.setattr(reference, "cross_validated", fake)
    line = reference.tabular_line(profile_config("smoke"), [0])
    assert line.startswith(reference.TABULAR_START)
    assert line.count(shown) == len(reference.VARIANTS) and ("± 0.000" not in line if folds == 1 else True)

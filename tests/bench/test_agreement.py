"""bench.grid.agreement: a cell's metrics in the results store are its run folder's metrics.json, or the
table is refused with the cell named and the fix."""
import json

import pytest

from bench.grid.agreement import refuse_disagreeing
from bench.grid.cells import expand, run_dir_for
from bench.grid.spec import load_grid
from landslide.errors import LandslideError
from landslide.profiles import profile_config
from landslide.train.rundir import RunDir


@pytest.fixture
def stored(tmp_path):
    """Table 3's cells at seed 0, each with the metrics its (shared) run folder holds, in the store too."""
    cells = expand(load_grid("table3"), profile_config("smoke", threads=1), [0])
    metrics = {}
    for i, c in enumerate(cells):
        m = {"cv_f1_mean": 0.04 + i / 100, "cv_f1_std": 0.01, "test_f1_boot": [0.1, float("nan")], "head": c.cfg.head}
        path = RunDir(run_dir_for(tmp_path, c.cfg)).output_path(c.cfg, "metrics", ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(m))
        metrics[c.key] = m | {"wall_s": 3.0, "run_dir": str(path.parent)}  # what the store adds
    return cells, metrics


def test_a_store_that_agrees_with_its_runs_passes(stored, tmp_path):
    refuse_disagreeing(*stored, tmp_path)


def test_an_edited_cell_is_refused_by_name_with_the_fix(stored, tmp_path):
    cells, metrics = stored
    svm = next(c for c in cells if c.row == "svm_c0.5")
    metrics[svm.key] = metrics[svm.key] | {"cv_f1_mean": 0.92}
    with pytest.raises(LandslideError) as exc:
        refuse_disagreeing(cells, metrics, tmp_path)
    said = str(exc.value)
    assert "table3/svm_c0.5 seed 0: cv_f1_mean differ from" in said and "metrics-svm-c0.5.json" in said
    assert "store 0.92, run 0.0" in said and "Delete this grid's study" in said
    assert said.count("seed 0:") == 1  # the other heads, sharing the folder, agree


def test_an_edited_run_is_refused_too_and_a_missing_one_is_left_to_the_grid(stored, tmp_path):
    cells, metrics = stored
    fc = next(c for c in cells if c.cfg.head == "fc")
    path = RunDir(run_dir_for(tmp_path, fc.cfg)).output_path(fc.cfg, "metrics", ".json")
    path.write_text(json.dumps(json.loads(path.read_text()) | {"test_f1_boot": [0.1, 0.2]}))
    with pytest.raises(LandslideError, match="test_f1_boot differ"):
        refuse_disagreeing(cells, metrics, tmp_path)
    path.unlink()
    refuse_disagreeing(cells, metrics, tmp_path)


def test_a_run_scored_again_after_a_field_was_added_agrees_with_the_older_store(stored, tmp_path):
    # a cell stored before trained_on existed; its run folder scored again writes trained_on [] (its folds
    # predate the record): the same cell, not an edited store. A recorded machine still must agree.
    cells, metrics = stored
    for c in cells:
        path = RunDir(run_dir_for(tmp_path, c.cfg)).output_path(c.cfg, "metrics", ".json")
        path.write_text(json.dumps(json.loads(path.read_text()) | {"trained_on": []}))
    refuse_disagreeing(cells, metrics, tmp_path)
    path.write_text(json.dumps(json.loads(path.read_text()) | {"trained_on": ["cpu AVX2 x"]}))
    with pytest.raises(LandslideError, match="trained_on differ"):
        refuse_disagreeing(cells, metrics, tmp_path)

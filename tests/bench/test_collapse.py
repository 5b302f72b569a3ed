"""A fold whose final weights lost what training reached is named in the table's header."""
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from bench.grid.collapse import DROP, collapse_lines, collapsed_folds
from bench.grid.spec import load_grid
from bench.grid.tables import GridRun
from landslide.config import ExperimentConfig


def test_only_a_fold_far_below_its_best_is_collapsed():
    # fold 1 ends 0.75 below its best; fold 0's ordinary excess (0.05) and fold 2 at exactly DROP are not
    assert DROP == 0.25  # the boundary below is exact in binary floating point at this value
    assert collapsed_folds([0.80, 0.02, 0.5], [0.85, 0.77, 0.75]) == [(1, 0.02, 0.77)]


def test_a_missing_final_f1_is_collapsed_and_unjudgeable_histories_are_not():
    found = collapsed_folds([0.8, math.nan, None], [0.8, 0.7, 0.6])
    assert [k for k, _, _ in found] == [1, 2]
    assert collapsed_folds([0.1, 0.2], None) == []          # metrics from before the history was kept
    assert collapsed_folds([0.1, 0.2], [0.9]) == []         # lengths disagree: not judged fold by fold
    assert collapsed_folds([0.1], [math.nan]) == []         # no best to compare with


def fc(cv, best):
    return {"head": "fc", "cv_f1_folds": cv, "best_val_f1_folds": best, "data": "synthetic(n=8)"}


CELLS = [SimpleNamespace(row="inceptionv3", seed=s, key=f"k{s}") for s in (1, 0)] + [
    SimpleNamespace(row="resnet", seed=0, key="r0"), SimpleNamespace(row="vit", seed=0, key="unfinished"),
    SimpleNamespace(row="svm", seed=0, key="h0")]
METRICS = {"k0": fc([0.78, 0.68, 0.0], [0.79, 0.75, 0.77]), "k1": fc([0.1, 0.7, 0.7], [0.8, 0.72, 0.71]),
           "r0": fc([0.83, 0.84, 0.83], [0.84, 0.85, 0.84]),
           # a head on a shared network carries the network's history, not its own: not judged
           "h0": {**fc([0.1, 0.1, 0.1], [0.8, 0.8, 0.8]), "head": "svm"}}


def test_lines_name_row_seed_and_fold_and_skip_unfinished_cells_and_heads():
    lines = collapse_lines(CELLS, METRICS)
    assert len(lines) == 1
    assert lines[0].startswith("collapsed: inceptionv3: seed 0 fold 2 ended at F1 0.000 after 0.770 during "
                               "training; seed 1 fold 0 ended at F1 0.100 after 0.800")


def test_a_grid_tables_header_holds_the_line_before_its_code_line():
    # the baseline has no score, so no regime line: the collapse line is what the measurement adds
    run = GridRun(load_grid("backbones"), ExperimentConfig(), [0, 1], Path("."), CELLS,
                  METRICS, [])
    run.measure(pd.DataFrame({"row": ["efficientnetv2"], "cv_f1": [math.nan]}))
    head = run.header()
    at = next(i for i, line in enumerate(head) if line.startswith("collapsed: inceptionv3"))
    code = next(i for i, line in enumerate(head) if line.startswith("code:"))
    # between them only the lines about the table's cells: which did not finish, what they trained on
    assert at == 2 and all(line.startswith(("partial:", "trained on:")) for line in head[at + 1:code])


def test_tables_drawn_from_a_store_carry_its_collapsed_folds(monkeypatch, tmp_path):
    # thresholds and tricks read Table 2's store: a diverged row there is named in their headers too
    import bench.grid.tables as tables
    from bench.grid.cells import expand
    from bench.grid.inputs import GridInputs
    grid, base = load_grid("table2"), ExperimentConfig()
    smote = next(c for c in expand(grid, base.replace(threads=1), [0]) if c.row == "smote")
    monkeypatch.setattr(tables, "open_study", lambda *a: None)
    monkeypatch.setattr(tables, "finished_metrics",
                        lambda _study: {smote.key: {**fc([0.8, 0.0, 0.8], [0.8, 0.8, 0.8]), "train_f1": 0.5}})
    lines = tables.stored_measured_lines(GridInputs(grid, base, (0,), tmp_path))
    assert len(lines) == 1  # the baseline has no cell, so no regime line
    assert lines[0].startswith("collapsed: smote: seed 0 fold 1 ended at F1 0.000 after 0.800")

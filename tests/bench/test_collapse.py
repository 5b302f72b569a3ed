"""A fold whose final weights lost what training reached is named in the table's header."""
from types import SimpleNamespace

from bench.grid.collapse import DROP, collapse_lines, collapsed_folds


def test_only_a_fold_far_below_its_best_is_collapsed():
    # fold 1 ends 0.75 below its best; fold 0's ordinary excess (0.05) and fold 2 at exactly DROP are not
    assert collapsed_folds([0.80, 0.02, 0.70], [0.85, 0.77, 0.70 + DROP]) == [(1, 0.02, 0.77)]
    assert collapsed_folds([0.1, 0.2], None) == []  # rows without a history (shared heads) are not judged


def test_lines_name_row_seed_and_fold_and_skip_unfinished_cells_and_heads():
    cells = [SimpleNamespace(row="inceptionv3", seed=s, key=f"k{s}") for s in (1, 0)] + \
            [SimpleNamespace(row="resnet", seed=0, key="r0"), SimpleNamespace(row="vit", seed=0, key="unfinished"),
             SimpleNamespace(row="svm", seed=0, key="h0")]
    metrics = {"k0": {"cv_f1_folds": [0.78, 0.68, 0.0], "best_val_f1_folds": [0.79, 0.75, 0.77]},
               "k1": {"cv_f1_folds": [0.1, 0.7, 0.7], "best_val_f1_folds": [0.8, 0.72, 0.71]},
               "r0": {"cv_f1_folds": [0.83, 0.84, 0.83], "best_val_f1_folds": [0.84, 0.85, 0.84]},
               # a head on a shared network: its network's history is not the head's
               "h0": {"head": "svm", "cv_f1_folds": [0.1, 0.1, 0.1], "best_val_f1_folds": [0.8, 0.8, 0.8]}}
    lines = collapse_lines(cells, metrics)
    assert len(lines) == 1
    assert lines[0].startswith("collapsed: inceptionv3: seed 0 fold 2 ended at F1 0.000 after 0.770 during "
                               "training; seed 1 fold 0 ended at F1 0.100 after 0.800")

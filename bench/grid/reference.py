"""The model without a network, printed under a grid's title: LightGBM on per-band statistics, trained on
the same data, folds and seeds as the grid's cells. It says how much of the task patch statistics already
solve, so that a CNN's score reads against it (issue 21: on the real task LightGBM on band statistics
scores about 0.86 and CNNs 0.88-0.91)."""
from __future__ import annotations

import numpy as np

from bench.grid.report import cv_text
from landslide.metrics import bootstrap_f1, interval
from landslide.tricks.tabular import VARIANTS, cross_validated
from landslide.tricks.threshold import f1_at, per_fold_f1


def tabular_summary(base, seeds: list[int], channels: str, statistics: str) -> dict:
    """CV F1 over (seed, fold), test F1 at 0.5 (mean over seeds) and its 95 % bootstrap interval."""
    runs = [cross_validated(base.replace(seed=s), s, channels, statistics) for s in seeds]
    cv = [v for d in runs for v in per_fold_f1(d["labels"], d["oof"], d["fold_of"])]
    y = runs[0]["test_labels"]
    lo, hi = interval(np.mean([bootstrap_f1(y, d["test"]) for d in runs], axis=0))
    # one (seed, fold) pair (a preview) has no spread to show: NaN, read as "(one fold)"
    return {"cv_f1": float(np.mean(cv)), "cv_f1_std": float(np.std(cv)) if len(cv) > 1 else float("nan"),
            "test_f1": float(np.mean([f1_at(y, d["test"], 0.5) for d in runs])), "test_lo": lo, "test_hi": hi}


TABULAR_START = "without a network (LightGBM on per-band statistics, same data, folds and seeds): "


def tabular_line(base, seeds: list[int]) -> str:
    parts = []
    for channels, statistics in VARIANTS:
        s = tabular_summary(base, seeds, channels, statistics)
        parts.append(f"{statistics} statistics x {channels} channels: CV F1 {cv_text(s['cv_f1'], s['cv_f1_std'])}, "
                     f"test F1 {s['test_f1']:.3f} [{s['test_lo']:.3f}, {s['test_hi']:.3f}]")
    return TABULAR_START + "; ".join(parts)

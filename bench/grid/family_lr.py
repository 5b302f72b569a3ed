"""A learning rate per backbone family, chosen on an inner split: ``bench backbones``' fair comparison.

One recipe does not fit every family (at AdamW 2e-3 for 16 epochs from scratch EfficientNetV2-B0 was
still rising at train F1 0.79 and ViT-Tiny did not fit its fold), so each family trains its candidate
rates on an inner split of outer fold 0's training part (``inner_of_fold=0``: the outer validation folds
are split afresh inside it, the test split is not loaded), and the table's cells then use the rate with
the best inner validation F1. The choice never sees the test split, the table's headline. It does see
rows that are validation rows of outer folds 1 and 2, so the tuned rows' CV F1 may read a little high;
the header says so. The inner cells are ordinary grid cells: stored, resumed and shared like any other.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from bench.grid.runner import run_grid
from bench.grid.spec import Grid, Row
from landslide.config import ExperimentConfig

DEFAULT_CANDIDATES = (5e-4, 1e-3, 2e-3, 4e-3)


def inner_grid(grid: Grid, candidates: list[float]) -> Grid:
    """Every (family, candidate rate) pair as a row trained on the inner split's first fold; a row that
    sets its own ``lr`` keeps it and is not tuned."""
    rows = [Row(f"{r.name}@{lr:g}", f"{r.label}, lr {lr:g}",
                {**r.fields, "lr": lr, "inner_of_fold": 0, "folds_trained": 1})
            for r in grid.rows if "lr" not in r.fields for lr in candidates]
    return Grid(f"{grid.name}_lr", f"{grid.title}: learning rate per family on an inner split",
                rows[0].name if rows else "", [*grid.factors, "lr"], rows)


def pick(scores: dict[float, float], fallback: float) -> float:
    """The candidate with the highest inner F1 (the first of equals, candidates in ascending order);
    ``fallback`` when none finished."""
    done = {lr: f1 for lr, f1 in sorted(scores.items()) if np.isfinite(f1)}
    return max(done, key=lambda lr: done[lr]) if done else fallback


def choose_family_lrs(grid: Grid, base: ExperimentConfig, seed: int, candidates: list[float], out, storage,
                      workers: int, retry_failed: bool, progress: bool) -> tuple[Grid, pd.DataFrame]:
    """Train the inner cells (those missing), then return the grid with each row's chosen ``lr`` (marked
    as tuned, so the table keeps its packaged name) and the table of inner scores."""
    inner = inner_grid(grid, sorted(candidates))
    if not inner.rows:  # every row sets its own rate
        return grid, pd.DataFrame()
    cells, metrics, _ = run_grid(inner, base, [seed], out, storage, workers, retry_failed, progress)
    found = {c.row: metrics[c.key] for c in cells if c.key in metrics}
    lines, rows, tuned = [], [], {}
    for row in grid.rows:
        if "lr" in row.fields:
            rows.append(row)
            continue
        scores = {}
        for lr in sorted(candidates):
            m = found.get(f"{row.name}@{lr:g}")
            scores[lr] = m["cv_f1_mean"] if m else np.nan
            lines.append({"row": row.name, "family": row.label, "lr": lr, "inner_val_f1": round(scores[lr], 4),
                          "train_f1": round(m["train_f1"], 4) if m else np.nan})
        chosen = pick(scores, base.lr)
        for line in lines[-len(candidates):]:
            line["chosen"] = "yes" if line["lr"] == chosen else ""
        rows.append(replace(row, fields={**row.fields, "lr": chosen}))
        tuned[row.name] = {"lr": chosen}
    factors = grid.factors if "lr" in grid.factors else [*grid.factors, "lr"]
    return replace(grid, rows=rows, factors=factors, tuned=tuned), pd.DataFrame(lines)

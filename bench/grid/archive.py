"""The committed archive of a grid's per-patch scores, from which its tables are rebuilt without training.

Two files per grid table under ``tables/scores/`` (named like the table, e.g. ``table2.csv.gz``):

- ``STEM.csv.gz``: one line per (row, seed, fold, split, patch): ``grid,row,seed,fold,split,id,label,score``.
  ``split`` is ``oof`` (the patch was held out in ``fold``; its score is that fold's network's) or ``test``
  (the score of ``fold``'s network on the labelled test split; the fold ensemble is their mean). Scores
  are rounded to 6 significant digits, and the tables are computed from the rounded scores, so a rebuild
  gives the same numbers. pandas alone reads it: ``pd.read_csv(path, dtype={"id": str})``.
- ``STEM.json``: what a table needs beyond the patches' scores, measured when the cells finished: each
  cell's configuration and stored metrics (train F1, best-on-val F1 per fold), its train AUC and log loss,
  each row's plateau, the grid itself (rows, parents, labels), the header's data, profile, seeds and
  measured lines (docs/protocol.md).
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landslide.atomic import atomic_path, write_text_atomic
from landslide.errors import LandslideError

COLUMNS = ["grid", "row", "seed", "fold", "split", "id", "label", "score"]
DIGITS = 6


def folder(tables: Path) -> Path:
    return tables / "scores"


@dataclass
class Archive:
    scores: pd.DataFrame
    facts: dict

    def write(self, tables: Path, stem: str) -> list[Path]:
        out = folder(tables)
        out.mkdir(parents=True, exist_ok=True)
        csv = out / f"{stem}.csv.gz"
        with atomic_path(csv) as tmp:
            # mtime=0: the same scores give the same bytes, so a rebuilt archive is no change to commit
            self.scores.to_csv(tmp, index=False, float_format=f"%.{DIGITS}g",
                               compression={"method": "gzip", "mtime": 0})
        meta = out / f"{stem}.json"
        write_text_atomic(meta, json.dumps(self.facts, indent=1, sort_keys=True, default=_json) + "\n")
        return [csv, meta]


def _json(v):
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"{type(v)} is not JSON")


def read(meta: Path) -> Archive:
    """The archive whose facts file is ``meta`` (``STEM.json``), validated as it is read."""
    csv = meta.with_name(meta.name.removesuffix(".json") + ".csv.gz")
    if not csv.is_file():
        raise LandslideError(f"{meta} has no scores beside it: expected {csv}; rerun the grid's command to write both")
    try:
        facts = json.loads(meta.read_text(encoding="utf-8"))
        scores = pd.read_csv(csv, dtype={"id": str, "row": str, "grid": str, "split": str})
    except (ValueError, OSError, EOFError) as exc:
        raise LandslideError(f"{meta} or {csv} cannot be read ({exc}); rerun the grid's command to rewrite them") \
            from None
    missing = [c for c in COLUMNS if c not in scores.columns]
    if missing:
        raise LandslideError(f"{csv} has no column(s) {missing}; an archive has {COLUMNS} (docs/protocol.md)")
    for key in ("grid", "grid_spec", "stem", "cells", "base", "seeds", "data"):
        if key not in facts:
            raise LandslideError(f"{meta} has no key {key!r}; rerun the grid's command to rewrite it")
    return Archive(scores, facts)


def rounded(scores: np.ndarray) -> np.ndarray:
    """Scores as the archive holds them: ``DIGITS`` significant digits (what its CSV's float format writes)."""
    return np.array([float(f"{v:.{DIGITS}g}") for v in scores], dtype=np.float64)


def _cell_rows(grid: str, row: str, seed: int, run_dir: Path, cfg) -> pd.DataFrame:
    """One finished cell's out-of-fold and test scores under its head."""
    from landslide.tricks.predict import run_scores
    rs = run_scores(run_dir, head=cfg.head, svm_c=cfg.svm_c, trained_folds_only=True)  # a preview's one fold too
    ids = pd.read_csv(run_dir / "oof.csv", dtype={"ID": str}, usecols=["ID"]).ID.to_numpy()
    n = len(ids)  # the real training images, in order (SMOTE's made ones are never validated)
    parts = [pd.DataFrame({"fold": rs.fold_of[:n], "split": "oof", "id": ids, "label": rs.labels[:n],
                           "score": rs.oof[:n]})]
    if rs.test_labels is not None:
        for k, s in enumerate(rs.test_by_fold):
            parts.append(pd.DataFrame({"fold": k, "split": "test", "id": rs.test_ids, "label": rs.test_labels,
                                       "score": s}))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame.fold >= 0]
    frame.insert(0, "seed", seed), frame.insert(0, "row", row), frame.insert(0, "grid", grid)
    frame["label"] = frame.label.astype(int)
    frame["score"] = rounded(frame.score.to_numpy())  # what the file holds, to the digit
    return frame[COLUMNS]


def collect(run, measured: list[str]) -> Archive:
    """The archive of a grid run's finished cells (``bench.grid.tables.GridRun``)."""
    from bench.figures.curves import row_histories
    from bench.grid.cells import run_dir_for
    from bench.grid.regime import plateau_delta, train_scores
    frames, cells = [], []
    for c in run.cells:
        if c.key not in run.metrics:
            continue
        rd = run_dir_for(run.out, c.cfg)
        frames.append(_cell_rows(run.grid.name, c.row, c.seed, rd, c.cfg))
        auc, loss = (None if math.isnan(v) else v for v in train_scores(rd, c.cfg.folds))
        metrics = {k: v for k, v in run.metrics[c.key].items() if k not in ("test_f1_boot", "run_dir", "wall_s")}
        cells.append({"row": c.row, "seed": c.seed, "config": c.cfg.resolved(), "metrics": metrics,
                      "train_auc": auc, "train_log_loss": loss})
    plateaus = {row: [plateau_delta(h), len(h)] for row, h in row_histories(run).items()}
    facts = {"grid": run.grid.name, "grid_spec": dataclasses.asdict(run.grid), "stem": run.stem,
             "base": run.base.resolved(), "seeds": run.seeds, "data": run.data, "measured": measured, "cells": cells,
             "plateau": {r: [None if math.isnan(d) else d, n] for r, (d, n) in plateaus.items()}}
    scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return Archive(scores, facts)

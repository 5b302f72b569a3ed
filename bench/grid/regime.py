"""The regime a grid's baseline trains in, stated in every grid table's header.

The paper's baseline fits its training data (train F1 0.94-1.00) and its factors move how well it
generalises. A baseline that does not fit measures something else: a regulariser (Mixup, CutMix, SMOTE,
decay) then has nothing to correct and only lowers the fit. So a table says which regime it is in, from
measurements: train F1 (with train AUC and log loss, since F1 at 0.5 under-reads soft-label training),
the gap to CV F1, and whether validation F1 had stopped rising (docs/regime.md).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FITTED_TRAIN_F1 = 0.95     # the paper's baseline: 0.94; every other row 0.95-1.00
GAP = (0.03, 0.15)         # train F1 minus CV F1 of a baseline that fits and still generalises
PLATEAU = 0.01             # last WINDOW evaluations' mean validation F1 within this of the WINDOW before
WINDOW = 3


@dataclass(frozen=True)
class Regime:
    train_f1: float
    cv_f1: float
    train_auc: float = math.nan
    train_loss: float = math.nan
    plateau_delta: float = math.nan  # mean over curves of (last WINDOW) - (WINDOW before)
    curves: int = 0

    @property
    def gap(self) -> float:
        return self.train_f1 - self.cv_f1

    @property
    def name(self) -> str:
        if self.train_f1 < FITTED_TRAIN_F1:
            return "under-fit"
        if self.gap > GAP[1]:
            return "over-fit"
        return "fitted" if self.gap >= GAP[0] else "fitted, no gap"

    @property
    def plateau(self) -> bool | None:
        return None if math.isnan(self.plateau_delta) else abs(self.plateau_delta) <= PLATEAU

    def line(self) -> str:
        fit = f"train F1 {self.train_f1:.3f}"
        if not math.isnan(self.train_auc):
            fit += f" (AUC {self.train_auc:.3f}, log loss {self.train_loss:.3f})"
        text = (f"regime: {self.name} (baseline {fit}, CV F1 {self.cv_f1:.3f}, gap {self.gap:+.3f}; the paper's "
                f"regime is train F1 >= {FITTED_TRAIN_F1} with a gap of {GAP[0]}-{GAP[1]})")
        if self.plateau is not None:
            text += (f"; validation F1 {'at a plateau' if self.plateau else 'not at a plateau'}: last {WINDOW} "
                     f"epochs {self.plateau_delta:+.3f} against the {WINDOW} before, mean of {self.curves} curves")
        return text


def plateau_delta(histories: list[np.ndarray], window: int = WINDOW) -> float:
    """Mean over (step, val F1) histories of: mean of the last ``window`` scores minus the ``window`` before."""
    deltas = [h[-window:, 1].mean() - h[-2 * window:-window, 1].mean() for h in histories if len(h) >= 2 * window]
    return float(np.mean(deltas)) if deltas else math.nan


def train_scores(run_dir: Path, folds: int) -> tuple[float, float]:
    """Mean over a run's folds of train AUC and log loss of its final weights on the fold's real training
    images (labels from oof.csv, which lists the training set in order)."""
    from sklearn.metrics import log_loss, roc_auc_score

    from landslide.train.rundir import RunDir
    rd = RunDir(run_dir)
    oof = rd.path / "oof.csv"
    if not oof.is_file():
        return math.nan, math.nan
    with open(oof, newline="") as fh:
        labels = np.array([int(r["label"]) for r in csv.DictReader(fh)])
    aucs, losses = [], []
    for k in range(folds):
        r = rd.read_fold_result(k)
        if r is None or not len(r.train_idx):
            continue
        y, p = labels[r.train_idx], np.clip(r.train_probs, 1e-7, 1 - 1e-7)
        aucs.append(roc_auc_score(y, p))
        losses.append(log_loss(y, p, labels=[0, 1]))
    return (float(np.mean(aucs)), float(np.mean(losses))) if aucs else (math.nan, math.nan)


def baseline_regime(run, df) -> Regime | None:
    """The regime of ``run``'s baseline row from its table line ``df`` and its run folders; None when the
    baseline has not run."""
    from bench.figures.curves import row_histories
    from bench.grid.cells import run_dir_for
    line = df[df["row"] == run.grid.baseline]
    if line.empty or np.isnan(line["cv_f1"].iloc[0]):
        return None
    cells = [c for c in run.cells if c.row == run.grid.baseline and c.key in run.metrics]
    scores = [train_scores(run_dir_for(run.out, c.cfg), c.cfg.folds) for c in cells]
    auc, loss = (np.nanmean([s[i] for s in scores]) if scores and not all(math.isnan(s[i]) for s in scores)
                 else math.nan for i in (0, 1))
    hists = row_histories(run).get(run.grid.baseline, [])
    return Regime(float(line["train_f1"].iloc[0]), float(line["cv_f1"].iloc[0]), float(auc), float(loss),
                  plateau_delta(hists), len(hists))


"""Scores of a finished run, with any head and any test-time augmentation, for the tricks table and for
``landslide predict`` (a Zindi submission from one run or an ensemble of runs)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from landslide.data.bands import expand_channels
from landslide.errors import LandslideError
from landslide.tricks.tta import predict_tta


@dataclass
class RunScores:
    labels: np.ndarray            # training labels (real images)
    fold_of: np.ndarray           # the fold each training image was held out in
    test_ids: list[str]
    test_labels: np.ndarray | None
    oof_plain: np.ndarray         # out-of-fold scores from the cached predictions/embeddings (no forward pass)
    test_plain_by_fold: list[np.ndarray] = field(default_factory=list)
    # the scores used: averaged over the TTA transforms when tta > 1, else plain (run_scores sets them)
    oof: np.ndarray = field(default_factory=lambda: np.zeros(0))
    test_by_fold: list[np.ndarray] = field(default_factory=list)
    tta_seconds: float = 0.0
    tta_images: int = 0
    inner: bool = False           # trained on an inner split (inner_of_fold): no test split by design

    @property
    def test(self) -> np.ndarray:
        """The fold ensemble's test scores."""
        return np.mean(self.test_by_fold, axis=0)


def run_scores(run_dir, tta: int = 1, head: str = "fc", svm_c: float = 1.0, trained_folds_only: bool = False
               ) -> RunScores:
    """Out-of-fold and per-fold test scores of a finished run, with each fold's head fitted once. The
    plain scores come from the cached predictions and embeddings; with ``tta`` > 1 the fold models are
    loaded and every patch is also scored ``tta`` times. ``trained_folds_only``: a preview's folds (the
    patches of the others keep fold -1)."""
    from landslide.train.scoring import fold_head
    from landslide.train.trained import open_finished_run
    opened = open_finished_run(run_dir, trained_folds_only)
    run, cfg, ps = opened.run, opened.cfg, opened.data
    missing = run.unfinished_folds(cfg)
    if missing:
        raise LandslideError(f"{run_dir}: fold(s) {missing} are unfinished (no result.npz or model.pt); "
                             f"{run.resume_hint()}")
    results = [r for r in (run.read_fold_result(k) for k in range(cfg.folds)) if r is not None]
    n = len(ps.train_labels)
    if any(len(r.val_idx) and r.val_idx.max() >= n for r in results):  # a run older than data.json, edited data
        raise LandslideError(f"{run_dir}: its folds index {max(r.val_idx.max() for r in results) + 1} training "
                             f"patches, the data now has {n}; it has changed since the run was trained")
    out = RunScores(ps.train_labels, np.full(n, -1), list(ps.test.ids) if ps.test else [],
                    ps.test.labels if ps.test is not None else None, np.zeros(n), inner=cfg.inner_of_fold >= 0)
    heads = []
    for fold, r in enumerate(results):
        score = fold_head(r, out.labels, head, svm_c, cfg.seed)
        heads.append(score)
        out.fold_of[r.val_idx] = fold
        out.oof_plain[r.val_idx] = r.val_probs if score is None else score(r.val_emb)
        if ps.test is not None:
            assert r.test_probs is not None and r.test_emb is not None  # a fold scores the test split it had
            out.test_plain_by_fold.append(r.test_probs if score is None else score(r.test_emb))
    out.oof, out.test_by_fold = out.oof_plain, out.test_plain_by_fold
    if tta > 1:
        _score_with_tta(out, opened, tta, heads)
    return out


def _score_with_tta(out: RunScores, opened, tta: int, heads: list) -> None:
    from landslide.train.trained import load_run
    out.oof, out.test_by_fold = np.zeros(len(out.labels)), []
    ps = opened.data
    test_x = expand_channels(torch.from_numpy(ps.test.images), opened.cfg.channels) if ps.test is not None else None
    tick = time.perf_counter()
    for f in load_run(opened):
        out.oof[f.result.val_idx] = predict_tta(f.model, f.prep, f.val_x, tta, head=heads[f.fold])
        if test_x is not None:
            out.test_by_fold.append(predict_tta(f.model, f.prep, test_x, tta, head=heads[f.fold]))
        out.tta_images += len(f.val_x) + (len(test_x) if test_x is not None else 0)
    out.tta_seconds = time.perf_counter() - tick

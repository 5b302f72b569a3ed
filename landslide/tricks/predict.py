"""Scores of a finished run, with any head and any test-time augmentation, for the tricks table and for
``landslide predict`` (a Zindi submission from one run or an ensemble of runs)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from landslide.data.bands import expand_channels
from landslide.tricks.tta import predict_tta


@dataclass
class RunScores:
    labels: np.ndarray            # training labels (real images)
    oof: np.ndarray               # out-of-fold scores of the real training images
    fold_of: np.ndarray           # the fold each training image was held out in
    test_ids: list[str]
    test_labels: np.ndarray | None
    test_by_fold: list[np.ndarray] = field(default_factory=list)
    tta_seconds: float = 0.0
    tta_images: int = 0

    @property
    def test(self) -> np.ndarray:
        """The fold ensemble's test scores."""
        return np.mean(self.test_by_fold, axis=0)


def run_scores(run_dir, tta: int = 1, head: str = "fc", svm_c: float = 1.0) -> RunScores:
    """Out-of-fold and per-fold test scores of a finished run. Without TTA they come from the cached
    predictions and embeddings (no forward pass); with it, every patch is scored ``tta`` times."""
    from landslide.explain.runs import load_run
    from landslide.train.cv import experiment_data, fold_head
    out, test_x = None, None
    for fold, cfg, model, prep, val_x, _, res in load_run(run_dir):
        if out is None:
            ps = experiment_data(cfg)
            n = len(ps.train.labels)
            out = RunScores(ps.train.labels, np.zeros(n), np.full(n, -1), list(ps.test.ids) if ps.test else [],
                            ps.test.labels if ps.has_test_labels else None)
            test_x = expand_channels(torch.from_numpy(ps.test.images), cfg.channels) if ps.test else None
        score = fold_head(res, out.labels, head, svm_c, cfg.seed)
        va = res["val_idx"]
        out.fold_of[va] = fold
        if tta == 1:
            out.oof[va] = res["val_probs"] if score is None else score(res["val_emb"])
            if test_x is not None:
                out.test_by_fold.append(res["test_probs"] if score is None else score(res["test_emb"]))
            continue
        tick = time.perf_counter()
        out.oof[va] = predict_tta(model, prep, val_x, tta, head=score)
        if test_x is not None:
            out.test_by_fold.append(predict_tta(model, prep, test_x, tta, head=score))
        out.tta_seconds += time.perf_counter() - tick
        out.tta_images += len(val_x) + (len(test_x) if test_x is not None else 0)
    return out

"""Scores of a run's folds under one head: the network's own classifier (``fc``) from the cached
probabilities, or an SVM / LightGBM fitted on each fold's cached training embeddings."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landslide.errors import LandslideError
from landslide.metrics import bootstrap_f1, f1_at_half
from landslide.models.heads import HEADS
from landslide.train.results import CvData, FoldResult, Metrics


def fold_head(r: FoldResult, labels: np.ndarray, head: str = "fc", svm_c: float = 1.0, seed: int = 0):
    """``head`` fitted on a fold's training embeddings, as a function of embeddings -> landslide scores;
    None for the network's own classifier."""
    if head == "fc":
        return None
    if head not in HEADS:
        raise LandslideError(f"unknown head {head!r}; choose fc, {', '.join(HEADS)}")
    fit_emb, fit_y = r.train_emb, labels[r.train_idx]
    if r.smote_emb is not None:  # the fold's SMOTE images: training data of the head, as they were of the network
        fit_emb = np.concatenate([fit_emb, r.smote_emb])
        fit_y = np.concatenate([fit_y, np.ones(len(r.smote_emb), fit_y.dtype)])
    fit, score_with = HEADS[head]
    model = fit(fit_emb, fit_y, svm_c, seed)
    return lambda emb: score_with(model, emb)


def fold_scores(r: FoldResult, labels: np.ndarray, head: str = "fc", svm_c: float = 1.0, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One fold's scores of its (real) training, validation and test images under ``head``."""
    scorer = fold_head(r, labels, head, svm_c, seed)
    if scorer is None:
        return r.train_probs, r.val_probs, r.test_probs
    return scorer(r.train_emb), scorer(r.val_emb), scorer(r.test_emb) if r.test_emb is not None else None


@dataclass
class Scored:
    metrics: Metrics
    oof: np.ndarray              # out-of-fold score of every training image (NaN: never validated)
    test: np.ndarray | None      # the fold ensemble's test scores
    train_img_s: float
    eval_img_s: float


def score(results: list[FoldResult], data: CvData, head: str = "fc", svm_c: float = 1.0, seed: int = 0) -> Scored:
    """Train / CV / test F1 of one head over the folds' cached predictions and embeddings."""
    labels = data.labels
    train_f1, cv_f1 = [], []
    oof = np.full(len(labels), np.nan)
    validated = np.zeros(len(labels), bool)
    test_scores = []
    for r in results:
        validated[r.val_idx] = True
        tr_s, va_s, te_s = fold_scores(r, labels, head, svm_c, seed)
        train_f1.append(f1_at_half(labels[r.train_idx], tr_s))
        cv_f1.append(f1_at_half(labels[r.val_idx], va_s))
        oof[r.val_idx] = va_s
        if te_s is not None:
            test_scores.append(te_s)
    test = np.mean(test_scores, axis=0) if test_scores else None
    has_test = test is not None and data.test_labels is not None
    # out-of-fold rows: every real image, unless only some folds were trained (folds_trained)
    real = np.flatnonzero(validated[:data.n_real])
    metrics = Metrics(
        head=head, svm_c=svm_c if head == "svm" else None,
        train_f1=float(np.mean(train_f1)), train_f1_folds=train_f1,
        cv_f1_mean=float(np.mean(cv_f1)), cv_f1_std=float(np.std(cv_f1)), cv_f1_folds=cv_f1,
        best_val_f1_folds=[float(r.best_val_f1) for r in results],
        oof_f1=f1_at_half(labels[real], oof[real]),
        test_f1=f1_at_half(data.test_labels, test) if has_test else None,
        test_f1_boot=[round(float(v), 4) for v in bootstrap_f1(data.test_labels, test)] if has_test else None,
        trained_on=sorted({r.kernels for r in results if r.kernels}))
    return Scored(metrics, oof, test, float(np.mean([r.train_img_s for r in results])),
                  float(np.mean([r.eval_img_s for r in results])))

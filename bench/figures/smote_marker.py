"""Does a SMOTE image give itself away? A cross-validated classifier on per-band texture statistics
tries to tell a fold's synthetic landslides from its real ones (ROC AUC; 0.5 = indistinguishable).

Features per band: the spread of the fine texture (image minus its Gaussian blur, sigma 1.5) and the
texture's lag-1 autocorrelation. Interpolating two independent speckle fields keeps only
lambda^2 + (1 - lambda)^2 of their variance, so Algorithm 1's plain mix is expected to be found out;
the same statistics between *real* landslides and real non-landslides show how much class
information they carry (a marker that is not class information teaches a network the wrong thing).
"""
from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from landslide.augment.smote import blur


def texture_features(images: torch.Tensor) -> np.ndarray:
    """(N, C, H, W) -> (N, 2C): per band, log std of the fine texture and its lag-1 autocorrelation."""
    x = images.double()
    t = (x - blur(x))[..., 4:-4, 4:-4]  # away from the reflected borders
    t = t - t.mean(dim=(2, 3), keepdim=True)
    var = t.pow(2).mean(dim=(2, 3)).clamp_min(1e-12)
    lag1 = (t[..., :, 1:] * t[..., :, :-1]).mean(dim=(2, 3)) / var
    return torch.cat([0.5 * var.log(), lag1], dim=1).numpy()


def separability_auc(a: np.ndarray, b: np.ndarray, seed: int = 0) -> float:
    """Out-of-fold ROC AUC of a logistic regression telling feature rows ``a`` (0) from ``b`` (1)."""
    x = np.concatenate([a, b])
    y = np.r_[np.zeros(len(a)), np.ones(len(b))]
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    return float(roc_auc_score(y, cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]))


def best_single_feature_auc(a: np.ndarray, b: np.ndarray) -> float:
    """The largest |AUC - 0.5| + 0.5 of any one feature used as a score on its own."""
    y = np.r_[np.zeros(len(a)), np.ones(len(b))]
    aucs = [roc_auc_score(y, np.r_[a[:, j], b[:, j]]) for j in range(a.shape[1])]
    return float(max(max(v, 1 - v) for v in aucs))

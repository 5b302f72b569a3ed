"""UMAP of pooled embeddings and how well a 2-D SVM separates the classes there (the paper's Fig. 6)."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, silhouette_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def umap_2d(embeddings: np.ndarray, seed: int = 0, n_neighbors: int = 15) -> np.ndarray:
    import umap  # imported here: numba compiles it on first use (~16 s)
    z = StandardScaler().fit_transform(embeddings)
    # n_jobs=1: a fixed random_state makes umap single-threaded anyway (it warns otherwise)
    return umap.UMAP(n_neighbors=min(n_neighbors, len(z) - 1), min_dist=0.1, random_state=seed,
                     n_jobs=1).fit_transform(z)


def separation(points: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict:
    """Silhouette of the classes, and accuracy/F1 of an RBF SVM cross-validated on the 2-D points."""
    folds = StratifiedKFold(3, shuffle=True, random_state=seed)
    pred = cross_val_predict(SVC(C=1.0, kernel="rbf", gamma="scale"), points, labels, cv=folds)
    return {"silhouette": float(silhouette_score(points, labels)), "svm2d_cv_accuracy": float(np.mean(pred == labels)),
            "svm2d_cv_f1": float(f1_score(labels, pred, zero_division=0))}


def decision_grid(points: np.ndarray, labels: np.ndarray, steps: int = 200):
    """(xx, yy, decision) of an RBF SVM fitted on all 2-D points, for drawing its regions."""
    svm = SVC(C=1.0, kernel="rbf", gamma="scale").fit(points, labels)
    lo, hi = points.min(0) - 0.5, points.max(0) + 0.5
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    return xx, yy, svm.decision_function(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)

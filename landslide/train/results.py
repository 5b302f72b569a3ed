"""The typed results that flow from training to scoring: one fold's outputs, the arrays every fold is
scored against, and a run's metrics. On disk they keep the plain formats readers already use
(``result.npz`` with allow_pickle=False, ``metrics.json``)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from landslide.atomic import atomic_path
from landslide.compat import FINAL_WEIGHTS_MARKER
from landslide.errors import LandslideError


@dataclass
class FoldResult:
    """One fold's final weights, seen through their predictions: probabilities and pooled embeddings of
    the fold's real training images, its SMOTE images (embeddings only), validation and test images."""
    train_idx: np.ndarray
    val_idx: np.ndarray
    train_probs: np.ndarray
    train_emb: np.ndarray
    val_probs: np.ndarray
    val_emb: np.ndarray
    best_val_f1: float        # the paper's reading: best validation F1 over the history (chosen on the fold)
    best_step: int
    history: np.ndarray       # (evaluations, 2): step, validation F1
    train_f1: float
    train_img_s: float = float("nan")
    eval_img_s: float = float("nan")
    smote_emb: np.ndarray | None = None
    test_probs: np.ndarray | None = None
    test_emb: np.ndarray | None = None
    # mean training loss per epoch; epochs trained before a resume by versions up to 2026-12 are missing
    # from the front (or the whole array, in results those versions wrote)
    train_loss: np.ndarray | None = None
    kernels: str = ""  # landslide.train.device.kernels of the process that trained the fold ("" before 2026-12-07)

    def save(self, path: Path) -> None:
        """``result.npz``; its marker (``landslide.compat.FINAL_WEIGHTS_MARKER``) says the fold finished."""
        arrays = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        arrays["history"] = np.asarray(self.history, dtype=np.float64).reshape(-1, 2)
        with atomic_path(path) as tmp:
            # deflated: lossless, a quarter off the pooled embeddings (a quarter of them are 0 after the
            # last ReLU) for 0.4 s a fold; np.load reads either kind, so older runs stay readable
            np.savez_compressed(tmp, **{FINAL_WEIGHTS_MARKER: True}, **arrays)

    @classmethod
    def load(cls, path: Path) -> FoldResult | None:
        """The fold's result, or None where it has not finished."""
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                if FINAL_WEIGHTS_MARKER not in z:
                    return None
                return cls(**{f.name: _scalar_or_array(z[f.name]) for f in dataclasses.fields(cls) if f.name in z})
        except Exception as exc:
            raise LandslideError(f"{path}: unreadable ({type(exc).__name__}); delete it to score that fold "
                                 f"again") from None


def _scalar_or_array(v: np.ndarray):
    return v.item() if v.ndim == 0 else v


@dataclass
class CvData:
    """What every fold is scored against: the labels of the (real, then paper-protocol SMOTE) training
    images, their IDs, how many are real, and the test split."""
    labels: np.ndarray
    ids: list[str]
    n_real: int
    source: str
    test_ids: list[str] | None = None
    test_labels: np.ndarray | None = None


@dataclass
class Metrics:
    """One head's scores over a run's folds; ``as_json()`` is ``metrics.json``, key for key."""
    head: str
    svm_c: float | None
    train_f1: float
    train_f1_folds: list[float]
    cv_f1_mean: float
    cv_f1_std: float
    cv_f1_folds: list[float]
    best_val_f1_folds: list[float]
    oof_f1: float
    test_f1: float | None
    test_f1_boot: list[float] | None
    data: str = ""
    profile: str = ""
    seed: int = 0
    folds: int = 0
    config_key: str = ""
    threads: int = 0
    trained_on: list[str] = dataclasses.field(default_factory=list)  # the folds' kernels, each once

    def as_json(self) -> dict:
        return dataclasses.asdict(self)

    def cv_text(self) -> str:
        """CV F1 as a person reads it: mean +- std over the folds, or one fold's value said as such (a
        preview's std of 0 is no spread, it is no second fold)."""
        return cv_f1_text(self.cv_f1_mean, self.cv_f1_std, len(self.cv_f1_folds))


def cv_f1_text(mean: float, std: float, folds: int) -> str:
    return f"{mean:.4f} (one fold)" if folds == 1 else f"{mean:.4f} +- {std:.4f}"

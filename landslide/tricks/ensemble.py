"""Ensembles of finished runs: the average of their probabilities, or of their ranks (robust to members
whose scores are calibrated differently, e.g. an SVM's and a network's)."""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def combine(members: list[np.ndarray], how: str = "mean") -> np.ndarray:
    if not members:
        raise ValueError("an ensemble needs at least one member")
    stack = np.stack([np.asarray(m, float) for m in members])
    if how == "mean":
        return stack.mean(0)
    if how == "rank":  # ranks scaled to (0, 1]: a threshold of 0.5 keeps the upper half
        return np.mean([rankdata(m) / len(m) for m in stack], axis=0)
    raise ValueError(f"unknown ensemble {how!r}; choose mean or rank")

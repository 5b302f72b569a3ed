"""Offline SMOTE with SSIM neighbours (the paper's Algorithm 1).

For each minority (landslide) anchor: its k nearest neighbours by SSIM among the other minority
images; then ``per_anchor`` times: pick a neighbour at random, draw lambda ~ Beta(alpha, beta),
clip it to [0.1, 0.9], and emit lambda * anchor + (1 - lambda) * neighbour. Every synthetic image
keeps its provenance (anchor ID, neighbour ID, lambda). Applied to a training fold only.

The amount is set either per anchor (the paper: 5, 6,275 from 1,255) or as a ``total`` (from a target
class share, ``count_for_share``): every anchor then gets total // n images and a random subset of
anchors one more, so no anchor is used twice before every anchor is used once.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch

from landslide.augment.mix import sample_beta
from landslide.augment.ssim import scale_for_ssim, ssim_neighbours
from landslide.errors import LandslideError

CLIP = (0.1, 0.9)


@dataclass
class SmoteResult:
    images: torch.Tensor          # (M, C, H, W) synthetic images, same dtype/scale as the input
    anchor_ids: list[str]
    neighbour_ids: list[str]
    lambdas: np.ndarray           # (M,)

    def provenance(self) -> list[dict]:
        return [{"anchor": a, "neighbour": b, "lambda": float(l)}
                for a, b, l in zip(self.anchor_ids, self.neighbour_ids, self.lambdas)]


def count_for_share(n_minority: int, n_total: int, share: float) -> int:
    """Synthetic minority images that bring the minority to ``share`` of the set: the least M with
    (n_minority + M) / (n_total + M) >= share."""
    if not 0 < share < 1:
        raise LandslideError(f"smote_share must be between 0 and 1 (exclusive), got {share}")
    return max(0, int(np.ceil((share * n_total - n_minority) / (1 - share) - 1e-9)))


def _anchor_list(n: int, per_anchor: int, total: int | None, gen: torch.Generator) -> np.ndarray:
    if total is None:
        return np.repeat(np.arange(n), per_anchor)
    extra = torch.randperm(n, generator=gen)[: total % n].numpy()
    return np.sort(np.concatenate([np.repeat(np.arange(n), total // n), extra]))


def smote_ssim(images: torch.Tensor, ids: list[str], per_anchor: int = 5, k: int = 5,
               alpha: float = 2.0, beta: float = 2.0, seed: int = 0, progress: bool = False,
               total: int | None = None) -> SmoteResult:
    """Algorithm 1 on the minority images (N, C, H, W) of one training fold: ``per_anchor`` images
    per anchor, or ``total`` images spread evenly over the anchors when given."""
    n = images.shape[0]
    if n < 2:
        raise LandslideError(f"SMOTE needs at least 2 landslide images in the training fold, got {n}; "
                             f"use more data, fewer folds, or turn SMOTE off (smote=false)")
    if n < k + 1:
        warnings.warn(f"only {n} landslide images in the training fold: SMOTE uses k={n - 1} neighbours "
                      f"instead of {k}")
        k = n - 1
    if total == 0:
        return SmoteResult(images[:0], [], [], np.zeros(0))
    scaled, _, _ = scale_for_ssim(images.float())
    nbrs = ssim_neighbours(scaled, k, progress=progress)
    gen = torch.Generator().manual_seed(seed)
    anchors = _anchor_list(n, per_anchor, total, gen)
    pick = torch.randint(0, k, (len(anchors),), generator=gen).numpy()
    partners = nbrs[anchors, pick]
    lam = sample_beta(len(anchors), alpha, beta, gen).clamp(*CLIP)
    lx = lam.to(images.dtype).view(-1, 1, 1, 1)
    synth = lx * images[anchors] + (1 - lx) * images[partners]
    return SmoteResult(synth, [ids[a] for a in anchors], [ids[b] for b in partners], lam.numpy())

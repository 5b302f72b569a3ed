"""Band importance by occlusion (the paper's Fig. 7) and by permutation.

Occlusion sets one channel to zero for every image and measures (a) the mean drop of the predicted
landslide probability over the landslide images and (b) the drop of F1 over all images. Where the
zero is applied matters: ``zero="normalised"`` (default) zeroes the channel *after* normalisation,
i.e. replaces it by its training mean ("no information"); ``zero="raw"`` zeroes the raw value, the
paper's literal reading, which for dB bands is a large out-of-distribution shift (0 dB is far
brighter than typical backscatter) and so measures sensitivity more than reliance.
Permutation shuffles one channel across images (each image gets another image's channel), which
keeps the channel's distribution and breaks only its link to the label.
"""
from __future__ import annotations

import numpy as np
import torch

from landslide.metrics import f1_at_half
from landslide.train.engine import predict
from landslide.train.pipeline import Preprocess


class _ZeroRaw(Preprocess):
    """Preprocess wrapper that zeroes a raw channel before normalisation."""

    def __init__(self, prep: Preprocess, channel: int):
        super().__init__(prep.scaler, prep.size, prep.device, prep.channels_last)
        self.prep, self.channel = prep, channel

    def __call__(self, x):
        x = x.clone()
        x[:, self.channel] = 0
        return self.prep(x)


class _ZeroNormalised(_ZeroRaw):
    def __call__(self, x):
        x = self.prep(x)
        x[:, self.channel] = 0
        return x


def channel_importance(model, prep: Preprocess, images: torch.Tensor, labels: np.ndarray,
                       zero: str = "normalised", seed: int = 0) -> dict[str, np.ndarray]:
    """Per-channel importances (C,) of one fitted model on held-out images (N, C, H, W).

    Keys: occlusion_prob (mean probability drop on landslides), occlusion_f1 (F1 drop),
    permutation_prob, permutation_f1.
    """
    if zero not in ("normalised", "raw"):
        raise ValueError(f"zero must be 'normalised' or 'raw', got {zero!r}")
    pos = labels == 1
    base = predict(model, prep, images)
    base_f1 = f1_at_half(labels, base)
    n_ch = images.shape[1]
    out = {k: np.zeros(n_ch) for k in ("occlusion_prob", "occlusion_f1", "permutation_prob", "permutation_f1")}
    gen = torch.Generator().manual_seed(seed)
    wrapper = _ZeroNormalised if zero == "normalised" else _ZeroRaw
    for c in range(n_ch):
        occluded = predict(model, wrapper(prep, c), images)
        out["occlusion_prob"][c] = float(np.mean(base[pos] - occluded[pos])) if pos.any() else 0.0
        out["occlusion_f1"][c] = base_f1 - f1_at_half(labels, occluded)
        shuffled = images.clone()
        shuffled[:, c] = images[torch.randperm(len(images), generator=gen), c]
        permuted = predict(model, prep, shuffled)
        out["permutation_prob"][c] = float(np.mean(base[pos] - permuted[pos])) if pos.any() else 0.0
        out["permutation_f1"][c] = base_f1 - f1_at_half(labels, permuted)
    return out

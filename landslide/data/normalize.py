"""Per-channel scalers, fitted on training images only and saved with a model.

``standard``: (x - mean) / std. ``robust``: (x - median) / IQR, which ignores the long tails of
SAR dB values and cloud-bright optical pixels.
"""
from __future__ import annotations

import torch

SCALERS = ("standard", "robust")


class ChannelScaler:
    def __init__(self, kind: str = "standard"):
        if kind not in SCALERS:
            raise ValueError(f"unknown normalisation {kind!r}; choose one of {SCALERS}")
        self.kind = kind
        self.center: torch.Tensor | None = None
        self.scale: torch.Tensor | None = None

    def fit(self, images, max_pixels: int = 4_000_000) -> ChannelScaler:
        """Fit on (N, C, H, W): a tensor, or anything that gives a channel's (N, H, W) as ``images[:, c]``
        (a fold's ``Rows``). One channel at a time in float64: a copy of the whole set in float64 was 2x
        its size on top of it (issue 40: 1.6 GB for a 20-channel fold). Quantiles use an evenly strided
        subsample of at most ``max_pixels`` values per channel, since torch.quantile refuses very large inputs."""
        centers, scales = [], []
        for c in range(images.shape[1]):
            values = images[:, c].reshape(-1).double()
            if self.kind == "standard":
                centers.append(values.mean())
                scales.append(values.std(unbiased=False))
            else:
                step = max(1, values.shape[0] // max_pixels)
                q = torch.quantile(values[::step], torch.tensor([0.25, 0.5, 0.75], dtype=values.dtype))
                centers.append(q[1])
                scales.append(q[2] - q[0])
        self.center, self.scale = torch.stack(centers), torch.stack(scales)
        # A constant channel (e.g. an all-zero edge map) would divide by 0: leave it unscaled.
        self.scale = torch.where(self.scale > 1e-8, self.scale, torch.ones_like(self.scale))
        self.center, self.scale = self.center.float(), self.scale.float()
        return self

    def __call__(self, images: torch.Tensor, memory_format: torch.memory_format = torch.preserve_format
                 ) -> torch.Tensor:
        """``(images - center) / scale`` in a new tensor of ``memory_format``: the subtraction writes the
        new layout and the division runs in place, two passes and one allocation (a batch of 128 patches
        is 25 MB, more than the cache; the same values as the plain expression, element by element)."""
        if self.center is None or self.scale is None:
            raise RuntimeError("ChannelScaler used before fit()")
        c = self.center.to(images.device).view(1, -1, 1, 1)
        s = self.scale.to(images.device).view(1, -1, 1, 1)
        out = torch.empty_like(images, memory_format=memory_format)
        return torch.sub(images, c, out=out).div_(s)

    def state_dict(self) -> dict:
        return {"kind": self.kind, "center": self.center, "scale": self.scale}

    @classmethod
    def from_state(cls, state: dict) -> ChannelScaler:
        out = cls(state["kind"])
        out.center, out.scale = state["center"], state["scale"]
        return out

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

    def fit(self, images: torch.Tensor, max_pixels: int = 4_000_000) -> ChannelScaler:
        """Fit on (N, C, H, W). Quantiles use an evenly strided subsample of at most ``max_pixels``
        values per channel, since torch.quantile refuses very large inputs."""
        flat = images.transpose(0, 1).reshape(images.shape[1], -1).double()
        if self.kind == "standard":
            self.center = flat.mean(1)
            self.scale = flat.std(1, unbiased=False)
        else:
            step = max(1, flat.shape[1] // max_pixels)
            q = torch.quantile(flat[:, ::step], torch.tensor([0.25, 0.5, 0.75], dtype=flat.dtype), dim=1)
            self.center = q[1]
            self.scale = q[2] - q[0]
        # A constant channel (e.g. an all-zero edge map) would divide by 0: leave it unscaled.
        self.scale = torch.where(self.scale > 1e-8, self.scale, torch.ones_like(self.scale))
        self.center, self.scale = self.center.float(), self.scale.float()
        return self

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        if self.center is None or self.scale is None:
            raise RuntimeError("ChannelScaler used before fit()")
        c = self.center.to(images.device).view(1, -1, 1, 1)
        s = self.scale.to(images.device).view(1, -1, 1, 1)
        return (images - c) / s

    def state_dict(self) -> dict:
        return {"kind": self.kind, "center": self.center, "scale": self.scale}

    @classmethod
    def from_state(cls, state: dict) -> ChannelScaler:
        out = cls(state["kind"])
        out.center, out.scale = state["center"], state["scale"]
        return out

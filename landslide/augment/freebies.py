"""The 'bag of freebies' colour and geometric transforms, batched on the model's device.

They act on *normalised* channels (N, C, H, W), per sample, drawn from a torch.Generator so a run
is reproducible and resumable. What the colour operations mean for 12 bands:
- noise: i.i.d. Gaussian added to every channel (sensor noise / speckle);
- brightness: one offset per sample shared by the optical channels, another shared by the SAR
  channels (illumination and incidence-angle drift);
- contrast: each channel scaled about its own spatial mean by a per-sample factor;
- saturation: only the visible bands (R, G, B): their deviation from the per-pixel visible mean
  is scaled, as saturation does for an RGB photograph. SAR and NIR are left alone.
Geometric operations (flips, quarter turns, shift and shear composed into one affine map, sampled
nearest so that pixel statistics are unchanged) move every channel identically, so the bands stay
co-registered.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class FreebieConfig:
    noise_std: float = 0.05
    brightness: float = 0.1
    contrast: float = 0.1
    saturation: float = 0.2
    flips: bool = True
    rotate90: bool = True
    shift: float = 0.1      # fraction of the image size
    shear_deg: float = 8.0


def _uniform(n: int, span: float, gen: torch.Generator, device) -> torch.Tensor:
    return ((torch.rand(n, generator=gen) * 2 - 1) * span).to(device)


def colour(x: torch.Tensor, optical_idx: list[int], visible_idx: list[int], cfg: FreebieConfig,
           gen: torch.Generator) -> torch.Tensor:
    """Contrast and brightness folded into one per-(sample, channel) affine map (a single pass over
    the batch), then noise, then saturation of the visible bands."""
    n, c = x.shape[:2]
    dev = x.device
    k = (1 + _uniform(n, cfg.contrast, gen, dev)).view(n, 1, 1, 1)
    is_opt = torch.zeros(1, c, 1, 1, dtype=torch.bool, device=dev)
    is_opt[:, optical_idx] = True
    b_opt = _uniform(n, cfg.brightness, gen, dev).view(n, 1, 1, 1)
    b_sar = _uniform(n, cfg.brightness, gen, dev).view(n, 1, 1, 1)
    offset = (1 - k) * x.mean(dim=(2, 3), keepdim=True) + torch.where(is_opt, b_opt, b_sar)
    out = torch.addcmul(offset, x, k)  # k * (x - mean) + mean + brightness
    if cfg.noise_std:
        out.add_(torch.randn(x.shape, generator=gen).to(dev), alpha=cfg.noise_std)
    if cfg.saturation and visible_idx:
        s = 1 + _uniform(n, cfg.saturation, gen, dev).view(n, 1, 1, 1)
        vis = out[:, visible_idx]
        grey = vis.mean(dim=1, keepdim=True)
        out[:, visible_idx] = grey + s * (vis - grey)
    return out


def geometric(x: torch.Tensor, cfg: FreebieConfig, gen: torch.Generator) -> torch.Tensor:
    """Flips, quarter turns, shift and shear as one affine map per sample, applied by a single
    nearest-neighbour ``grid_sample`` pass. On a square image a flip or quarter turn maps pixel
    centres onto pixel centres, so those are exact; nearest (not bilinear) sampling keeps the pixel
    statistics, since interpolation would smooth the near-white SAR speckle of training images only
    (a train/eval mismatch that cost the network all skill when we tried it)."""
    if not (cfg.flips or cfg.rotate90 or cfg.shift or cfg.shear_deg):
        return x
    n = x.shape[0]
    dev = x.device
    # affine_grid maps output coordinates (x, y) in [-1, 1] to input coordinates: theta = [A | t]
    a = torch.eye(2).repeat(n, 1, 1)
    if cfg.flips:
        a[:, 0, 0] = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
        a[:, 1, 1] = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    if cfg.rotate90 and x.shape[2] == x.shape[3]:
        k = torch.randint(0, 4, (n,), generator=gen)
        c = torch.tensor([1.0, 0.0, -1.0, 0.0])[k]
        s = torch.tensor([0.0, 1.0, 0.0, -1.0])[k]
        rot = torch.stack([torch.stack([c, -s], 1), torch.stack([s, c], 1)], 1)
        a = rot @ a
    shear = torch.eye(2).repeat(n, 1, 1)
    shear[:, 0, 1] = torch.tan(torch.deg2rad((torch.rand(n, generator=gen) * 2 - 1) * cfg.shear_deg))
    shift = 2 * (torch.rand(n, 2, generator=gen) * 2 - 1) * cfg.shift  # affine_grid works in [-1, 1] units
    theta = torch.cat([shear @ a, shift.unsqueeze(2)], dim=2).to(dev, x.dtype)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="nearest", padding_mode="reflection", align_corners=False)

"""The 'bag of freebies' colour and geometric transforms, batched on the model's device.

They act on *normalised* channels (N, C, H, W), per sample, drawn from a torch.Generator so a run
is reproducible and resumable. What the colour operations mean for 12 bands:
- noise: i.i.d. Gaussian added to every channel (sensor noise / speckle);
- brightness: one offset per sample shared by the optical channels, another shared by the SAR
  channels (illumination and incidence-angle drift);
- contrast: each channel scaled about its own spatial mean by a per-sample factor;
- saturation: only the visible bands (R, G, B): their deviation from the per-pixel visible mean
  is scaled, as saturation does for an RGB photograph. SAR and NIR are left alone.
Geometric operations (flips, 90-degree rotations, shift and shear through one affine grid, sampled
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
    n, c = x.shape[:2]
    dev = x.device
    out = x + cfg.noise_std * torch.randn(x.shape, generator=gen).to(dev) if cfg.noise_std else x.clone()
    if cfg.brightness:
        is_opt = torch.zeros(c, dtype=torch.bool, device=dev)
        is_opt[optical_idx] = True
        b_opt = _uniform(n, cfg.brightness, gen, dev).view(n, 1, 1, 1)
        b_sar = _uniform(n, cfg.brightness, gen, dev).view(n, 1, 1, 1)
        out = out + torch.where(is_opt.view(1, c, 1, 1), b_opt, b_sar)
    if cfg.contrast:
        k = 1 + _uniform(n, cfg.contrast, gen, dev).view(n, 1, 1, 1)
        mean = out.mean(dim=(2, 3), keepdim=True)
        out = mean + k * (out - mean)
    if cfg.saturation and visible_idx:
        s = 1 + _uniform(n, cfg.saturation, gen, dev).view(n, 1, 1, 1)
        vis = out[:, visible_idx]
        grey = vis.mean(dim=1, keepdim=True)
        out[:, visible_idx] = grey + s * (vis - grey)
    return out


def geometric(x: torch.Tensor, cfg: FreebieConfig, gen: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    dev = x.device
    if cfg.flips:
        fh = (torch.rand(n, generator=gen) < 0.5).to(dev).view(n, 1, 1, 1)
        fv = (torch.rand(n, generator=gen) < 0.5).to(dev).view(n, 1, 1, 1)
        x = torch.where(fh, x.flip(3), x)
        x = torch.where(fv, x.flip(2), x)
    if cfg.rotate90 and x.shape[2] == x.shape[3]:
        k = torch.randint(0, 4, (n,), generator=gen).to(dev).view(n, 1, 1, 1)
        x = torch.where(k == 1, x.rot90(1, (2, 3)), torch.where(k == 2, x.rot90(2, (2, 3)),
                        torch.where(k == 3, x.rot90(3, (2, 3)), x)))
    if cfg.shift or cfg.shear_deg:
        theta = torch.zeros(n, 2, 3, device=dev)
        shear = torch.tan(torch.deg2rad(_uniform(n, cfg.shear_deg, gen, dev)))
        theta[:, 0, 0] = 1
        theta[:, 1, 1] = 1
        theta[:, 0, 1] = shear
        theta[:, 0, 2] = 2 * _uniform(n, cfg.shift, gen, dev)  # affine_grid works in [-1, 1] units
        theta[:, 1, 2] = 2 * _uniform(n, cfg.shift, gen, dev)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        # Nearest, not bilinear: interpolation averages neighbouring pixels and so smooths the near-white
        # SAR speckle of training images only, a train/eval mismatch that cost the network all skill.
        x = F.grid_sample(x, grid.to(x.dtype), mode="nearest", padding_mode="reflection", align_corners=False)
    return x

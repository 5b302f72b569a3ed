"""CutMix (the paper's Algorithm 2) and Mixup (its Eq. 1), batched, with soft labels.

Each sample ``a`` of a batch is mixed with partner ``b = perm[a]``. Labels are one-hot or soft
(N, 2) and are mixed with the same lambda as the images, so mixed labels still sum to 1.
timm's Mixup is not used: it draws CutMix boxes from a Beta-sized square around a centre and clips
them, which is not the uniform rectangle of Algorithm 2.
"""
from __future__ import annotations

import torch


def cutmix(x: torch.Tensor, y: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Algorithm 2: per sample, a uniform random rectangle 0 <= x1 < x2 <= W, 0 <= y1 < y2 <= H is
    pasted from the partner; lambda = 1 - (x2 - x1)(y2 - y1) / (W H). Returns (x, y, lambda)."""
    n, _, h, w = x.shape
    dev = x.device

    def corners(size: int) -> tuple[torch.Tensor, torch.Tensor]:
        # Two distinct integers from {0..size}, sorted: every valid (lo, hi) pair equally likely.
        lo = torch.randint(0, size + 1, (n,), generator=gen)
        hi = torch.randint(0, size, (n,), generator=gen)
        hi = hi + (hi >= lo).long()
        return torch.minimum(lo, hi).to(dev), torch.maximum(lo, hi).to(dev)

    x1, x2 = corners(w)
    y1, y2 = corners(h)
    perm = torch.randperm(n, generator=gen).to(dev)
    cols = torch.arange(w, device=dev).view(1, 1, w)
    rows = torch.arange(h, device=dev).view(1, h, 1)
    box = ((cols >= x1.view(-1, 1, 1)) & (cols < x2.view(-1, 1, 1)) &
           (rows >= y1.view(-1, 1, 1)) & (rows < y2.view(-1, 1, 1))).unsqueeze(1)
    mixed = torch.where(box, x[perm], x)
    lam = 1.0 - ((x2 - x1) * (y2 - y1)).to(x.dtype) / (w * h)
    y_mixed = lam.view(-1, 1) * y + (1 - lam.view(-1, 1)) * y[perm]
    return mixed, y_mixed, lam


def mixup(x: torch.Tensor, y: torch.Tensor, gen: torch.Generator, alpha: float = 0.4
          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Eq. 1: X = lambda Xa + (1 - lambda) Xb, L likewise, lambda ~ Beta(alpha, alpha) per sample."""
    n = x.shape[0]
    # Beta via two Gammas so that the draw comes from our own generator (reproducible, resumable).
    lam = sample_beta(n, alpha, alpha, gen).to(x.device, x.dtype)
    perm = torch.randperm(n, generator=gen).to(x.device)
    lx = lam.view(-1, 1, 1, 1)
    return lx * x + (1 - lx) * x[perm], lam.view(-1, 1) * y + (1 - lam.view(-1, 1)) * y[perm], lam


def _gamma(n: int, shape: float, gen: torch.Generator) -> torch.Tensor:
    """Gamma(shape, 1) samples drawn from ``gen`` (Marsaglia-Tsang, with the shape < 1 boost)."""
    boost = shape < 1
    d = (shape + 1 if boost else shape) - 1 / 3
    c = 1 / (9 * d) ** 0.5
    out = torch.empty(n, dtype=torch.float64)
    filled = 0
    while filled < n:
        z = torch.randn(2 * n, generator=gen, dtype=torch.float64)
        u = torch.rand(2 * n, generator=gen, dtype=torch.float64)
        v = (1 + c * z) ** 3
        ok = (v > 0) & (torch.log(u) < 0.5 * z ** 2 + d - d * v + d * torch.log(v.clamp_min(1e-300)))
        take = (d * v)[ok][: n - filled]
        out[filled:filled + len(take)] = take
        filled += len(take)
    if boost:
        out = out * torch.rand(n, generator=gen, dtype=torch.float64) ** (1 / shape)
    return out


def sample_beta(n: int, a: float, b: float, gen: torch.Generator) -> torch.Tensor:
    """Beta(a, b) samples from ``gen``, float64."""
    ga, gb = _gamma(n, a, gen), _gamma(n, b, gen)
    return ga / (ga + gb)

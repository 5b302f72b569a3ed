"""Batched SSIM in torch, equal to ``skimage.metrics.structural_similarity(a, b, channel_axis=0,
gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=R)``, and the all-pairs
SSIM nearest-neighbour search that SMOTE needs.

skimage filters with an 11-tap Gaussian (sigma 1.5, truncate 3.5) and then crops 5 pixels at every
border before averaging, so only the *valid* part of the filter output matters: we compute exactly
that region with separable valid convolutions. SSIM is averaged over pixels, then over channels.
On the CPU the all-pairs search runs as one fused numba kernel (``ssim_pairs``); on a GPU as
batched tensor operations.

Band scaling: optical bands are reflectance x 1e4 and SAR bands are dB, three orders of magnitude
apart, so SSIM's constants C1 = (0.01 R)^2, C2 = (0.03 R)^2 would mean nothing for one of them with
a single data range. ``scale_for_ssim`` maps every band to [0, 1] with its 1st-99th percentile range
over the images being compared (clipped), and SSIM is then taken with data_range 1 for all bands.
Percentiles instead of min-max keep one cloud or one radar glint from squashing a band's range.
"""
from __future__ import annotations

import numpy as np
import torch
from tqdm.auto import tqdm

from landslide.augment.ssim_pairs import folded_rows, pair_kernel, row_strided

K1, K2 = 0.01, 0.03
SIGMA, TRUNCATE = 1.5, 3.5


def gaussian_taps(dtype=torch.float64, sigma: float = SIGMA) -> torch.Tensor:
    radius = int(TRUNCATE * sigma + 0.5)
    x = torch.arange(-radius, radius + 1, dtype=torch.float64)
    g = torch.exp(-0.5 * (x / sigma) ** 2)
    return (g / g.sum()).to(dtype)


def band_matrix(size: int, taps: torch.Tensor) -> torch.Tensor:
    """(size, size - k + 1) matrix whose column j holds the taps at rows j..j+k-1: x @ M is the valid
    1-D filtering of x's last axis."""
    k = taps.numel()
    m = torch.zeros(size, size - k + 1, dtype=taps.dtype, device=taps.device)
    for j in range(size - k + 1):
        m[j:j + k, j] = taps
    return m


def _valid_pass(x: torch.Tensor, taps: torch.Tensor, tile: int) -> torch.Tensor:
    """Valid 1-D filtering of the last axis as matrix products with banded matrices, in tiles of
    ``tile`` outputs: a tile reads tile + k - 1 inputs, so little of the band's zeros is multiplied."""
    k = taps.numel()
    n_out = x.shape[-1] - k + 1
    flat = x.reshape(-1, x.shape[-1])
    parts = []
    for a in range(0, n_out, tile):
        b = min(a + tile, n_out)
        parts.append(flat[:, a:b + k - 1] @ band_matrix(b - a + k - 1, taps))
    return torch.cat(parts, dim=1).reshape(*x.shape[:-1], n_out)


def filter_valid(x: torch.Tensor, taps: torch.Tensor, tile: int = 18) -> torch.Tensor:
    """Separable Gaussian over the last two axes of (..., H, W), valid region only.

    Both passes are matrix products (GEMM speed, several times faster on a CPU than a single-channel
    convolution of the same result); tiling the band keeps the wasted multiplications by zero low."""
    y = _valid_pass(x, taps, tile)                                   # (..., H, W')
    return _valid_pass(y.transpose(-1, -2), taps, tile).transpose(-1, -2)


def scale_for_ssim(images: torch.Tensor, lo: torch.Tensor | None = None, hi: torch.Tensor | None = None):
    """(N, C, H, W) -> values in [0, 1] per band from the 1st-99th percentile range (see module doc).
    Returns (scaled, lo, hi) so the same mapping can be reused."""
    if lo is None or hi is None:
        flat = images.transpose(0, 1).reshape(images.shape[1], -1)
        step = max(1, flat.shape[1] // 2_000_000)
        q = torch.quantile(flat[:, ::step].double(), torch.tensor([0.01, 0.99], dtype=torch.float64), dim=1)
        lo, hi = q[0], q[1]
    span = torch.where(hi - lo > 1e-12, hi - lo, torch.ones_like(hi))
    # in the images' own float type: a float64 copy of 1,255 patches alone is 0.5 GB
    kind = images.dtype if images.is_floating_point() else torch.float32
    scaled = images.to(kind) - lo.to(kind).view(1, -1, 1, 1)
    return scaled.div_(span.to(kind).view(1, -1, 1, 1)).clamp_(0, 1), lo, hi


def ssim(a: torch.Tensor, b: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """SSIM of matching pairs: a, b (N, C, H, W) -> (N,), as skimage with channel_axis=0 per pair."""
    taps = gaussian_taps(a.dtype).to(a.device)
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    ua, ub = filter_valid(a, taps), filter_valid(b, taps)
    va = filter_valid(a * a, taps) - ua * ua
    vb = filter_valid(b * b, taps) - ub * ub
    cov = filter_valid(a * b, taps) - ua * ub
    s = ((2 * ua * ub + c1) * (2 * cov + c2)) / ((ua * ua + ub * ub + c1) * (va + vb + c2))
    return s.mean(dim=(-2, -1)).mean(dim=-1)


def ssim_matrix(images: torch.Tensor, data_range: float = 1.0, progress: bool = False,
                backend: str = "auto", chunk_pairs: int | None = None) -> torch.Tensor:
    """All-pairs SSIM (N, N) float64 of (N, C, H, W) scaled images.

    What depends on one image only (local mean, its square, variance) is computed once; per pair only
    the filtered product remains, and SSIM is symmetric, so only j > i is computed. ``backend``:
    "numba" (the CPU default) runs the fused kernel of ``ssim_pairs``; "torch" (the default on a
    GPU) runs the per-pair work as batched tensor operations in chunks of ``chunk_pairs`` neighbours.
    Memory stays bounded by a few copies of the images either way.
    """
    if backend == "auto":
        backend = "numba" if images.device.type == "cpu" else "torch"
    if backend not in ("numba", "torch"):
        raise ValueError(f"backend must be 'auto', 'numba' or 'torch', not {backend!r}")
    if backend == "numba":
        images = images.cpu()
        if images.dtype not in (torch.float32, torch.float64):
            images = images.float()  # the kernel is compiled for float32 and float64
    n = images.shape[0]
    out = torch.ones(n, n, dtype=torch.float64)
    if n < 2:
        return out
    taps = gaussian_taps(images.dtype).to(images.device)
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    bar = tqdm(total=n * (n - 1) // 2, desc="SSIM pairs", unit="pair", disable=not progress, unit_scale=True)
    if backend == "numba":
        import numba
        threads = torch.get_num_threads()
        # the run's thread budget (numba fills its config module at import: the checker cannot see it)
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
        try:
            _pairs_numba(images, taps, c1, c2, out, bar)
        finally:
            # numba's parallel loop shares the OpenMP pool with torch and leaves it at every core: a run
            # with threads=1 trained its SMOTE folds on all cores (two grid workers on four threads)
            torch.set_num_threads(threads)
    else:
        stats = (*_image_stats(images, taps, c2), c1, c2)
        _pairs_torch(images, taps, stats, out, bar, chunk_pairs or (32 if images.device.type == "cpu" else 2048))
    bar.close()
    return out


def _image_stats(images, taps, c2, chunk: int = 128):
    """Local mean, its square, and local variance + c2/2 (so a pair's sum is var_i + var_j + c2),
    in chunks of images: the filter's temporaries then stay a few chunk-sized tensors."""
    n, c, h, w = images.shape
    k = taps.numel()
    mu, mu_sq, var_half = (images.new_empty(n, c, h - k + 1, w - k + 1) for _ in range(3))
    for a in range(0, n, chunk):
        x = images[a:a + chunk]
        m = filter_valid(x, taps)
        mu[a:a + chunk] = m
        torch.mul(m, m, out=mu_sq[a:a + chunk])
        var_half[a:a + chunk] = filter_valid(x * x, taps).sub_(mu_sq[a:a + chunk]).add_(c2 / 2)
    return mu, mu_sq, var_half


def _pairs_numba(images, taps, c1, c2, out, bar, rows_per_call: int = 64):
    n, n_ch, h, w = images.shape
    k = taps.numel()
    x = images.contiguous().numpy()
    kind = x.dtype.type
    # Columns past the valid width: mean 0 and var_half 1 keep the map finite; the mask drops them.
    # Each statistic is re-laid out and its original dropped at once, to bound peak memory.
    strided = list(_image_stats(images, taps, c2))
    for m, fill in enumerate((0, 0, 1)):
        strided[m] = row_strided(strided[m].numpy(), w, fill)
    mask = row_strided(np.ones((1, 1, h - k + 1, w - k + 1), dtype=x.dtype), w, 0).ravel()
    kernel = pair_kernel(h, w, k)
    rows = folded_rows(n)
    result = out.numpy()
    for start in range(0, len(rows), rows_per_call):
        block = rows[start:start + rows_per_call]
        kernel(x.reshape(n, n_ch, h * w), *strided, mask, taps.cpu().numpy(), kind(c1), kind(c2), block, result)
        bar.update(int((n - 1 - block).sum()))


def _pairs_torch(images, taps, stats, out, bar, chunk_pairs: int):
    """For each anchor i, the images after it in contiguous slices (slices, not gathers: no copies)."""
    mu, mu_sq, var_half, c1, c2 = stats
    n = images.shape[0]
    for i in range(n - 1):
        a, mi, mi_sq, vi = images[i:i + 1], mu[i:i + 1], mu_sq[i:i + 1], var_half[i:i + 1]
        for j0 in range(i + 1, n, chunk_pairs):
            j1 = min(j0 + chunk_pairs, n)
            mimj = mi * mu[j0:j1]
            cov2 = filter_valid(a * images[j0:j1], taps).sub_(mimj).mul_(2).add_(c2)
            num = mimj.mul_(2).add_(c1).mul_(cov2)
            den = (mi_sq + mu_sq[j0:j1]).add_(c1).mul_(vi + var_half[j0:j1])
            val = num.div_(den).mean(dim=(-2, -1)).mean(dim=-1).double().cpu()
            out[i, j0:j1] = val
            out[j0:j1, i] = val
        bar.update(n - 1 - i)


def ssim_neighbours(images: torch.Tensor, k: int = 5, progress: bool = False, **kw) -> np.ndarray:
    """Indices (N, k) of each image's k most similar other images by SSIM (highest first)."""
    sim = ssim_matrix(images, progress=progress, **kw)
    sim.fill_diagonal_(-np.inf)
    return torch.topk(sim, k, dim=1).indices.numpy()

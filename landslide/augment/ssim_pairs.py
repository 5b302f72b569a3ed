"""All-pairs SSIM on the CPU as one fused numba kernel.

Per pair only the filtered product a*b is new: each image's local mean, its square and its local
variance are computed once by the caller. In torch the product, its two filter passes and the SSIM
map are separate full-size tensors, so memory traffic sets the speed. Here one pair's channel goes
product -> horizontal pass -> vertical pass fused with the SSIM map and its sum, in buffers of one
image's size that stay in the core's cache.

Every pass is one long loop over the flattened (y, x) grid with row stride W, so it vectorises with
no remainder per row: outputs that straddle a row end are garbage and the map's sum masks them out.
W and the tap count are compile-time constants (one compiled kernel per patch shape), which lets
LLVM prove the passes' reads and writes apart and use full-width SIMD; with a run-time stride the
vertical pass ran 15x slower. The Gaussian's symmetry (g[t] == g[k-1-t]) halves its multiplies.

Anchor rows are visited in folded order (i, n-2-i, i+1, ...) so the parallel loop's equal slices
hold equal work: row i of the upper triangle has n-1-i pairs.
"""
from __future__ import annotations

from functools import cache

import numba
import numpy as np

# reassoc lets the sums vectorise, contract allows fused multiply-add. No approximate division and no
# NaN assumptions, so the float64 path still matches skimage to ~1e-13.
_FAST = {"reassoc", "contract"}


@cache
def pair_kernel(h: int, w: int, k: int):
    """Compiled kernel for (h, w) patches and a k-tap symmetric filter (k odd)."""
    if k % 2 != 1 or k > min(h, w):
        raise ValueError(f"need an odd filter of at most the patch size, got {k} taps for {h}x{w}")
    hw, ho, half = h * w, h - k + 1, k // 2

    @numba.njit(parallel=True, fastmath=_FAST)
    def ssim_rows(images, mu, mu_sq, var_half, mask, taps, c1, c2, rows, out):
        """out[i, j] = out[j, i] = SSIM for every anchor i in ``rows`` and every j > i.

        images (N, C, h*w); mu, mu_sq, var_half (N, C, ho*w) in the same row stride, where columns
        past the valid width hold anything finite with var_half > 0; mask (ho*w,) 1 on valid columns."""
        n, n_ch = images.shape[0], images.shape[1]
        scale = 1.0 / (n_ch * mask.sum())
        for r in numba.prange(rows.shape[0]):
            i = rows[r]
            prod = np.empty(hw, dtype=images.dtype)
            hpass = np.zeros(hw, dtype=images.dtype)  # its last k-1 entries are read, never written
            for j in range(i + 1, n):
                total = 0.0
                for c in range(n_ch):
                    a, b = images[i, c], images[j, c]
                    for p in range(hw):
                        prod[p] = a[p] * b[p]
                    for p in range(hw - k + 1):
                        s = taps[half] * prod[p + half]
                        for t in range(half):
                            s += taps[t] * (prod[p + t] + prod[p + k - 1 - t])
                        hpass[p] = s
                    mi, mj, si, sj = mu[i, c], mu[j, c], mu_sq[i, c], mu_sq[j, c]
                    vi, vj = var_half[i, c], var_half[j, c]
                    acc = c1 * 0
                    for p in range(ho * w):
                        s = taps[half] * hpass[p + half * w]
                        for t in range(half):
                            s += taps[t] * (hpass[p + t * w] + hpass[p + (k - 1 - t) * w])
                        m = mi[p] * mj[p]
                        num = (2 * m + c1) * (2 * (s - m) + c2)
                        den = (si[p] + sj[p] + c1) * (vi[p] + vj[p])
                        acc += mask[p] * (num / den)
                    total += acc
                out[i, j] = total * scale
                out[j, i] = total * scale

    return ssim_rows


def folded_rows(n: int) -> np.ndarray:
    """Anchor rows 0..n-2 ordered i, n-2-i, i+1, n-3-i, ...: any run of consecutive entries holds
    about the same number of pairs, so the parallel loop's equal slices are balanced."""
    last = n - 2
    order = []
    for i in range((last + 2) // 2):
        order.append(i)
        if last - i != i:
            order.append(last - i)
    return np.asarray(order, dtype=np.int64)


def row_strided(valid: np.ndarray, width: int, fill: float) -> np.ndarray:
    """(N, C, ho, wo) -> (N, C, ho*width): rows padded with ``fill`` to the patch width."""
    n, c, ho, wo = valid.shape
    out = np.full((n, c, ho, width), fill, dtype=valid.dtype)
    out[..., :wo] = valid
    return out.reshape(n, c, ho * width)

"""Band registry: the 12 raw Zindi bands and every derived channel, each defined once.

A channel set is an ordered list of names: ``"12"`` is the raw bands, ``"20"`` adds spectral
and SAR indices, ``"28"`` adds edge maps. Derived channels are computed batched in torch from
*raw* (unnormalised) bands, shape (N, 12, H, W); normalisation comes after.
Optical bands are reflectance x 1e4, SAR bands are dB (so a dB difference is a log ratio).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

RAW_BANDS = ("red", "green", "blue", "nir",
             "desc_vv", "desc_vh", "desc_diff_vv", "desc_diff_vh",
             "asc_vv", "asc_vh", "asc_diff_vv", "asc_diff_vh")
OPTICAL_BANDS = RAW_BANDS[:4]
RGB_BANDS = ("red", "green", "blue")
_EPS = 1e-6


def safe_div(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    """num / den, and 0 where |den| is ~0: an index over a black or saturated pixel is undefined, not infinite."""
    ok = den.abs() > _EPS
    return torch.where(ok, num / torch.where(ok, den, torch.ones_like(den)), torch.zeros_like(num))


def _b(x: torch.Tensor, name: str) -> torch.Tensor:
    return x[:, RAW_BANDS.index(name)]


def ndvi(x):
    """(NIR - Red) / (NIR + Red): vegetation; drops where a slide strips the cover."""
    return safe_div(_b(x, "nir") - _b(x, "red"), _b(x, "nir") + _b(x, "red"))


def evi2(x):
    """2.5 (NIR - Red) / (NIR + 2.4 Red + 1), reflectance in [0, 1] (so +1e4 at the x1e4 scale)."""
    n, r = _b(x, "nir"), _b(x, "red")
    return safe_div(2.5 * (n - r), n + 2.4 * r + 1e4)


def vari(x):
    """(Green - Red) / (Green + Red - Blue): visible atmospherically resistant index."""
    g, r, b = _b(x, "green"), _b(x, "red"), _b(x, "blue")
    return safe_div(g - r, g + r - b)


def redr(x):
    """Red / (Red + Green + Blue): red ratio; bare soil and fresh scars are reddish."""
    r = _b(x, "red")
    return safe_div(r, r + _b(x, "green") + _b(x, "blue"))


def ndwi(x):
    """(Green - NIR) / (Green + NIR): open water."""
    g, n = _b(x, "green"), _b(x, "nir")
    return safe_div(g - n, g + n)


def desc_cross_ratio(x):
    """VH - VV in dB (= log of the VH/VV ratio), descending orbit: volume scattering of vegetation."""
    return _b(x, "desc_vh") - _b(x, "desc_vv")


def asc_cross_ratio(x):
    """VH - VV in dB, ascending orbit."""
    return _b(x, "asc_vh") - _b(x, "asc_vv")


def sar_change(x):
    """Root mean square of the four post-minus-pre SAR bands (dB): change of any sign, either orbit."""
    diffs = torch.stack([_b(x, n) for n in ("desc_diff_vv", "desc_diff_vh", "asc_diff_vv", "asc_diff_vh")])
    return diffs.pow(2).mean(0).sqrt()


def _sobel_magnitude(img: torch.Tensor) -> torch.Tensor:
    """Sobel gradient magnitude of (N, H, W), replicate padding so borders carry no false edge."""
    kx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=img.dtype, device=img.device)
    k = torch.stack([kx, kx.T]).unsqueeze(1)
    g = F.conv2d(F.pad(img.unsqueeze(1), (1, 1, 1, 1), mode="replicate"), k)
    return g.pow(2).sum(1).sqrt()


def _canny(img: torch.Tensor, low_q: float = 0.7, high_q: float = 0.9) -> torch.Tensor:
    """Canny edge map (0/1) of (N, H, W): Gaussian blur, Sobel, non-maximum suppression, hysteresis.

    Thresholds are per-image quantiles of the gradient magnitude, because the bands' units differ
    by orders of magnitude and a fixed threshold would fire everywhere on one band and nowhere on another.
    """
    g1 = torch.exp(-torch.arange(-2, 3, dtype=img.dtype, device=img.device) ** 2 / 2.0)
    g1 = g1 / g1.sum()
    x = F.pad(img.unsqueeze(1), (2, 2, 2, 2), mode="replicate")
    x = F.conv2d(F.conv2d(x, g1.view(1, 1, 1, 5)), g1.view(1, 1, 5, 1))
    kx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=img.dtype, device=img.device)
    g = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), torch.stack([kx, kx.T]).unsqueeze(1))
    gx, gy = g[:, 0], g[:, 1]
    mag = (gx.pow(2) + gy.pow(2)).sqrt()
    # Quantise the gradient direction to 0/45/90/135 degrees; keep pixels that beat both neighbours along it.
    angle = torch.rad2deg(torch.atan2(gy, gx)) % 180
    sector = ((angle + 22.5) // 45).long() % 4
    offsets = [(0, 1), (1, 1), (1, 0), (1, -1)]
    padded = F.pad(mag.unsqueeze(1), (1, 1, 1, 1)).squeeze(1)
    h, w = mag.shape[-2:]
    keep = torch.zeros_like(mag, dtype=torch.bool)
    for s, (dy, dx) in enumerate(offsets):
        fwd = padded[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
        bwd = padded[:, 1 - dy:1 - dy + h, 1 - dx:1 - dx + w]
        keep |= (sector == s) & (mag >= fwd) & (mag >= bwd)
    flat = mag.flatten(1)
    hi = torch.quantile(flat, high_q, dim=1).view(-1, 1, 1)
    lo = torch.quantile(flat, low_q, dim=1).view(-1, 1, 1)
    strong = keep & (mag >= hi) & (mag > 0)
    weak = keep & (mag >= lo) & (mag > 0)
    # Hysteresis: grow strong edges into connected weak pixels (bounded number of 8-neighbour steps).
    edges = strong.float()
    for _ in range(8):
        grown = F.max_pool2d(edges.unsqueeze(1), 3, stride=1, padding=1).squeeze(1)
        edges = torch.where(weak, grown, edges)
    return edges


def _edge(kind: str, source: str) -> Callable:
    base = DERIVED[source].fn if source in DERIVED else (lambda x: _b(x, source))
    op = _sobel_magnitude if kind == "sobel" else _canny

    def fn(x):
        return op(base(x))
    fn.__doc__ = f"{'Sobel gradient magnitude' if kind == 'sobel' else 'Canny edge map (0/1)'} of {source}."
    return fn


@dataclass(frozen=True)
class Channel:
    name: str
    fn: Callable[[torch.Tensor], torch.Tensor]
    kind: str  # "optical" or "sar": which sensor the channel depends on (for plots and occlusion colours)
    # each pixel from the same pixel's bands by correctly rounded operations (+ - * / sqrt): the same bits
    # whatever batch it is computed in (``landslide.train.rows`` computes these per batch). The edge
    # channels convolve and take per-image quantiles, whose kernels may sum in a batch-dependent order.
    pointwise: bool = True


DERIVED: dict[str, Channel] = {}
for _name, _fn, _kind in [("ndvi", ndvi, "optical"), ("evi2", evi2, "optical"), ("vari", vari, "optical"),
                          ("redr", redr, "optical"), ("ndwi", ndwi, "optical"),
                          ("desc_cross_ratio", desc_cross_ratio, "sar"), ("asc_cross_ratio", asc_cross_ratio, "sar"),
                          ("sar_change", sar_change, "sar")]:
    DERIVED[_name] = Channel(_name, _fn, _kind)
_EDGE_SOURCES = (("nir", "optical"), ("ndvi", "optical"), ("desc_vv", "sar"), ("asc_vv", "sar"))
for _kind_op in ("sobel", "canny"):
    for _src, _kind in _EDGE_SOURCES:
        _name = f"{_kind_op}_{_src}"
        DERIVED[_name] = Channel(_name, _edge(_kind_op, _src), _kind, pointwise=False)

CHANNEL_SETS: dict[str, tuple[str, ...]] = {
    "12": RAW_BANDS,
    "20": RAW_BANDS + ("ndvi", "evi2", "vari", "redr", "ndwi", "desc_cross_ratio", "asc_cross_ratio", "sar_change"),
}
CHANNEL_SETS["28"] = CHANNEL_SETS["20"] + tuple(f"{k}_{s}" for k in ("sobel", "canny") for s, _ in _EDGE_SOURCES)


def channel_names(channel_set: str | int) -> tuple[str, ...]:
    key = str(channel_set)
    if key not in CHANNEL_SETS:
        raise ValueError(f"unknown channel set {channel_set!r}; choose one of {sorted(CHANNEL_SETS)}")
    return CHANNEL_SETS[key]


def channel_kind(name: str) -> str:
    if name in RAW_BANDS:
        return "optical" if name in OPTICAL_BANDS else "sar"
    return DERIVED[name].kind


def expand_channels(raw: torch.Tensor, channel_set: str | int, chunk: int = 512) -> torch.Tensor:
    """(N, 12, H, W) raw bands -> (N, C, H, W) channels of the set, computed in chunks to bound memory."""
    names = channel_names(channel_set)
    if raw.shape[1] != len(RAW_BANDS):
        raise ValueError(f"expected {len(RAW_BANDS)} raw bands on axis 1, got shape {tuple(raw.shape)}")
    if names == RAW_BANDS:
        return raw
    out = torch.empty((raw.shape[0], len(names)) + tuple(raw.shape[2:]), dtype=raw.dtype, device=raw.device)
    for s in range(0, raw.shape[0], chunk):
        x = raw[s:s + chunk]
        out[s:s + chunk, :len(RAW_BANDS)] = x
        for i, name in enumerate(names[len(RAW_BANDS):], start=len(RAW_BANDS)):
            out[s:s + chunk, i] = DERIVED[name].fn(x)
    return out

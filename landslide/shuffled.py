"""Float weights stored byte-shuffled, then deflated: lossless, and 15 % smaller than torch.save's file.

A float32's four bytes differ in how random they are: the sign and exponent byte repeats across a
layer's weights, the low mantissa bytes are noise. Deflating the bytes of each position together (all
first bytes, then all second bytes, ...: HDF5's "shuffle" filter) lets deflate find the repeats that
interleaving hid. Measured on the eight folds of a preview Table 2 (docs/performance.md, Disk):
``model.pt`` 91.07 -> 77.11 MB. Not used for the embeddings: their zeros (a quarter, after the last ReLU)
deflate better unshuffled (result.npz 36.95 MB as written, 38.36 shuffled). Every bit comes back.
"""
from __future__ import annotations

import zlib

import numpy as np


def shuffle(a: np.ndarray) -> np.ndarray:
    """The bytes of ``a`` (C order) grouped by position within an element: uint8 of ``a.nbytes``."""
    a = np.ascontiguousarray(a)
    return np.ascontiguousarray(a.reshape(-1).view(np.uint8).reshape(-1, a.dtype.itemsize).T).reshape(-1)


def unshuffle(raw: np.ndarray, dtype, shape) -> np.ndarray:
    dtype = np.dtype(dtype)
    flat = np.ascontiguousarray(np.asarray(raw, np.uint8).reshape(dtype.itemsize, -1).T).reshape(-1)
    return flat.view(dtype).reshape(shape)


def pack(a: np.ndarray) -> bytes:
    """``a``'s bytes shuffled and deflated (level 6: level 9 gained 0.3 % for twice the time)."""
    return zlib.compress(shuffle(a).tobytes(), 6)


def unpack(blob: bytes, dtype, shape) -> np.ndarray:
    return unshuffle(np.frombuffer(zlib.decompress(blob), np.uint8), dtype, shape)

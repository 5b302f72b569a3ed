"""Packed store: one HDF5 file holding both splits, per-band statistics and a CSV index beside it.

Layout: ``/train/images`` (N, 12, 64, 64) float32 channels-first, ``/train/ids``, ``/train/labels``;
``/test/...`` likewise (labels only when known); ``/stats/<name>`` (12,) float64 over the training
patches: mean, std, median, iqr, min, max. Written to a temporary name, then renamed, so a killed
``pack`` never leaves a half-written file under the final name.
"""
from __future__ import annotations

import csv
from pathlib import Path

import h5py
import numpy as np

from landslide.atomic import atomic_path
from landslide.data.bands import RAW_BANDS
from landslide.data.zindi import Split
from landslide.errors import DataError

STAT_NAMES = ("mean", "std", "median", "iqr", "min", "max")


def band_stats(images: np.ndarray, chunk: int = 256) -> dict[str, np.ndarray]:
    """Per-band statistics of (N, C, H, W) in float64. Mean/std stream over chunks; the quantiles
    need all values of one band at a time, so they go band by band."""
    n_bands = images.shape[1]
    total = np.zeros(n_bands)
    total_sq = np.zeros(n_bands)
    count = images.shape[0] * images.shape[2] * images.shape[3]
    for s in range(0, images.shape[0], chunk):
        x = images[s:s + chunk].astype(np.float64)
        total += x.sum(axis=(0, 2, 3))
        total_sq += (x ** 2).sum(axis=(0, 2, 3))
    mean = total / count
    std = np.sqrt(np.maximum(total_sq / count - mean ** 2, 0.0))
    median, iqr, lo, hi = (np.zeros(n_bands) for _ in range(4))
    for b in range(n_bands):
        v = images[:, b].astype(np.float64).ravel()
        q25, median[b], q75 = np.percentile(v, [25, 50, 75])
        iqr[b] = q75 - q25
        lo[b], hi[b] = v.min(), v.max()
    return {"mean": mean, "std": std, "median": median, "iqr": iqr, "min": lo, "max": hi}


def write_store(out: str | Path, train: Split, test: Split | None, source: str = "") -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # The index first, the store last: a store under its final name means both are complete.
    with atomic_path(out.with_suffix(".index.csv")) as tmp_index, open(tmp_index, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "split", "row", "label"])
        for name, split in (("train", train), ("test", test)):
            if split is None:
                continue
            for i, pid in enumerate(split.ids):
                w.writerow([pid, name, i, "" if split.labels is None else int(split.labels[i])])
    with atomic_path(out) as tmp, h5py.File(tmp, "w") as f:
        f.attrs["source"] = source
        f.attrs["band_names"] = list(RAW_BANDS)
        for name, split in (("train", train), ("test", test)):
            if split is None:
                continue
            g = f.create_group(name)
            g.create_dataset("images", data=split.images, chunks=(1,) + split.images.shape[1:])
            g.create_dataset("ids", data=np.array(split.ids, dtype="S"))
            if split.labels is not None:
                g.create_dataset("labels", data=split.labels)
        stats = f.create_group("stats")
        for k, v in band_stats(train.images).items():
            stats.create_dataset(k, data=v)
    return out


def read_store(path: str | Path) -> tuple[Split, Split | None, dict[str, np.ndarray]]:
    path = Path(path)
    try:
        with h5py.File(path, "r") as f:
            splits = []
            for name in ("train", "test"):
                if name not in f:
                    splits.append(None)
                    continue
                g = f[name]
                labels = g["labels"][()].astype(np.int64) if "labels" in g else None
                splits.append(Split([s.decode() for s in g["ids"][()]], g["images"][()], labels))
            stats = {k: f["stats"][k][()] for k in STAT_NAMES}
    except (OSError, KeyError) as exc:
        raise DataError([f"{path}: not a readable landslide store ({exc}); re-create it with "
                         f"`python -m landslide pack --data DIR --out {path}`"], str(path)) from None
    if splits[0] is None:
        raise DataError([f"{path}: no /train group; re-create it with `python -m landslide pack`"], str(path))
    return splits[0], splits[1], stats

"""Packed store: one HDF5 file holding both splits and a CSV index beside it.

Layout: ``/train/images`` (N, 12, 64, 64) float32 channels-first, ``/train/ids``, ``/train/labels``;
``/test/...`` likewise (labels only when known); the attribute ``content_sha1`` hashes every split's ids,
labels and images (the data's identity: ``landslide.data.fingerprint``). Store and index are written
under temporary names and renamed only when both are complete, the store last, after a check that the
disk has room: a failed ``pack`` leaves an existing store and its index as they were. Reading checks the
same things as reading a folder (shape, labels, finite values, plain unique IDs).
"""
from __future__ import annotations

import csv
import hashlib
import os
import shutil
from pathlib import Path

import h5py
import numpy as np

from landslide.atomic import atomic_path
from landslide.data.bands import RAW_BANDS
from landslide.data.zindi import PATCH_SHAPE, STORE_SUFFIXES, Split, check_id, shared_id_problems
from landslide.errors import DataError, LandslideError


def content_hash(*splits: Split | None) -> str:
    h = hashlib.sha1()
    for split in splits:
        if split is not None:
            h.update("\n".join(split.ids).encode())
            h.update(b"" if split.labels is None else np.ascontiguousarray(split.labels, np.int64).tobytes())
            for s in range(0, len(split.ids), 512):
                h.update(np.ascontiguousarray(split.images[s:s + 512], np.float32).tobytes())
    return h.hexdigest()


def store_paths(out: str | Path) -> tuple[Path, Path]:
    """The store and its index. A store is recognised by its suffix (``load_patches``): one named
    otherwise would be read as a folder by every later command, so the name is refused here."""
    out = Path(out)
    if out.suffix not in STORE_SUFFIXES:
        raise LandslideError(f"--out {out}: a packed store's name ends in .h5 (e.g. {out.with_name(out.name + '.h5')});"
                             f" the other commands recognise a store by it")
    return out, out.with_suffix(".index.csv")


def write_store(out: str | Path, train: Split, test: Split | None, source: str = "") -> Path:
    out, index = store_paths(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    need = sum(s.images.nbytes for s in (train, test) if s is not None) * 1.05 + 16e6
    free = shutil.disk_usage(out.parent).free
    if free < need:
        raise LandslideError(f"{out.parent}: {free / 1e9:.2f} GB free, the store needs about {need / 1e9:.2f} GB; "
                             f"free some space or choose another --out")
    tmp_index = index.with_name(f".{index.name}.{os.getpid()}.tmp")
    with atomic_path(out) as tmp:  # renamed into place when the block ends: the store last
        try:
            _write_index(tmp_index, train, test)
            _write_h5(tmp, train, test, source)
            tmp_index.replace(index)
        finally:
            tmp_index.unlink(missing_ok=True)
    return out


def _write_index(path: Path, train: Split, test: Split | None) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "split", "row", "label"])
        for name, split in (("train", train), ("test", test)):
            if split is not None:
                for i, pid in enumerate(split.ids):
                    w.writerow([pid, name, i, "" if split.labels is None else int(split.labels[i])])


def _write_h5(path: Path, train: Split, test: Split | None, source: str) -> None:
    with h5py.File(path, "w") as f:
        f.attrs["source"] = source
        f.attrs["band_names"] = list(RAW_BANDS)
        f.attrs["content_sha1"] = content_hash(train, test)
        for name, split in (("train", train), ("test", test)):
            if split is None:
                continue
            g = f.create_group(name)
            g.create_dataset("images", data=split.images, chunks=(1,) + split.images.shape[1:])
            g.create_dataset("ids", data=np.array(split.ids, dtype="S"))
            if split.labels is not None:
                g.create_dataset("labels", data=split.labels)


def read_store(path: str | Path) -> tuple[Split, Split | None]:
    path = Path(path)
    problems: list[str] = []
    try:
        with h5py.File(path, "r") as f:
            splits = [_read_split(path, f, name, problems) if name in f else None for name in ("train", "test")]
    except (OSError, KeyError) as exc:
        raise DataError([f"{path}: not a readable landslide store ({exc}); re-create it with "
                         f"`python -m landslide pack --data DIR --out {path}`"], str(path)) from None
    train, test = splits
    if train is None and not problems:
        raise DataError([f"{path}: no /train group; re-create it with `python -m landslide pack`"], str(path))
    problems += [p for name, split in zip(("train", "test"), splits, strict=True) if split is not None
                 for p in split_problems(path, name, split)]
    if train is not None and test is not None:
        problems += shared_id_problems(f"{path} /train", train.ids, f"{path} /test", test.ids)
    if problems or train is None:
        raise DataError(problems + [f"re-create the store from a checked folder: `python -m landslide pack "
                                    f"--data DIR --out {path}`"], str(path))
    return train, test


def _read_split(path: Path, f: h5py.File, name: str, problems: list[str]) -> Split | None:
    """One split, its datasets checked as declared (kind, type, shape, size) before any is read: a store
    that would not fit in memory, or hold what training cannot use, is a problem, not a crash. Problems
    are added to ``problems``; None where the split cannot be read."""
    g, where = f[name], f"{path} /{name}"
    if not isinstance(g, h5py.Group):
        problems.append(f"{where}: a dataset where a group of images, ids and labels belongs")
        return None
    missing = [k for k in ("images", "ids") if not isinstance(g.get(k), h5py.Dataset)]
    if missing:
        problems.append(f"{where}: no {' or '.join(missing)} dataset")
        return None
    images, ids = g["images"], g["ids"]
    found = _declared_problems(where, images, ids)
    if found:
        problems += found
        return None
    text_ids = _decoded_ids(where, ids[()], problems)
    labels = _labels(where, g["labels"][()], problems) if "labels" in g else None
    if text_ids is None or (labels is None and "labels" in g):
        return None
    if labels is not None and len(labels) != len(text_ids):
        problems.append(f"{where}/labels: {len(labels)} labels for {len(text_ids)} IDs")
        return None
    return Split(text_ids, images[()], labels)


def _declared_problems(where: str, images: h5py.Dataset, ids: h5py.Dataset) -> list[str]:
    shape = (PATCH_SHAPE[2],) + PATCH_SHAPE[:2]
    if images.ndim != 4 or images.shape[1:] != shape or images.shape[0] != ids.shape[0]:
        return [f"{where}/images: shape {images.shape}, expected ({ids.shape[0]}, {', '.join(map(str, shape))})"]
    if images.dtype != np.float32:
        return [f"{where}/images: {images.dtype} values; a store holds float32 (pack writes them so)"]
    if ids.dtype.kind not in "SO":
        return [f"{where}/ids: {ids.dtype} values; IDs are text (the patch file names without .npy)"]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    if memory and images.size * images.dtype.itemsize > memory:
        return [f"{where}/images: declares {images.shape[0]:,} images ({images.size * 4 / 1e9:.1f} GB), more than "
                f"this machine's memory ({memory / 1e9:.1f} GB)"]
    return []


def _decoded_ids(where: str, raw: np.ndarray, problems: list[str]) -> list[str] | None:
    out, bad = [], []
    for row, value in enumerate(raw):
        try:
            out.append(value.decode("utf-8") if isinstance(value, bytes) else str(value))
        except UnicodeDecodeError:
            bad.append(f"{where} row {row}: the ID {bytes(value)!r} is not UTF-8 text")
    problems += bad[:20]
    return None if bad else out


def _labels(where: str, raw: np.ndarray, problems: list[str]) -> np.ndarray | None:
    """The labels as integers, refused where a value is not a whole number (0.9 is not read as 0)."""
    if raw.dtype.kind not in "biuf":
        problems.append(f"{where}/labels: {raw.dtype} values; labels are 0 or 1")
        return None
    whole = np.isfinite(raw) & (raw == np.round(raw)) if raw.dtype.kind == "f" else np.ones(len(raw), bool)
    bad = np.nonzero(~whole)[0]
    problems += [f"{where} row {r}: label {raw[r]} is not 0 or 1" for r in bad[:20]]
    return None if len(bad) else raw.astype(np.int64)


def split_problems(path: Path, name: str, split: Split) -> list[str]:
    """The checks a folder's patches get, on a packed split (row numbers are the store's rows)."""
    out = []
    shape = (PATCH_SHAPE[2],) + PATCH_SHAPE[:2]
    if split.images.ndim != 4 or split.images.shape[1:] != shape or len(split.images) != len(split.ids):
        out.append(f"{path} /{name}/images: shape {split.images.shape}, expected ({len(split.ids)}, "
                   f"{', '.join(map(str, shape))})")
        return out
    seen = set()
    for row, pid in enumerate(split.ids):
        problem = check_id(pid)
        if problem or pid in seen:
            out.append(f"{path} /{name} row {row}: {problem or f'duplicate ID {pid}'}")
        seen.add(pid)
    if split.labels is not None:
        bad = np.nonzero(~np.isin(split.labels, (0, 1)))[0]
        if name == "test":
            bad = bad[split.labels[bad] != -1]
        out += [f"{path} /{name} row {r} (ID {split.ids[r]}): label {split.labels[r]} is not 0 or 1" for r in bad[:20]]
    finite = np.isfinite(split.images.reshape(len(split.ids), -1)).all(1)
    out += [f"{path} /{name} row {r} (ID {split.ids[r]}): NaN/Inf values" for r in np.nonzero(~finite)[0][:20]]
    return out

"""The content identity of a data set, part of every configuration's identity.

Run folders and results-store cells are keyed by their configuration; with the data's *path* alone, an
edited ``Train.csv`` (flipped labels, removed rows) silently reused the old folds' predictions. The
fingerprint hashes what a user edits (the CSVs, byte for byte) and the name, size and modification
time of every patch file the CSVs name, which is cheap (one ``stat`` per file). A packed ``.h5`` store
carries the full content hash that ``landslide pack`` computed; its size and time are added for safety.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from landslide.errors import LandslideError

SYNTHETIC_VERSION = 3  # bump when the generator's output changes (3: displaced and patchwork decoys, scars as in v2)
CSV_NAMES = ("Train.csv", "Test.csv", "TestLabels.csv")


def fingerprint(data: str) -> str:
    return digest(fingerprint_parts(data))


def digest(parts: dict[str, str]) -> str:
    """One fingerprint from its parts."""
    if list(parts) == ["synthetic"]:
        return parts["synthetic"]
    return hashlib.sha1("".join(f"{k}={v}\n" for k, v in parts.items()).encode()).hexdigest()[:16]


def fingerprint_parts(data: str) -> dict[str, str]:
    """What a user may edit -> its digest: each CSV, each split's patch files, or a packed store. Kept with
    a run (``RunDir.data_path``) so that a command reading it later can name what changed."""
    if not data:
        return {"synthetic": f"synthetic-v{SYNTHETIC_VERSION}"}
    path = Path(data)
    if path.is_file():
        st = path.stat()
        return {path.name: f"{st.st_size}:{st.st_mtime_ns}:{_store_hash(path)}"}
    if not path.is_dir():
        raise LandslideError(f"--data {data}: no such folder or file; point it at a Zindi folder (with "
                             f"Train.csv) or a packed .h5 store")
    parts = {}
    for name in CSV_NAMES:
        if (path / name).is_file():
            parts[name] = hashlib.sha1((path / name).read_bytes()).hexdigest()[:16]
    for csv_name, sub in (("Train.csv", "train_data"), ("Test.csv", "test_data")):
        if (path / csv_name).is_file():
            parts[sub] = _patches_digest(path / sub, _named_ids(path / csv_name))
    return parts


def changed_parts(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _named_ids(csv_path: Path) -> list[str]:
    """The IDs a CSV names, read leniently: the reader reports a malformed CSV with its own message."""
    try:
        with open(csv_path, newline="", encoding="utf-8-sig", errors="replace") as fh:
            return [(row.get("ID") or "").strip() for row in csv.DictReader(fh)]
    except csv.Error:
        return []


def _patches_digest(folder: Path, ids: list[str]) -> str:
    """Name, size and modification time of the patch file each ID names (one ``stat`` per file): the files
    the reader reads, so a stray or dangling file beside them changes nothing, as it does not for ``check``."""
    h = hashlib.sha1()
    for pid in sorted(ids):  # the rows' order is the CSV's part: a reordered CSV names only the CSV
        try:
            st = (folder / f"{pid}.npy").stat()
            h.update(f"{pid}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        except (OSError, ValueError):  # missing, dangling or an unusable name: the reader names it
            h.update(f"{pid}:missing\n".encode())
    return h.hexdigest()[:16]


def _store_hash(path: Path) -> str:
    try:
        import h5py
        with h5py.File(path, "r") as fh:
            return str(fh.attrs.get("content_sha1", ""))
    except Exception:  # not an HDF5 file: the loader reports it with its own message
        return ""

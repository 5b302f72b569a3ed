"""The content identity of a data set, part of every configuration's identity.

Run folders and results-store cells are keyed by their configuration; with the data's *path* alone, an
edited ``Train.csv`` (flipped labels, removed rows) silently reused the old folds' predictions. The
fingerprint hashes what a user edits (the CSVs, byte for byte) and the name, size and modification
time of every patch file, which is cheap (one ``stat`` per file). A packed ``.h5`` store carries the
full content hash that ``landslide pack`` computed; its size and time are added for safety.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from landslide.errors import LandslideError

SYNTHETIC_VERSION = 2  # bump when the generator's output changes (2: R, G, B share their texture)
CSV_NAMES = ("Train.csv", "Test.csv", "TestLabels.csv")


def fingerprint(data: str) -> str:
    if not data:
        return f"synthetic-v{SYNTHETIC_VERSION}"
    path = Path(data)
    h = hashlib.sha1()
    if path.is_file():
        st = path.stat()
        h.update(f"{st.st_size}:{st.st_mtime_ns}:{_store_hash(path)}".encode())
    elif path.is_dir():
        for name in CSV_NAMES:
            if (path / name).is_file():
                h.update(name.encode() + (path / name).read_bytes())
        for sub in ("train_data", "test_data"):
            if (path / sub).is_dir():
                for f in sorted((path / sub).iterdir(), key=lambda p: p.name):
                    st = f.stat()
                    h.update(f"{sub}/{f.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    else:
        raise LandslideError(f"--data {data}: no such folder or file; point it at a Zindi folder (with "
                             f"Train.csv) or a packed .h5 store")
    return h.hexdigest()[:16]


def _store_hash(path: Path) -> str:
    try:
        import h5py
        with h5py.File(path, "r") as fh:
            return str(fh.attrs.get("content_sha1", ""))
    except Exception:  # not an HDF5 file: the loader reports it with its own message
        return ""

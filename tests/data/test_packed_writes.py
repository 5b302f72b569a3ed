"""A packed store is checked like a folder; a failed pack leaves the old store intact."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

from landslide.data import load_patches
from landslide.errors import LandslideError


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


def test_a_packed_store_is_checked_like_a_folder(folder, tmp_path):
    import h5py

    from landslide.data.packed import write_store
    ps = load_patches(folder)
    store = write_store(tmp_path / "d.h5", ps.train, ps.test)
    assert len(load_patches(store)) == 300
    with h5py.File(store, "a") as f:
        f["train/labels"][3] = 2
        f["train/images"][5, 0, 0, 0] = np.nan
    rc, text = cli("check", "--data", store)
    assert rc == 2 and "row 3" in text and "not 0 or 1" in text and "row 5" in text and "NaN" in text


# 6. pack: the pair is atomic, a full disk is a message -----------------------------------------------

def test_a_failed_pack_leaves_the_existing_store_and_index_intact(folder, tmp_path, monkeypatch):
    from landslide.data import packed as hdf5
    ps = load_patches(folder)
    out = hdf5.write_store(tmp_path / "d.h5", ps.train, ps.test)
    before = (out.read_bytes(), out.with_suffix(".index.csv").read_bytes())

    def full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(hdf5, "_write_h5", full)
    with pytest.raises(OSError):
        hdf5.write_store(out, ps.train, None)
    assert (out.read_bytes(), out.with_suffix(".index.csv").read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    monkeypatch.setattr(hdf5.shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10, 10, 1000))
    with pytest.raises(LandslideError, match="GB free"):
        hdf5.write_store(out, ps.train, ps.test)

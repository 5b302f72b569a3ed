import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from landslide.data import load_patches


def test_pack_then_read_equals_folder(synth300, tmp_path):
    out = tmp_path / "s.h5"
    r = subprocess.run([sys.executable, "-m", "landslide", "pack", "--data", str(synth300), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    folder, packed = load_patches(synth300), load_patches(out)
    np.testing.assert_array_equal(folder.train.images, packed.train.images)
    np.testing.assert_array_equal(folder.train.labels, packed.train.labels)
    np.testing.assert_array_equal(folder.test.images, packed.test.images)
    assert folder.train.ids == packed.train.ids and folder.test.ids == packed.test.ids
    index = pd.read_csv(out.with_suffix(".index.csv"))
    assert len(index) == 360 and set(index.split) == {"train", "test"}
    assert not list(tmp_path.glob("*.tmp*"))  # no temporary file left behind



def _store(path, images=None, ids=None, labels=None, train_as_dataset=False):
    """A small hand-made store: 4 patches unless told otherwise."""
    import h5py
    with h5py.File(path, "w") as f:
        if train_as_dataset:
            f.create_dataset("train", data=np.zeros((4, 12, 64, 64), np.float32))
            return path
        g = f.create_group("train")
        g.create_dataset("images", data=np.zeros((4, 12, 64, 64), np.float32) if images is None else images)
        g.create_dataset("ids", data=np.array([b"ID_a", b"ID_b", b"ID_c", b"ID_d"]) if ids is None else ids)
        g.create_dataset("labels", data=np.array([0, 1, 0, 1]) if labels is None else labels)
    return path


def _huge(path):
    """A store that declares 10^9 images (and IDs) without holding them: HDF5 allocates chunks lazily."""
    import h5py
    with h5py.File(path, "w") as f:
        g = f.create_group("train")
        g.create_dataset("images", shape=(10**9, 12, 64, 64), dtype=np.float32, chunks=(1, 12, 64, 64))
        g.create_dataset("ids", shape=(10**9,), dtype="S8", chunks=(1024,))
    return path


@pytest.mark.parametrize("make, said", [
    (lambda p: _store(p, ids=np.arange(4)), "/train/ids: int64 values; IDs are text"),
    (lambda p: _store(p, ids=np.array([b"ID_a", b"\xff\xfe", b"ID_c", b"ID_d"])),
     "row 1: the ID b'\\xff\\xfe' is not UTF-8"),
    (lambda p: _store(p, train_as_dataset=True), "/train: a dataset where a group"),
    (_huge, "declares 1,000,000,000 images"),
    (lambda p: _store(p, images=np.zeros((4, 12, 64, 64))), "/train/images: float64 values; a store holds float32"),
    (lambda p: _store(p, labels=np.array([0.9, 0.4, 0.0, 1.0])), "row 0: label 0.9 is not 0 or 1"),
    (lambda p: _store(p, labels=np.array([0, 2, 0, 1])), "label 2 is not 0 or 1"),
    (lambda p: _store(p, labels=np.array([0, 1, 0])), "3 labels for 4 IDs"),
])
def test_a_store_that_training_cannot_use_is_refused_by_check(tmp_path, make, said):
    store = make(tmp_path / "s.h5")
    r = subprocess.run([sys.executable, "-m", "landslide", "check", "--data", str(store)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and said in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "ok" not in r.stdout


def test_labels_that_are_whole_numbers_in_floats_are_read(tmp_path):
    read = load_patches(_store(tmp_path / "s.h5", labels=np.array([0.0, 1.0, 0.0, 1.0])))
    assert read.train.labels.tolist() == [0, 1, 0, 1]

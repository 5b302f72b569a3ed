import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from landslide.data import load_patches
from landslide.errors import DataError


@pytest.fixture
def broken(tmp_path, synth300):
    d = tmp_path / "broken"
    shutil.copytree(synth300, d)
    train = pd.read_csv(d / "Train.csv")
    ids = list(train.ID)
    trunc = d / "train_data" / f"{ids[0]}.npy"
    trunc.write_bytes(trunc.read_bytes()[:1000])
    np.save(d / "train_data" / f"{ids[1]}.npy", np.zeros((64, 64, 13)))
    nan = np.load(d / "train_data" / f"{ids[2]}.npy")
    nan[3, 4, 7] = np.nan
    np.save(d / "train_data" / f"{ids[2]}.npy", nan)
    (d / "train_data" / f"{ids[3]}.npy").unlink()
    train.loc[4, "label"] = 2
    train = pd.concat([train, train.iloc[[5]]], ignore_index=True)
    train.to_csv(d / "Train.csv", index=False)
    return d, ids


def test_every_problem_is_named_in_one_message(broken):
    d, ids = broken
    with pytest.raises(DataError) as err:
        load_patches(d)
    msg = str(err.value)
    assert len(err.value.problems) == 6
    assert f"{ids[0]}.npy: unreadable" in msg
    assert "(64, 64, 13)" in msg and ids[1] in msg
    assert "NaN/Inf" in msg and "[7]" in msg and ids[2] in msg
    assert f"ID {ids[3]} has no file" in msg
    assert "row 6" in msg and "label '2'" in msg           # CSV line 6 = data row 5 (index 4)
    assert f"duplicate ID {ids[5]}" in msg and "row 302" in msg


def test_cli_exits_nonzero_without_traceback(broken):
    d, ids = broken
    r = subprocess.run([sys.executable, "-m", "landslide", "check", "--data", str(d)], capture_output=True, text=True)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    for i in ids[:6]:
        assert i in r.stderr


def test_skip_bad_drops_bad_patches_but_still_refuses_bad_csv_rows(broken):
    d, ids = broken
    with pytest.raises(DataError) as err:  # label 2 and the duplicate are CSV problems, not patch problems
        load_patches(d, skip_bad=True)
    assert len(err.value.problems) == 2
    train = pd.read_csv(d / "Train.csv").drop_duplicates("ID")
    train.loc[train.label == 2, "label"] = 1
    train.to_csv(d / "Train.csv", index=False)
    ps = load_patches(d, skip_bad=True)
    assert len(ps.skipped) == 4 and len(ps) == 296
    assert not set(ids[:4]) & set(ps.train.ids)


def test_patches_are_channels_first_float32_with_band_names(synth300):
    ps = load_patches(synth300)
    assert ps.train.images.shape[1:] == (12, 64, 64) and ps.band_names[4] == "desc_vv"
    raw = np.load(synth300 / "train_data" / f"{ps.train.ids[0]}.npy")
    np.testing.assert_allclose(ps.train.images[0], raw.transpose(2, 0, 1).astype(np.float32))
    assert ps.has_test_labels and len(ps.test.ids) == 60


def test_real_patch_reads(tmp_path, real_patch):
    d = tmp_path / "real"
    (d / "train_data").mkdir(parents=True)
    shutil.copy(real_patch, d / "train_data" / "ID_005GY8.npy")
    (d / "Train.csv").write_text("ID,label\nID_005GY8,0\n")
    ps = load_patches(d)
    assert ps.train.images.shape == (1, 12, 64, 64) and ps.train.labels.tolist() == [0]
    assert 1000 < ps.train.images[0, 0].mean() < 2000  # red, reflectance x 1e4

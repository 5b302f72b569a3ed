"""`landslide train` on bad values, devices, outputs and losses: one message, no folder claimed."""
import subprocess
import sys

import numpy as np
import pytest

from landslide.errors import LandslideError


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


# 4. configuration values: refused before anything is written -----------------------------------------

@pytest.mark.parametrize("bad", ["lr_schedule=linear", "norm=foo", "channels=13", "folds=1", "batch_size=0",
                                 "backbone=x", "epochs=-1"])
def test_a_bad_value_claims_no_folder(tmp_path, bad):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", bad)
    assert rc == 2 and "Traceback" not in text and bad.split("=")[0] in text
    assert not (tmp_path / "r").exists()


def test_a_bad_device_claims_no_folder(tmp_path):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--device", "banana")
    assert rc == 2 and "banana" in text and not (tmp_path / "r").exists()


def test_outputs_that_cannot_be_written(tmp_path):
    (tmp_path / "file").write_text("x")
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "file")
    assert rc == 2 and "is a file" in text
    rc, text = cli("table2", "--profile", "smoke", "--out", tmp_path / "file" / "sub", module="bench")
    assert rc == 2 and "Traceback" not in text


def test_a_failed_train_leaves_no_config_behind(tmp_path):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", "folds=200")
    assert rc == 2 and "200 stratified folds" in text and "--skip-bad" not in text
    assert not (tmp_path / "r").exists()
    rc, _ = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", "epochs=1", "--no-progress")
    assert rc == 0  # the corrected command is not refused as "a different configuration"


def test_a_non_finite_loss_is_a_message(tmp_path):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", "lr=1e30", "--no-progress")
    assert rc == 2 and "loss is" in text and "Traceback" not in text


def test_too_few_landslides_for_the_folds_does_not_advise_what_is_already_set():
    from landslide.train.cv import make_folds
    with pytest.raises(LandslideError) as err:
        make_folds(np.array([1, 0, 0, 0, 0]), 2, 0)
    assert "folds=2" not in str(err.value) and "more labelled data" in str(err.value)
    with pytest.raises(LandslideError, match="folds=2"):
        make_folds(np.array([1, 1, 0, 0, 0, 0]), 3, 0)

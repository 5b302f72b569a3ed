"""Edited data changes its fingerprint, and a run trained on the old data refuses it."""
import os

import pandas as pd
import pytest

from landslide.data.fingerprint import fingerprint
from landslide.errors import LandslideError

# 2. edited data is a new run -------------------------------------------------------------------------

def test_editing_the_data_changes_its_fingerprint_and_the_run_is_refused(folder, tmp_path):
    from landslide.profiles import profile_config
    from landslide.train.rundir import RunDir
    before = fingerprint(str(folder))
    assert fingerprint(str(folder)) == before
    cfg = profile_config("smoke", data=str(folder), data_fingerprint=before)
    run = RunDir(tmp_path / "run")
    run.path.mkdir()
    run.config_path.write_text(__import__("json").dumps(cfg.resolved()))
    train = pd.read_csv(folder / "Train.csv")
    train.loc[:39, "label"] = 1 - train.loc[:39, "label"]
    train.to_csv(folder / "Train.csv", index=False)
    after = fingerprint(str(folder))
    assert after != before
    with pytest.raises(LandslideError, match="changed since"):
        run.check(cfg.replace(data_fingerprint=after))
    assert cfg.replace(data_fingerprint=after).key() != cfg.key()  # a results-store cell is new too
    os.utime(next((folder / "train_data").iterdir()), ns=(1, 1))  # a touched patch file counts too
    assert fingerprint(str(folder)) != after

"""landslide/train/rundir.py: a run folder whose files were edited by hand is one message naming the file."""
import json

import pytest

from landslide.data.fingerprint import fingerprint
from landslide.errors import LandslideError
from landslide.profiles import profile_config
from landslide.train.rundir import RunDir


@pytest.mark.parametrize("saved", ["[]", "3", '"quick"'])
def test_a_config_json_that_is_not_an_object_is_refused(tmp_path, saved):
    run = RunDir(tmp_path / "run")
    with run.session(profile_config("smoke")):
        pass
    run.config_path.write_text(saved)
    with pytest.raises(LandslideError, match="config.json: unreadable"):
        run.read_config()


@pytest.mark.parametrize("damage", ["{truncated", "[1, 2]"])
def test_a_damaged_data_json_still_says_the_data_changed(tmp_path, folder, damage):
    cfg = profile_config("smoke", data=str(folder), data_fingerprint=fingerprint(str(folder)))
    run = RunDir(tmp_path / "run")
    with run.session(cfg):
        pass
    run.data_path.write_text(damage)
    train_csv = folder / "Train.csv"
    train_csv.write_text(train_csv.read_text().replace(",1\n", ",0\n", 1))
    with pytest.raises(LandslideError, match="trained on data that has changed since"):
        run.require_same_data(cfg)
    assert json.loads(run.config_path.read_text())["data"] == str(folder)

"""landslide/train/rundir.py: a run folder whose files were edited by hand is one message naming the file, and its
own files are never written through a link planted there."""
import json
import os

import pytest

from landslide.atomic import write_text_atomic
from landslide.data.fingerprint import fingerprint
from landslide.errors import LandslideError
from landslide.profiles import profile_config
from landslide.train.rundir import RunDir

CFG = profile_config("smoke")


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


@pytest.mark.parametrize("own", [".lock", "log.txt"])
def test_a_link_planted_as_a_run_folders_own_file_leaves_its_target_untouched(tmp_path, snapshot, own):
    victim, run = tmp_path / "victim.txt", tmp_path / "run"
    victim.write_text("precious\n")
    run.mkdir()
    (run / own).symlink_to(victim)
    before = snapshot(tmp_path)
    with pytest.raises(LandslideError, match=f"{own} is a symbolic link .*Remove the link"):
        with RunDir(run).session(CFG):
            pass
    assert victim.read_text() == "precious\n"
    after = snapshot(tmp_path)  # nothing changed, not even a config.json claimed: at most the lock file made
    assert {k: after[k] for k in before} == before and set(after) - set(before) <= {"run/.lock"}


def test_a_fold_folder_planted_as_a_link_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "model.pt").write_text("not ours")
    fold = RunDir(tmp_path / "run").fold(0)
    fold.path.parent.mkdir()
    fold.path.symlink_to(elsewhere)
    with pytest.raises(LandslideError, match="fold_0 is a symbolic link"):
        fold.make()
    assert (elsewhere / "model.pt").read_text() == "not ours"


def test_a_link_planted_at_the_temporary_name_is_not_written_through(tmp_path):
    victim, target = tmp_path / "victim.txt", tmp_path / "config.json"
    victim.write_text("precious")
    (tmp_path / f".config.json.{os.getpid()}.tmp.json").symlink_to(victim)
    write_text_atomic(target, "{}")
    assert victim.read_text() == "precious" and target.read_text() == "{}" and not target.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "victim.txt"]

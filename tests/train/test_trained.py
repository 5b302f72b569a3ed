"""A finished run read back: from any folder (its data stored resolved), and a lost model.pt is a fold that
resuming trains again (landslide/train/trained.py, landslide/options.py)."""
import argparse
import shutil

import pytest

from landslide.cli import main
from landslide.data.fingerprint import fingerprint
from landslide.options import add_config_arguments, config_from_args
from landslide.profiles import profile_config


def _cfg(*argv):
    p = argparse.ArgumentParser()
    add_config_arguments(p)
    return config_from_args(p.parse_args(["--profile", "smoke", *argv]))


def test_data_given_relative_or_absolute_is_one_configuration(folder, monkeypatch):
    monkeypatch.chdir(folder.parent)
    rel, absolute = _cfg("--data", "./data"), _cfg("--data", str(folder))
    assert rel.key() == absolute.key() and rel.data == str(folder.resolve())
    default = _cfg()  # the synthetic default keeps its key
    assert default.data == "" and default.key() == profile_config("smoke", data_fingerprint=fingerprint("")).key()


@pytest.fixture(scope="module")
def trained(tmp_path_factory, synth300):
    """A smoke run trained with a relative --data, from the data's parent folder."""
    import os
    root = tmp_path_factory.mktemp("trained")
    shutil.copytree(synth300, root / "d")
    here = os.getcwd()
    os.chdir(root)
    try:
        assert main(["train", "--profile", "smoke", "--data", "d", "--out", "run", "--no-progress"]) == 0
    finally:
        os.chdir(here)
    return root


def test_a_run_trained_with_a_relative_data_path_predicts_from_another_folder(trained, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["predict", "--run", str(trained / "run"), "--out", "sub.csv"]) == 0


@pytest.mark.parametrize("target", ["run/config.json", "d/Test.csv", "run/fold_0/model.pt"])
def test_predict_over_a_file_it_reads_is_refused(trained, snapshot, capsys, target):
    before = snapshot(trained)
    assert main(["predict", "--run", str(trained / "run"), "--out", str(trained / target)]) == 2
    assert "which this command reads" in capsys.readouterr().err and snapshot(trained) == before


def test_a_missing_model_pt_names_a_step_that_rewrites_it(trained, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained / "run", run)
    (run / "fold_1" / "model.pt").unlink()
    assert main(["predict", "--run", str(run), "--out", str(tmp_path / "a.csv"), "--tta", "4"]) == 2
    err = capsys.readouterr().err
    assert "fold(s) [1] are unfinished" in err and f"landslide train --out {run}" in err
    # the step it names: the training command again, which writes model.pt from the fold's last.pt
    assert main(["train", "--profile", "smoke", "--data", str(trained / "d"), "--out", str(run),
                 "--no-progress"]) == 0
    assert (run / "fold_1" / "model.pt").is_file()
    assert main(["predict", "--run", str(run), "--out", str(tmp_path / "a.csv"), "--tta", "4"]) == 0


def test_a_run_whose_data_is_gone_says_where_it_looked(trained, tmp_path, capsys):
    import json
    run = tmp_path / "run"
    shutil.copytree(trained / "run", run)
    cfg = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps(cfg | {"data": "nowhere"}))  # an older run's relative path
    assert main(["predict", "--run", str(run), "--out", str(tmp_path / "a.csv")]) == 2
    err = capsys.readouterr().err
    assert "trained on the data at nowhere" in err and "--data" not in err

"""A finished cell whose run folder was deleted is trained again by the command that reads it."""
import json
import shutil

from bench.grid.cells import run_dir_for
from bench.grid.rundirs import finished_run_dir
from bench.grid.runner import run_cell
from landslide.profiles import profile_config


def test_a_deleted_run_folder_of_a_finished_cell_is_trained_again(tmp_path, capsys):
    cfg = profile_config("smoke", threads=1)
    run_cell(cfg, tmp_path, progress=False)
    path = run_dir_for(tmp_path, cfg)
    metrics = json.loads((path / "metrics.json").read_text())
    shutil.rmtree(path)
    assert finished_run_dir(tmp_path, cfg, progress=False) == path
    assert "is missing" in capsys.readouterr().out
    assert json.loads((path / "metrics.json").read_text())["cv_f1_mean"] == metrics["cv_f1_mean"]
    (path / "fold_0" / "model.pt").unlink()
    finished_run_dir(tmp_path, cfg, progress=False)
    assert "lacks fold(s) [0]" in capsys.readouterr().out and (path / "fold_0" / "model.pt").is_file()

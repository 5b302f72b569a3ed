"""One precedence of configuration sources, --set parsed once, a profile file of one's own."""

import pytest

from landslide.data.fingerprint import fingerprint
from landslide.errors import LandslideError


def parse(*argv):
    import argparse

    from landslide.train.run import add_train_arguments
    p = argparse.ArgumentParser()
    add_train_arguments(p)
    return p.parse_args(["--out", "x", *map(str, argv)])


def test_the_precedence_of_configuration_sources(tmp_path):
    """landslide/config.py's docstring: defaults < profile (a file over its base) < flags < --set < grid base
    < grid row, and --set on a field the grid sets is refused."""
    from bench.grid.cells import expand
    from bench.grid.inputs import refuse_sets_on_grid_factors
    from bench.grid.spec import load_grid
    from landslide.config import ExperimentConfig
    from landslide.options import config_from_args
    own = tmp_path / "mine.toml"
    own.write_text('base = "smoke"\nepochs = 2\nseed = 3\nlr = 0.01\nbatch_size = 8\n')
    assert ExperimentConfig().folds == 3 and config_from_args(parse("--profile", "smoke")).folds == 2  # profile
    cfg = config_from_args(parse("--profile", own))
    assert (cfg.folds, cfg.epochs, cfg.seed) == (2, 2, 3)                   # the file over its base
    cfg = config_from_args(parse("--profile", own, "--seed", 4))
    assert (cfg.seed, cfg.lr) == (4, 0.01)                                  # a flag over the file
    cfg = config_from_args(parse("--profile", own, "--seed", 4, "--set", "seed=5", "--set", "lr=0.02"))
    assert (cfg.seed, cfg.lr, cfg.batch_size) == (5, 0.02, 8)               # --set over the flag
    grid = load_grid("table3")                                              # base = "table2.smote"
    cells = expand(grid, cfg, [cfg.seed])
    assert all(c.cfg.smote for c in cells) and cells[-1].cfg.head == "svm"  # grid base row, then the row
    with pytest.raises(LandslideError, match="--set head: grid table3 sets it"):
        refuse_sets_on_grid_factors(grid, {"head": "fc"})


def test_set_data_is_fingerprinted_like_data(folder):
    from landslide.options import config_from_args
    by_flag = config_from_args(parse("--data", folder))
    by_set = config_from_args(parse("--set", f"data={folder}"))
    assert by_set.data_fingerprint == by_flag.data_fingerprint == fingerprint(str(folder))
    assert by_set.key() == by_flag.key()


def test_reading_the_flags_touches_no_data(tmp_path):
    from landslide.options import flag_overrides
    assert flag_overrides(parse("--data", tmp_path / "not-yet")) == {"data": str(tmp_path / "not-yet")}


def test_a_grid_command_parses_set_once(monkeypatch, tmp_path):
    import bench.grid.tables as tables
    import landslide.options as options
    from bench.cli import build_parser
    calls = []
    real = options.coerce
    monkeypatch.setattr(options, "coerce", lambda name, text: calls.append(name) or real(name, text))
    from bench.grid.inputs import GridResult
    monkeypatch.setattr(tables, "run_grid", lambda *a, **k: GridResult([], {}, []))
    args = build_parser().parse_args(["table2", "--profile", "smoke", "--out", str(tmp_path), "--set", "epochs=2"])
    run = tables.run_from_args("table2", args)
    assert calls == ["epochs"] and run.base.epochs == 2


# 9. a profile file of one's own -------------------------------------------------------------------------

def test_a_profile_file_is_a_profile(tmp_path):
    import json

    from bench.output import output_stem
    from landslide.options import config_from_args
    from landslide.profiles import profile_config
    from landslide.train.rundir import RunDir
    own = tmp_path / "my_gpu.toml"
    own.write_text('# my machine\nbase = "smoke"\nepochs = 2\nbatch_size = 8\n')
    cfg = config_from_args(parse("--profile", own))
    assert (cfg.profile, cfg.profile_file, cfg.epochs, cfg.batch_size) == ("smoke", str(own), 2, 8)
    # its values are the identity: the same values through --set are the same run and the same cell
    same = config_from_args(parse("--profile", "smoke", "--set", "epochs=2", "--set", "batch_size=8"))
    assert cfg.key() == same.key() and cfg.training_key() == same.training_key()
    assert profile_config("smoke").key() == profile_config("smoke", profile_file="").key()
    assert output_stem("table2", cfg) == "table2_my_gpu"
    assert output_stem("table2", cfg.replace(lr=0.5)) == "table2_my_gpu_custom"
    with RunDir(tmp_path / "run").session(cfg):
        pass
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["profile_file"] == str(own) and saved["epochs"] == 2


@pytest.mark.parametrize("text, said", [
    ("epochs = 2\nepoch = 3\n", "unknown key(s) ['epoch']"),
    ('epochs = "ten"\n', "epochs='ten' must be an integer"),
    ("epochs = 0\n", "epochs=0 must be >= 1"),
    ("lr = -1.0\n", "lr=-1.0 must be > 0"),
    ('backbone = 3\n', "backbone=3 must be text"),
    ('base = "fast"\n', "base = 'fast' is not a built-in profile"),
    ('profile = "paper"\n', "key(s) ['profile'] are set by the tool"),
    ("epochs = \n", "not a valid TOML file"),
])
def test_a_bad_profile_file_is_one_message_naming_the_file_and_key(tmp_path, capsys, text, said):
    from landslide.cli import main
    own = tmp_path / "mine.toml"
    own.write_text(text)
    assert main(["train", "--profile", str(own), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert f"error: {own}: " in err and said in err and not (tmp_path / "run").exists()


@pytest.mark.parametrize("profile, said", [("fast", "unknown profile 'fast'; choose one of"),
                                           ("gone.toml", "--profile gone.toml: no such file"),
                                           ("SMOKE/smoke.toml", "")])
def test_an_unknown_profile_is_one_message(tmp_path, capsys, profile, said):
    from landslide.cli import main
    if profile.startswith("SMOKE"):
        profile = str(tmp_path / "smoke.toml")
        (tmp_path / "smoke.toml").write_text("epochs = 2\n")
        said = "may not share a built-in profile's name (smoke)"
    assert main(["train", "--profile", profile, "--out", str(tmp_path / "run")]) == 2
    assert said in capsys.readouterr().err

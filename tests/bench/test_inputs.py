"""bench.grid.inputs: every grid command's one entry refuses, before anything trains or is written, an
option the grid would ignore (a --set on a field its rows set, a second seed option, seeds that are
empty, repeated or out of range)."""
from pathlib import Path

import pytest

from bench.cli import build_parser, main
from bench.grid.inputs import GridInputs, grid_inputs
from bench.grid.spec import load_grid
from landslide.errors import LandslideError
from landslide.profiles import profile_config


def _refused(argv: list[str], tmp_path, capsys) -> str:
    """Run ``python -m bench ARGV --profile smoke --out TMP``: exit 2, nothing written, the error line."""
    before = sorted(tmp_path.rglob("*"))
    assert main([*argv, "--profile", "smoke", "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    assert sorted(tmp_path.rglob("*")) == before  # no store, no run folder, no table
    return capsys.readouterr().err


@pytest.mark.parametrize("command", ["table2", "table3", "thresholds", "tricks", "umap", "occlusion"])
def test_set_on_a_field_the_grid_s_rows_set_is_refused_by_every_grid_command(command, tmp_path, capsys):
    field = "head=svm" if command == "table3" else "mixup=true"
    err = _refused([command, "--set", field], tmp_path, capsys)
    assert f"--set {field.split('=')[0]}: grid table{3 if command == 'table3' else 2} sets it row by row" in err
    assert "--grid PATH" in err


@pytest.mark.parametrize("extra", [[], ["--one-lr"]])
def test_backbones_refuses_set_on_its_factor_with_or_without_the_rate_search(extra, tmp_path, capsys):
    # its rows set the backbone (and the rate search sets lr); mixup is not theirs, so --set mixup applies
    err = _refused(["backbones", *extra, "--set", "backbone=resnet18"], tmp_path, capsys)
    assert "--set backbone: grid backbones sets it row by row" in err


def test_set_lr_is_refused_by_the_rate_search_with_its_two_ways_out(tmp_path, capsys):
    err = _refused(["backbones", "--set", "lr=0.01"], tmp_path, capsys)
    assert "--lr-candidates" in err and "--one-lr" in err


@pytest.mark.parametrize("command", ["table2", "thresholds", "tricks", "umap", "occlusion", "backbones"])
def test_set_seed_is_refused_for_seeds(command, tmp_path, capsys):
    assert "give --seeds 5 instead" in _refused([command, "--set", "seed=5"], tmp_path, capsys)


@pytest.mark.parametrize("seeds, said", [(["--seed", "5"], "take their seeds from --seeds (e.g. --seeds 5)"),
                                         (["--seeds", "0", "--seed", "5"], "take their seeds from --seeds"),
                                         (["--seeds", "0", "--seeds", "5"], "--seeds is given twice"),
                                         (["--seeds", ""], "give comma-separated integers"),
                                         (["--seeds", "0,,1"], "give comma-separated integers"),
                                         (["--seeds", "0,0"], "seed 0 is given twice"),
                                         (["--seeds=-1"], "seeds are 0 to 4294967295, not -1"),
                                         (["--seeds", "4294967296"], "not 4294967296")])
def test_one_seed_option_and_only_usable_seeds(seeds, said, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["table2", *seeds])
    assert exc.value.code == 2
    assert said in capsys.readouterr().err


def test_seeds_given_default_and_kept_in_order():
    p = build_parser()
    inputs = grid_inputs(load_grid("table2"), p.parse_args(["table2", "--profile", "smoke", "--seeds", "2, 0"]))
    assert inputs.seeds == (2, 0)
    assert grid_inputs(load_grid("table2"), p.parse_args(["tricks", "--profile", "smoke"])).seeds == (0, 1, 2)
    assert grid_inputs(load_grid("backbones"), p.parse_args(["backbones", "--profile", "smoke"])).seeds == (0,)


def test_the_single_run_and_the_sweep_keep_seed():
    from landslide.cli import build_parser as landslide_parser
    assert landslide_parser().parse_args(["train", "--out", "r", "--seed", "5"]).seed == 5
    assert build_parser().parse_args(["sweep", "--seed", "5"]).seed == 5
    with pytest.raises(SystemExit):  # a sweep has one seed: a list would be ignored
        build_parser().parse_args(["sweep", "--seeds", "0,1"])


def test_figures_of_one_seed_refuse_several(tmp_path, capsys):
    assert "bench umap draws one seed's networks; give one, e.g. --seeds 0" in \
        _refused(["umap", "--seeds", "0,1"], tmp_path, capsys)


def test_inputs_refuse_no_workers_no_seeds_and_a_derived_grid_that_overrides_a_set():
    grid, base = load_grid("table2"), profile_config("smoke")
    with pytest.raises(LandslideError, match="--workers must be 1 or more, got 0"):
        GridInputs(grid, base, (0,), Path("."),
                   workers=0)
    with pytest.raises(LandslideError, match="no seeds"):
        GridInputs(grid, base, (), Path("."))
    inputs = GridInputs(load_grid("backbones"), base, (0,), Path("."), sets=frozenset({"mixup"}))
    with pytest.raises(LandslideError, match="--set mixup: grid table2 sets it"):
        inputs.with_grid(grid)

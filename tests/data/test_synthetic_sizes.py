"""landslide.data.synthetic's sizes and seed, and the configuration's seeds: range-checked where they enter,
before any file is written."""
import pytest

from landslide.cli import main
from landslide.errors import LandslideError
from landslide.profiles import profile_config


@pytest.mark.parametrize("argv, said", [(["--n", "-5"], "--n -5: give 1 or more"), (["--n", "0"], "--n 0"),
                                        (["--n", "20", "--test-n", "-2"], "--test-n -2: give 0 or more"),
                                        (["--n", "20", "--seed", "-1"], "--seed -1: give a seed from 0")])
def test_synth_refuses_sizes_and_seeds_out_of_range(tmp_path, capsys, argv, said):
    assert main(["synth", "--out", str(tmp_path / "d"), *argv]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("seed", [-1, 99999999999, 2**32])
def test_a_run_seed_out_of_range_is_refused(seed):
    with pytest.raises(LandslideError, match=f"seed={seed} must be >= 0 and <= 4294967295"):
        profile_config("smoke", seed=seed)
    profile_config("smoke", seed=2**32 - 1)


def test_train_refuses_a_negative_seed_before_writing(tmp_path, capsys):
    assert main(["train", "--profile", "smoke", "--seed", "-1", "--out", str(tmp_path / "run")]) == 2
    assert "seed=-1 must be >= 0" in capsys.readouterr().err and not (tmp_path / "run").exists()

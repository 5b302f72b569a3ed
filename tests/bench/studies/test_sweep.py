"""bench sweep: a count of trials below 1 is refused, and a sweep whose every trial fails exits non-zero
with the reason."""
import pytest

from bench.cli import main


@pytest.mark.parametrize("trials", ["0", "-3"])
def test_trials_below_one_are_refused(tmp_path, capsys, trials):
    with pytest.raises(SystemExit) as stopped:
        main(["sweep", "--profile", "smoke", "--trials", trials, "--out", str(tmp_path)])
    assert stopped.value.code == 2 and "give 1 or more" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_sweep_whose_every_trial_fails_exits_non_zero(tmp_path, monkeypatch, capsys):
    import landslide.train.cv as cv

    def broken(*a, **k):
        raise RuntimeError("Expected all tensors to be on the same device")
    monkeypatch.setattr(cv, "run_experiment", broken)
    assert main(["sweep", "--profile", "smoke", "--trials", "2", "--out", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "no trial completed (2 failed: RuntimeError: Expected all tensors" in err
    assert not (tmp_path / "tables" / "sweep_best.toml").exists()

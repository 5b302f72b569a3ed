"""The grid runner: two commands on one --out, a cell finished twice, a full disk, workers per GPU; how many
workers start, a stalled foreign cell, a clean stop."""
import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from bench.grid import runner, store
from bench.grid.cells import expand
from bench.grid.inputs import GridInputs
from bench.grid.spec import Grid, Row
from landslide.errors import LandslideError
from landslide.profiles import profile_config

# 8. grids: two commands on one --out, a full disk --------------------------------------------------------

def _grid_and_store(tmp_path):
    from bench.grid import store
    from bench.grid.spec import Grid, Row
    from landslide.profiles import profile_config
    grid = Grid("g", "g", "a", ["epochs"], [Row("a", "a", {}), Row("b", "b", {"epochs": 2})])
    base = profile_config("smoke", threads=1)  # as run_grid keys its cells
    url = f"sqlite:///{tmp_path / 'results.db'}"
    return grid, base, expand(grid, base, [0]), url, store.open_study(url, "grid-g")


def stored(score):
    """A cell's metrics as the store requires them (every field of landslide's Metrics without a default)."""
    from bench.grid.store import REQUIRED_METRICS
    return {**dict.fromkeys(REQUIRED_METRICS, 0.0), "cv_f1_mean": score, "cv_f1_std": 0.0, "test_f1": None}


def _finish(study, trial, score=0.5):
    import json
    trial.set_user_attr("metrics", json.dumps(stored(score)))
    study.tell(trial, score)


def test_a_grid_waits_for_its_cells_another_process_is_running(tmp_path, monkeypatch):
    import socket
    import threading

    from bench.grid import runner, store
    monkeypatch.setattr(runner, "WAIT_POLL_S", 0.2)
    grid, base, cells, url, study = _grid_and_store(tmp_path)
    store.enqueue_missing(study, cells)
    other = subprocess.Popen(["sleep", "60"])  # the other `bench table2`, alive while it trains
    try:
        for _ in cells:  # it took both cells; one finishes now, the other a moment after we look
            trial, _attrs = store.pop_cell(study)
            trial.set_user_attr("worker", f"{socket.gethostname()}:{other.pid}")
            if _attrs["row"] == "a":
                _finish(study, trial)
            else:
                later = threading.Timer(1.0, _finish, (study, trial, 0.6))
        later.start()
        result = runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False))
        metrics, failed = result.metrics, result.failed
    finally:
        other.kill()
    assert sorted(m["cv_f1_mean"] for m in metrics.values()) == [0.5, 0.6] and not failed


def test_a_cell_finished_twice_is_stored_once(tmp_path, monkeypatch):
    import json

    from optuna.trial import TrialState

    from bench.grid import runner, store
    grid, base, cells, url, study = _grid_and_store(tmp_path)

    def trained_while_a_twin_finished(cfg, *_):
        """Another machine queued the same cell and finished it first."""
        other = store.open_study(url, "grid-g")
        other.enqueue_trial({}, user_attrs=next(c for c in cells if c.key == cfg.key()).attrs())
        twin = other.get_trials(deepcopy=False, states=(TrialState.WAITING,))[-1]
        other._storage.set_trial_state_values(twin._trial_id, TrialState.RUNNING)
        other._storage.set_trial_user_attr(twin._trial_id, "metrics", json.dumps(stored(0.5)))
        other._storage.set_trial_state_values(twin._trial_id, TrialState.COMPLETE, [0.5])
        return stored(0.9)
    monkeypatch.setattr(runner, "run_cell", trained_while_a_twin_finished)
    runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False))
    complete = [t.user_attrs["key"] for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    assert sorted(complete) == sorted(c.key for c in cells)


def test_a_full_disk_stops_the_grid_and_its_cell_runs_again_without_retry(tmp_path, monkeypatch):
    import errno

    from bench.grid import runner
    grid, base, cells, url, study = _grid_and_store(tmp_path)
    tried = []

    def full(cfg, out, *_):
        tried.append(cfg.key())
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "runs" / "x" / "last.pt"))
    monkeypatch.setattr(runner, "run_cell", full)
    with pytest.raises(LandslideError, match="the disk is full .*last.pt.* Free some space and run the same"):
        runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False))
    assert len(tried) == 1  # the second cell is not trained only to fail at its first write
    monkeypatch.setattr(runner, "run_cell", lambda *_: stored(0.5))
    result = runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False))  # no --retry-failed
    metrics, failed = result.metrics, result.failed
    assert len(metrics) == 2 and not failed


def test_workers_are_placed_one_per_gpu():
    from bench.grid.runner import worker_devices
    assert worker_devices("auto", 4, 4) == ["cuda:0", "cuda:1", "cuda:2", "cuda:3"]
    assert worker_devices("cuda", 3, 2) == ["cuda:0", "cuda:1", "cuda:0"]
    assert worker_devices("auto", 2, 0) == ["auto", "auto"]      # no GPU: each worker picks the CPU
    assert worker_devices("cuda:1", 2, 4) == ["cuda:1", "cuda:1"]  # an explicit device is kept


def one_cell_grid() -> Grid:
    return Grid("g", "g", "a", [], [Row("a", "a", {})])


def test_no_more_workers_start_than_cells_to_run(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(runner, "_run_workers", lambda jobs, _display: started.append(jobs))
    runner.run_grid(GridInputs(one_cell_grid(), profile_config("smoke"), (0,), tmp_path, workers=4, progress=False))
    assert [len(jobs) for jobs in started] == [1]


def test_a_foreign_cell_that_never_beat_is_reclaimed_and_run_here(tmp_path, monkeypatch):
    """Claimed by another host that never recorded a heartbeat: Optuna never calls it stale, and the grid
    waited for it for ever."""
    monkeypatch.setattr(store, "GRACE_S", 1)
    monkeypatch.setattr(store, "_UNCLAIMED", {})
    monkeypatch.setattr(runner, "WAIT_POLL_S", 0.2)
    monkeypatch.setattr(runner, "run_cell", lambda *_, **__: stored(0.5))
    url = f"sqlite:///{tmp_path / 'results.db'}"
    cells = expand(one_cell_grid(), profile_config("smoke"), [0])
    study = store.open_study(url, "grid-g")
    store.enqueue_missing(study, cells)
    trial = study.ask()
    trial.set_user_attr("worker", "another-host:4242")  # claimed, and no heartbeat ever
    t0 = time.time()
    result = runner.run_grid(GridInputs(one_cell_grid(), profile_config("smoke"), (0,), tmp_path, url, progress=False))
    assert list(result.metrics.values()) == [stored(0.5)] and not result.failed and time.time() - t0 < 30
    assert study.trials[trial.number].state == optuna.trial.TrialState.FAIL  # the stalled claim, failed


@pytest.mark.slow
def test_ctrl_c_stops_two_workers_cleanly(tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text('[grid]\nname = "g"\nbaseline = "a"\nfactors = ["lr"]\n' + "".join(
        f'[[row]]\nname = "{n}"\nlr = {lr}\nepochs = 200\nbatch_size = 4\n' for n, lr in (("a", 1e-3), ("b", 2e-3))))
    out = tmp_path / "o"
    # folds long enough (200 epochs) that both workers are still in their first fold when the second starts,
    # on a loaded machine too: with 20 one worker once finished its whole cell before the other began
    p = subprocess.Popen([sys.executable, "-m", "bench", "table2", "--seeds", "0", "--grid", str(grid), "--profile",
                          "smoke", "--out", str(out), "--workers", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline and len(list(out.glob("runs/*/fold_0/last.pt"))) < 2:  # both workers train
        time.sleep(0.1)
    assert p.poll() is None, "the grid ended before both workers trained"
    os.killpg(p.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    text, _ = p.communicate(timeout=120)
    assert p.returncode == 130, text
    assert "Traceback" not in text and "leaked semaphore" not in text, text
    stops = [line for line in text.splitlines() if line.startswith("interrupted:")]
    assert len(stops) == 1 and "resume with: python -m bench table2 --seeds 0" in stops[0]
    study = optuna.load_study(study_name="grid-g", storage=f"sqlite:///{out / 'results.db'}")
    assert not study.get_trials(states=(optuna.trial.TrialState.RUNNING,))
    interrupted = [t for t in study.get_trials(states=(optuna.trial.TrialState.FAIL,))]
    assert len(interrupted) == 2 and all("traceback" not in t.user_attrs for t in interrupted)
    assert {json.loads(t.user_attrs["config"])["lr"] for t in interrupted} == {1e-3, 2e-3}


def _second_cell_fails(tmp_path, monkeypatch):
    """A two-cell grid run once, its second cell failing by an error of its own; returns what a rerun needs."""
    grid, base, cells, url, study = _grid_and_store(tmp_path)

    def one_fails(cfg, *_):
        if cfg.key() == cells[1].key:
            raise ValueError("a planted error")
        return stored(0.5)
    monkeypatch.setattr(runner, "run_cell", one_fails)
    runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False))
    return grid, base, cells, url


def test_no_train_reports_a_failed_cell_as_failed_not_as_not_run(tmp_path, monkeypatch, capsys):
    grid, base, cells, url = _second_cell_fails(tmp_path, monkeypatch)
    capsys.readouterr()
    result = runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False, train=False))
    said = capsys.readouterr().out
    assert [f["key"] for f in result.failed] == [cells[1].key] and len(result.metrics) == 1
    assert "1 finished in the store, 1 failed, 0 not run" in said and "a planted error" in said


def test_a_cell_that_failed_twice_is_one_failure(tmp_path, monkeypatch, capsys):
    grid, base, cells, url = _second_cell_fails(tmp_path, monkeypatch)
    again = runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False, retry_failed=True))
    assert [f["key"] for f in again.failed] == [cells[1].key]
    capsys.readouterr()
    runner.run_grid(GridInputs(grid, base, (0,), tmp_path, url, progress=False, train=False))
    assert "1 finished in the store, 1 failed, 0 not run" in capsys.readouterr().out

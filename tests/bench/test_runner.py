"""The grid's worker loop: how many workers start, a stalled foreign cell, a clean stop."""
import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from bench.grid import runner, store
from bench.grid.spec import Grid, Row
from landslide.config import profile_config

STUB = {"cv_f1_mean": 0.5, "cv_f1_std": 0.0, "test_f1": None}


def one_cell_grid() -> Grid:
    return Grid("g", "g", "a", [], [Row("a", "a", {})])


def test_no_more_workers_start_than_cells_to_run(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(runner, "_run_workers", lambda jobs, _display: started.append(jobs))
    runner.run_grid(one_cell_grid(), profile_config("smoke"), [0], tmp_path, workers=4, progress=False)
    assert [len(jobs) for jobs in started] == [1]


def test_a_foreign_cell_that_never_beat_is_reclaimed_and_run_here(tmp_path, monkeypatch):
    """Claimed by another host that never recorded a heartbeat: Optuna never calls it stale, and the grid
    waited for it for ever."""
    monkeypatch.setattr(store, "GRACE_S", 1)
    monkeypatch.setattr(store, "_UNCLAIMED", {})
    monkeypatch.setattr(runner, "WAIT_POLL_S", 0.2)
    monkeypatch.setattr(runner, "run_cell", lambda *_, **__: STUB)
    url = f"sqlite:///{tmp_path / 'results.db'}"
    cells = runner.expand(one_cell_grid(), profile_config("smoke"), [0])
    study = store.open_study(url, "grid-g")
    store.enqueue_missing(study, cells)
    trial = study.ask()
    trial.set_user_attr("worker", "another-host:4242")  # claimed, and no heartbeat ever
    t0 = time.time()
    _, metrics, failed = runner.run_grid(one_cell_grid(), profile_config("smoke"), [0], tmp_path, url,
                                         progress=False)
    assert list(metrics.values()) == [STUB] and not failed and time.time() - t0 < 30
    assert study.trials[trial.number].state == optuna.trial.TrialState.FAIL  # the stalled claim, failed


@pytest.mark.slow
def test_ctrl_c_stops_two_workers_cleanly(tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text('[grid]\nname = "g"\nbaseline = "a"\nfactors = ["lr"]\n' + "".join(
        f'[[row]]\nname = "{n}"\nlr = {lr}\nepochs = 20\nbatch_size = 4\n' for n, lr in (("a", 1e-3), ("b", 2e-3))))
    out = tmp_path / "o"
    p = subprocess.Popen([sys.executable, "-m", "bench", "table2", "--seeds", "0", "--grid", str(grid), "--profile",
                          "smoke", "--out", str(out), "--workers", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline and len(list(out.glob("runs/*/fold_0/last.pt"))) < 2:  # both workers train
        time.sleep(0.1)
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

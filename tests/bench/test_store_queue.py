"""The results store's queue: cells of dead workers reclaimed, a command takes only its own cells."""
import os
import subprocess
import sys

# 3. grids never stick --------------------------------------------------------------------------------

def test_cells_queued_or_running_for_a_dead_worker_are_reclaimed(tmp_path, monkeypatch):
    import optuna

    from bench.grid import store
    from bench.grid.cells import expand
    from bench.grid.spec import Grid, Row
    from landslide.profiles import profile_config
    monkeypatch.setattr(store, "GRACE_S", 1)
    monkeypatch.setattr(store, "HEARTBEAT_S", 1)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    grid = Grid("g", "g", "a", ["epochs"], [Row("a", "a", {}), Row("b", "b", {"epochs": 2})])
    cells = expand(grid, profile_config("smoke"), [0])
    study = store.open_study(url, "grid-g")
    assert store.enqueue_missing(study, cells)["queued"] == 2
    # a worker on another machine took cell a, beat once and died; cell b stays queued by a dead process
    trial, attrs = store.pop_cell(study)
    trial.set_user_attr("worker", "elsewhere:1")
    import time
    time.sleep(2.5)
    study = store.open_study(url, "grid-g")
    counts = store.enqueue_missing(study, cells)
    assert counts == {"done": 0, "queued": 2, "running": 0, "failed": 0}
    states = [t.state for t in study.get_trials(deepcopy=False)]
    waiting = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))
    assert states.count(optuna.trial.TrialState.FAIL) == 1 and len(waiting) == 2


def test_a_cell_whose_worker_died_between_ask_and_claim_is_reclaimed(tmp_path, monkeypatch):
    """Killed between Optuna's ask and its first write, a worker left a RUNNING cell with no heartbeat, which
    Optuna never calls stale: the resumed grid waited for it for ever (CI's 90-minute timeout)."""
    import sqlite3
    import time

    import optuna

    from bench.grid import store
    from bench.grid.cells import expand
    from bench.grid.spec import Grid, Row
    from landslide.profiles import profile_config
    monkeypatch.setattr(store, "GRACE_S", 1)
    monkeypatch.setattr(store, "_UNCLAIMED", {})
    url = f"sqlite:///{tmp_path / 'r.db'}"
    cells = expand(Grid("g", "g", "a", [], [Row("a", "a", {})]), profile_config("smoke"), [0])
    study = store.open_study(url, "grid-g")
    store.enqueue_missing(study, cells)
    trial = study.ask()  # the pop's first step, and nothing after it
    # started an hour ago by the asking machine's clock (another time zone, a skewed clock): first seen
    # unclaimed now, its worker may still claim it. The grace is timed on this process's own clock
    with sqlite3.connect(tmp_path / "r.db") as db:
        db.execute("UPDATE trials SET datetime_start = datetime(datetime_start, '-1 hour') WHERE trial_id = ?",
                   (trial._trial_id,))
    assert store.enqueue_missing(study, cells)["running"] == 1
    time.sleep(1.5)
    assert store.enqueue_missing(study, cells)["queued"] == 1
    assert len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))) == 1


def test_a_zombie_worker_counts_as_dead():
    """An orphan whose new parent never reaps it still answers kill(pid, 0)."""
    import socket

    from bench.grid.store import _alive
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    worker = f"{socket.gethostname()}:{child.pid}"
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, left unreaped: a zombie
    assert open(f"/proc/{child.pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
    assert not _alive(worker)
    child.wait()
    assert not _alive(worker) and _alive(f"{socket.gethostname()}:{os.getpid()}")
    assert _alive("another-machine:1")


def test_a_command_takes_only_its_own_queued_cells(tmp_path):
    from bench.grid import store
    from bench.grid.cells import expand
    from bench.grid.spec import Grid, Row
    from landslide.profiles import profile_config
    grid = Grid("g", "g", "a", ["epochs"], [Row("a", "a", {}), Row("b", "b", {"epochs": 2})])
    cells = expand(grid, profile_config("smoke"), [0])
    study = store.open_study(f"sqlite:///{tmp_path / 'r.db'}", "grid-g")
    store.enqueue_missing(study, cells)
    trial, attrs = store.pop_cell(study, {cells[1].key})
    assert attrs["row"] == "b"
    assert store.pop_cell(study, {cells[1].key}) is None
    waiting = study.get_trials(deepcopy=False, states=(store.TrialState.WAITING,))
    assert [t.user_attrs["row"] for t in waiting] == ["a"]  # still queued for the command it belongs to


def test_two_workers_handed_one_trial_set_it_aside_once_and_neither_dies(tmp_path):
    """On SQLite two workers' ``ask`` can return the same waiting trial. The second to set it aside used to
    raise "Cannot tell a PRUNED trial", ending that worker (a 2-worker grid went on with one); now it
    learns another did, and only the first queues the cell again."""
    import optuna

    from bench.grid import store
    from bench.grid.cells import expand
    from bench.grid.spec import Grid, Row
    from landslide.profiles import profile_config
    grid = Grid("g", "g", "a", ["epochs"], [Row("a", "a", {}), Row("b", "b", {"epochs": 2})])
    cells = expand(grid, profile_config("smoke"), [0])
    url = f"sqlite:///{tmp_path / 'r.db'}"
    study = store.open_study(url, "grid-g")
    store.enqueue_missing(study, cells[:1])
    trial = study.ask()
    twin = optuna.trial.Trial(optuna.load_study(study_name="grid-g", storage=url), trial._trial_id)
    assert store._skip(study, trial) is True
    assert store._skip(twin.study, twin) is False
    # another command's cell (a, the oldest waiting) handed to a worker of b's command while a twin worker
    # sets it aside first: the worker lives, a is still queued exactly once, and b is popped
    store.enqueue_missing(study, cells)
    real_ask, calls = study.ask, []

    def ask_pruned_by_a_twin_once():
        trial = real_ask()
        if not calls:
            other = optuna.load_study(study_name="grid-g", storage=url)  # the twin does what pop_cell does
            other.enqueue_trial({}, user_attrs={k: trial.user_attrs[k] for k in store.CELL_ATTRS})
            other.tell(optuna.trial.Trial(other, trial._trial_id), state=store.TrialState.PRUNED)
        calls.append(trial.user_attrs.get("row"))
        return trial
    study.ask = ask_pruned_by_a_twin_once
    popped = store.pop_cell(study, {cells[1].key})
    assert calls[0] == "a" and popped is not None and popped[1]["row"] == "b"
    waiting = study.get_trials(deepcopy=False, states=(store.TrialState.WAITING,))
    assert [t.user_attrs["row"] for t in waiting] == ["a"]


_ASKER = """
import sys, optuna
from bench.grid import store
study = store.open_study(sys.argv[1], "race")
got = []
while study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,)):
    got.append(study.ask().number)
print(" ".join(map(str, got)))
"""


def test_two_workers_asking_at_once_are_never_handed_the_same_cell(tmp_path):
    """On SQLite optuna's ask read a waiting trial and marked it running in a transaction that took no lock
    until its write, so two workers could both read it as waiting and both train it. The store's
    transactions take the write lock first (BEGIN IMMEDIATE): each queued trial goes to one worker."""
    from bench.grid import store
    url = f"sqlite:///{tmp_path / 'r.db'}"
    study = store.open_study(url, "race")
    for i in range(60):
        study.enqueue_trial({}, user_attrs={"key": str(i)})
    procs = [subprocess.Popen([sys.executable, "-c", _ASKER, url], stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    handed = [int(n) for p in procs for n in p.communicate(timeout=300)[0].split()]
    assert all(p.returncode == 0 for p in procs)
    numbers = [t.number for t in study.get_trials(deepcopy=False) if "key" in t.user_attrs]
    # every queued trial handed out once; a worker that found none left may have made a fresh (keyless) one
    assert sorted(n for n in handed if n in numbers) == sorted(numbers)

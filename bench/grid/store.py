"""The results store: Optuna storage, one study per grid, one trial per cell.

A cell's trial carries ``key`` (hash of its resolved configuration), ``row``, ``seed`` and, once
finished, ``metrics``. Cells are enqueued as WAITING trials; a worker pops one atomically (Optuna's
own ``ask``, under SQLite's write lock: ``_lock_first``), so several workers or machines sharing one
storage URL never run the same trial, and any number of them can join a storage and drain it.
Liveness is Optuna's own: a worker records a heartbeat for its cell every ``HEARTBEAT_S`` seconds,
and a RUNNING cell whose heartbeat is older than ``GRACE_S`` (its worker was killed, on any machine) is
failed by ``fail_stale_trials`` and queued again. A cell whose worker ran on this machine and no longer
exists is reclaimed at once. Tables are views over the COMPLETE trials.

Optuna's public API cannot finish a trial another process started, nor heartbeat a trial started with
``ask``; ``study._storage`` and ``trial._trial_id`` do both, so optuna is bounded in pyproject.toml.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import socket
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import optuna
from optuna.trial import TrialState

from bench.grid.storage import checked, open_problem, shown
from landslide.errors import LandslideError
from landslide.train.results import Metrics

optuna.logging.set_verbosity(optuna.logging.WARNING)
# heartbeats are recorded by this module's own thread around each ask/tell cell, not by Study.optimize
warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used with Study.optimize")
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
WORKER = f"{socket.gethostname()}:{os.getpid()}"
HEARTBEAT_S = 20
GRACE_S = 90


def storage_url(storage: str | None, out: Path) -> str:
    """The storage a command uses: ``--storage`` if given (checked, its driver completed: ``storage.checked``),
    else the SQLite file ``OUT/results.db``. Print it only through ``storage.shown``."""
    return checked(storage) if storage else f"sqlite:///{(out / 'results.db').resolve()}"


def grid_study(grid: str) -> str:
    """The study that holds grid ``grid``'s cells."""
    return f"grid-{grid}"


def open_study(storage: str, name: str, attempts: int = 10) -> optuna.Study:
    """Create or load the study. SQLite waits up to a minute for a lock held by another worker, and two
    workers creating the same study at once is retried (the loser then loads the winner's); a store that
    cannot be opened (damaged, a folder, a server that refuses) is one message at once."""
    sqlite = storage.startswith("sqlite")
    # isolation_level=None: the driver issues no BEGIN of its own, so _lock_first's BEGIN IMMEDIATE is the one
    kwargs = {"connect_args": {"timeout": 60, "isolation_level": None}} if sqlite else {}
    for attempt in range(attempts):
        try:
            rdb = optuna.storages.RDBStorage(storage, engine_kwargs=kwargs, heartbeat_interval=HEARTBEAT_S,
                                             grace_period=GRACE_S)
            if sqlite:
                _lock_first(rdb.engine)
            return optuna.create_study(study_name=name, storage=rdb, load_if_exists=True, direction="maximize")
        except Exception as exc:  # sqlalchemy IntegrityError/OperationalError from the creation race
            problem = open_problem(exc, storage)
            if problem is not None:
                raise problem from None
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 + random.random())
    raise AssertionError("unreachable")


def _lock_first(engine) -> None:
    """Every transaction on this SQLite store takes the write lock before it reads. Optuna's ``ask`` reads a
    waiting trial and then marks it running; SQLite ignores its FOR UPDATE, and Python's sqlite3 driver
    ran the read outside any transaction (it begins one only before a write), so two workers could both
    read the trial as waiting and both train the same cell (a server database locks the row). Reads now
    wait for one another too: tens of milliseconds on a store of hundreds of cells. Attached after
    Optuna's own set-up: its schema check opens a second connection inside a session, which would wait
    for its own process's lock."""
    from sqlalchemy import event
    if not event.contains(engine, "begin", _begin_immediate):
        event.listen(engine, "begin", _begin_immediate)


def _begin_immediate(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alive(worker: str | None) -> bool:
    """False only when ``worker`` ran on this machine and its process is gone or a zombie (an orphan whose
    new parent does not reap it, as in some containers, still answers ``kill(pid, 0)``)."""
    if not worker or worker.rsplit(":", 1)[0] != socket.gethostname():
        return True
    pid = int(worker.rsplit(":", 1)[1])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # the state is the field after the parenthesised command name
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _never_beat(study: optuna.Study, trial) -> bool:
    """A RUNNING cell that has had no heartbeat for GRACE_S: its worker died before its first beat (killed
    between Optuna's ``ask`` and ``pop_cell``'s claim), or it runs on a host that does not beat. Optuna's
    staleness check needs a heartbeat, so without this such a cell stayed RUNNING for ever and every later
    run waited for it. Timed on this process's own clock from when it first saw the cell without one:
    ``datetime_start`` is the asking machine's local time."""
    if _has_heartbeat(study, trial):
        return False
    first = _UNCLAIMED.setdefault(_store_id(study, trial), time.monotonic())
    return time.monotonic() - first > GRACE_S


def _has_heartbeat(study: optuna.Study, trial) -> bool:
    # Optuna records heartbeats in its own table and offers no public reader
    from optuna.storages._rdb import models
    from optuna.storages._rdb.storage import _create_scoped_session
    rdb = getattr(study._storage, "_backend", study._storage)  # under Optuna's cache
    with _create_scoped_session(rdb.scoped_session) as session:
        return models.TrialHeartbeatModel.where_trial_id(trial._trial_id, session) is not None


# (storage, study, trial) -> when this process first saw the trial RUNNING without a heartbeat; trial ids
# restart in every store, so the store is part of the key
_UNCLAIMED: dict[tuple, float] = {}


def _store_id(study: optuna.Study, trial) -> tuple:
    return getattr(study._storage, "url", ""), study._study_id, trial._trial_id


def _forget_claimed(study: optuna.Study, unclaimed: list) -> None:
    """Drop the timers of this study's trials that are no longer RUNNING without a heartbeat."""
    keep = {_store_id(study, t) for t in unclaimed}
    here = getattr(study._storage, "url", ""), study._study_id
    for k in [k for k in _UNCLAIMED if k[:2] == here and k not in keep]:
        del _UNCLAIMED[k]


def trials_by_key(study: optuna.Study) -> dict[str, list]:
    out: dict[str, list] = {}
    for t in study.get_trials(deepcopy=False):
        if "key" in t.user_attrs:
            out.setdefault(t.user_attrs["key"], []).append(t)
    return out


CELL_ATTRS = ("key", "grid", "row", "seed", "config")


def reclaim(study: optuna.Study) -> int:
    """Fail the RUNNING cells whose worker is gone (its last heartbeat, or the claim if it never beat,
    older than GRACE_S on any machine, or a process of this machine that no longer exists) and queue those
    cells again, unless they are finished, queued or running elsewhere. Returns the number of cells queued
    again."""
    optuna.storages.fail_stale_trials(study)
    running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    _forget_claimed(study, [t for t in running if not _has_heartbeat(study, t)])
    for t in running:
        if not _alive(t.user_attrs.get("worker")) or _never_beat(study, t):
            # Optuna's public API cannot finish a trial another process started; its storage can. Another
            # process may have failed it meanwhile (Optuna's staleness check): then there is nothing to do.
            try:
                study._storage.set_trial_user_attr(t._trial_id, "error", "worker died (killed run); queued again")
                study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
            except optuna.exceptions.UpdateFinishedTrialError:
                pass
    queued = 0
    for trials in trials_by_key(study).values():
        if {t.state for t in trials} & {TrialState.COMPLETE, TrialState.WAITING, TrialState.RUNNING}:
            continue
        died = [t for t in trials if t.state == TrialState.FAIL and "traceback" not in t.user_attrs]
        if died:  # stopped, not failed by an error of its own
            study.enqueue_trial({}, user_attrs={k: died[-1].user_attrs[k] for k in CELL_ATTRS})
            queued += 1
    return queued


def enqueue_missing(study: optuna.Study, cells: list, retry_failed: bool = False) -> dict[str, int]:
    """Queue every cell that is neither finished, queued nor running. Returns counts by status."""
    counts = {"done": 0, "queued": 0, "running": 0, "failed": 0}
    reclaim(study)
    existing = trials_by_key(study)
    for cell in cells:
        trials = existing.get(cell.key, [])
        states = {t.state for t in trials}
        if TrialState.COMPLETE in states:
            counts["done"] += 1
        elif TrialState.RUNNING in states:
            counts["running"] += 1
        elif TrialState.WAITING in states:  # queued by a process that may be gone: anyone drains it
            counts["queued"] += 1
        elif any(t.state == TrialState.FAIL and "traceback" in t.user_attrs for t in trials) and not retry_failed:
            counts["failed"] += 1
        else:
            study.enqueue_trial({}, user_attrs=cell.attrs())
            counts["queued"] += 1
    return counts


def pop_cell(study: optuna.Study, keys: set[str] | None = None, first: frozenset[str] = frozenset()):
    """The next queued cell (among ``keys``, when given) as (trial, attrs), or None when none is waiting.
    A command works on its own cells: ``bench occlusion`` does not train the seeds another command queued.
    Cells of ``first`` (partly trained ones) are taken before any other: a rerun goes on where it stopped
    instead of starting other cells from fold 1 (Optuna hands out the oldest queued trial, and a cell
    reclaimed after a kill is queued again behind the cells that never started)."""
    def waiting():
        return [t.user_attrs.get("key") for t in study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
                if keys is None or t.user_attrs.get("key") in keys]
    while queued := waiting():
        trial = study.ask()  # Optuna hands out the oldest waiting trial
        # claimed at once, the heartbeat first: a claimed cell then always has one, so it goes stale on
        # every machine if this worker dies (``_died_popping`` reclaims a cell that was never claimed)
        try:
            study._storage.record_heartbeat(trial._trial_id)
            trial.set_user_attr("worker", WORKER)
        except optuna.exceptions.UpdateFinishedTrialError:  # set_user_attr: reclaimed before the claim
            continue  # (a stall of GRACE_S); the cell was queued again, so the loop takes it afresh
        key = trial.user_attrs.get("key")
        if key is None:  # another worker took the last waiting cell between our look and our ask
            _skip(study, trial)
            continue
        later = key not in first and bool(first.intersection(queued))  # a partly trained cell waits: it goes first
        if (keys is not None and key not in keys) or later:  # another command's cell: back in the queue
            # queued again before it is set aside: the cell is never out of the queue, so its own command
            # cannot see nothing waiting and write its table without it; a copy queued by a second worker
            # handed the same trial is a twin, which the rule below skips
            study.enqueue_trial({}, user_attrs={k: trial.user_attrs[k] for k in CELL_ATTRS})
            _skip(study, trial)
            continue
        # Two machines may have queued the same cell: the lowest trial number runs it, the others skip.
        twins = [t for t in study.get_trials(deepcopy=False) if t.user_attrs.get("key") == key
                 and t.number != trial.number and (t.state == TrialState.COMPLETE or
                                                   (t.state == TrialState.RUNNING and t.number < trial.number))]
        if twins:
            _skip(study, trial)
            continue
        return trial, trial.user_attrs
    return None


def _skip(study: optuna.Study, trial) -> bool:
    """Set a popped trial aside (PRUNED). False when another worker already has: on SQLite two workers'
    ``ask`` can hand out the same waiting trial (the storage takes no row lock), and the second ``tell``
    raised, which ended that worker and left the grid to the others."""
    try:
        study.tell(trial, state=TrialState.PRUNED)
    except (ValueError, optuna.exceptions.UpdateFinishedTrialError):
        return False
    return True


@contextmanager
def heartbeat(study: optuna.Study, trial):
    """Record the cell's heartbeat every HEARTBEAT_S seconds while the block runs."""
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_S):
            try:
                study._storage.record_heartbeat(trial._trial_id)
            except Exception:  # a storage hiccup: the next beat retries; a long outage makes the cell stale
                pass
    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def finished_metrics(study: optuna.Study) -> dict[str, dict]:
    """key -> metrics of every finished cell; a cell whose stored metrics are damaged is refused."""
    out = {}
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if "metrics" in t.user_attrs:
            out[t.user_attrs["key"]] = _stored_metrics(study, t)
    return out


# what every finished cell's metrics hold: the fields of landslide's Metrics that have no default
REQUIRED_METRICS = tuple(f.name for f in dataclasses.fields(Metrics)
                         if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)


def _stored_metrics(study: optuna.Study, trial) -> dict:
    try:
        metrics = json.loads(trial.user_attrs["metrics"])
    except (TypeError, ValueError):
        metrics, problem = None, "are not JSON"
    if isinstance(metrics, dict):
        missing = [k for k in REQUIRED_METRICS if k not in metrics]
        if not missing:
            return metrics
        problem = f"lack {missing}"
    elif metrics is not None:
        problem = "are not a JSON object"
    # Optuna wraps an RDBStorage in a cache that keeps it as ``_backend``
    url = getattr(getattr(study._storage, "_backend", study._storage), "url", "")
    where = shown(url) if url else "the results store"
    raise LandslideError(f"{where}: study {study.study_name}, cell {trial.user_attrs.get('row')} seed "
                         f"{trial.user_attrs.get('seed')} (trial {trial.number}): its stored metrics {problem}; the "
                         f"store was edited or damaged. Restore it, or move it away and run the command again (the "
                         f"trained run folders under --out are reused: only the scoring runs again)")


def failures(study: optuna.Study) -> list[dict]:
    return [dict(t.user_attrs) for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
            if "traceback" in t.user_attrs]

"""Grid x profile x seeds -> cells -> trained runs -> metrics in the results store.

Each cell trains (or reuses) the run folder ``OUT/runs/<training key>``: cells that differ only in
their head (Table 3) share one trained network per fold, and a cell already finished in the store is
never recomputed. ``workers`` local processes pull cells from the store; other machines can join
by pointing ``--storage`` at the same database.
"""
from __future__ import annotations

import errno
import gc
import json
import math
import multiprocessing as mp
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import torch
from optuna.trial import TrialState

from bench.grid.agreement import refuse_disagreeing
from bench.grid.cells import Cell, expand, queue_order, run_dir_for
from bench.grid.inputs import GridInputs, GridResult
from bench.grid.report import cv_text
from bench.grid.storage import shown
from bench.grid.store import (
    enqueue_missing,
    failures,
    finished_metrics,
    grid_study,
    heartbeat,
    open_study,
    pop_cell,
    reclaim,
    storage_url,
)
from bench.grid.terminal import GridProgress
from bench.output import output_stem
from landslide.config import ExperimentConfig
from landslide.errors import LandslideError
from landslide.peak_memory import PeakSampler
from landslide.train.rundir import ResumePoint, RunDir


def run_cell(cfg: ExperimentConfig, out: Path, progress: bool = True, on_epoch=None) -> dict:
    from landslide.train.cv import run_experiment
    run_dir = run_dir_for(out, cfg)
    outcome = run_experiment(cfg, run_dir, progress, on_epoch=on_epoch)
    return outcome.metrics.as_json() | {"wall_s": outcome.wall_s, "run_dir": str(run_dir.resolve())}


def worker_devices(device: str, workers: int, gpus: int) -> list[str]:
    """Worker i's device: with ``auto`` or ``cuda`` on a machine with N GPUs, GPU i mod N (one cell per
    GPU); an explicit device (``cuda:1``, ``cpu``) is kept for every worker."""
    if device in ("auto", "cuda") and gpus > 0:
        return [f"cuda:{i % gpus}" for i in range(workers)]
    return [device] * workers


def exit_with_parent(parent: int) -> None:
    """A worker process ends when the process that started it (pid ``parent``) is gone (killed with SIGKILL,
    which it cannot pass on): its cell is then reclaimed by the next run, instead of an orphan training on
    unseen. The parent's pid comes from the parent: read here, after a parent killed during the child's
    start-up, it would be the new parent's and the orphan would never stop."""
    if os.getppid() != parent:
        os._exit(137)

    def watch():
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(137)
    threading.Thread(target=watch, daemon=True).start()


@dataclass(frozen=True)
class WorkerJob:
    """What one worker needs to drain a grid's queue: the store, the cells it may take, where their runs go,
    and its place (``worker`` numbers its progress events; ``parent``, when not 0, is the pid of the
    process that started this worker process, which ends with it)."""
    storage: str
    study_name: str
    out: Path
    threads: int
    keys: tuple[str, ...]
    device: str = ""
    worker: int = 0
    parent: int = 0
    first: frozenset[str] = frozenset()  # partly trained cells: taken before the others


def work(job: WorkerJob, events=None) -> int:
    """Pull and run the cells of ``job.keys`` until none is waiting, on ``job.device`` when given. Returns
    the number of cells run. ``events`` (a queue, or ``GridProgress`` itself), if given, receives this
    worker's progress (``bench.grid.terminal``) and each cell's line."""
    if job.parent:  # a worker process: it ends with the process that started it
        exit_with_parent(job.parent)
    torch.set_num_threads(job.threads)
    study = open_study(job.storage, job.study_name)
    done = 0
    while True:
        gc.collect()  # the last cell's data and networks go before the next cell loads its own (issue 40)
        popped = pop_cell(study, set(job.keys), job.first)
        if popped is None and reclaim(study):  # a worker elsewhere died: its cell is ours to finish
            continue
        if popped is None:
            return done
        trial, attrs = popped
        t0 = time.time()
        try:
            # the cell's own peak (a worker's lifetime mark would carry the largest cell it ran before)
            with heartbeat(study, trial), PeakSampler() as memory:
                metrics = train_cell(job, attrs, events)
        except Exception as exc:  # a failed cell is reported and kept for --retry-failed, not fatal
            record_failure(study, trial, exc)
            if isinstance(exc, OSError):  # the system's (a read-only or missing place), not the cell's: stop
                raise
            _ended(job, events, f"  FAILED {attrs['row']} seed {attrs['seed']}: {type(exc).__name__}: {exc}")
            continue
        except BaseException as exc:
            record_failure(study, trial, exc)
            raise
        trial.set_user_attr("metrics", json.dumps(metrics, default=float))
        peak = memory.peak_mb
        trial.set_user_attr("peak_rss_mb", None if math.isnan(peak) else round(peak))  # NaN off Linux
        if finished_elsewhere(study, trial):  # a twin queued by another process won the race: one result per cell
            study.tell(trial, state=TrialState.PRUNED)
            _ended(job, events)
            continue
        study.tell(trial, metrics["cv_f1_mean"])
        done += 1
        test = "-" if metrics["test_f1"] is None else f"{metrics['test_f1']:.3f}"
        spread = metrics["cv_f1_std"] if len(metrics.get("cv_f1_folds") or ()) != 1 else float("nan")
        memory_said = "peak not measured" if math.isnan(peak) else f"peak {peak / 1024:.2f} GiB"
        _ended(job, events, f"  {attrs['grid']}/{attrs['row']} seed {attrs['seed']}: CV F1 "
                            f"{cv_text(metrics['cv_f1_mean'], spread)}, test F1 {test} "
                            f"({time.time() - t0:.0f}s, {memory_said})")


def train_cell(job: WorkerJob, attrs: dict, events) -> dict:
    """Train (or finish) the cell a trial holds and return its metrics; its progress goes to ``events``."""
    cfg = ExperimentConfig.from_dict(json.loads(attrs["config"]))
    if job.device:  # the device is not part of a cell's identity: any worker may train any cell
        cfg = cfg.replace(device=job.device)
    if events is None:
        return run_cell(cfg, job.out, False)
    events.put(("cell", job.worker, attrs["row"], attrs["seed"], cfg.folds_trained or cfg.folds, cfg.epochs))
    return run_cell(cfg, job.out, False,
                    on_epoch=lambda fold, done, f1: events.put(("epoch", job.worker, fold, done, f1)))


def record_failure(study, trial, exc: BaseException) -> None:
    """Keep why a cell did not finish. An interruption or the system's error (a full disk) is not the cell's
    fault: kept without a traceback, so the next run queues the cell again (a full disk then stops the
    grid: the cells after it would each be trained only to fail at their first write). Any other error is
    the cell's own, kept with its traceback for --retry-failed."""
    full = isinstance(exc, OSError) and exc.errno == errno.ENOSPC
    if isinstance(exc, KeyboardInterrupt):
        trial.set_user_attr("error", "interrupted; queued again on the next run")
    elif full:
        trial.set_user_attr("error", f"disk full ({exc.filename}); queued again on the next run")
    elif isinstance(exc, OSError):
        trial.set_user_attr("error", f"{exc.strerror or exc} ({exc.filename}); queued again on the next run")
    else:
        trial.set_user_attr("error", f"{type(exc).__name__}: {exc}")
        trial.set_user_attr("traceback", traceback.format_exc()[-4000:])
    study.tell(trial, state=TrialState.FAIL)
    if full:
        a = trial.user_attrs
        raise DiskFull(f"the disk is full ({exc.filename}) while {a['grid']}/{a['row']} seed {a['seed']} ran; "
                       f"finished cells are kept in the store. Free some space and run the same command "
                       f"again") from None


def _ended(job: WorkerJob, events, line: str = "") -> None:
    if events is not None:
        events.put(("done", job.worker, line))
    elif line:
        print(line, flush=True)


class DiskFull(LandslideError):
    """The disk filled while a cell ran: the grid stops (every later cell would fail the same way)."""


DISK_FULL_EXIT = 28  # a worker process's exit status for DiskFull (ENOSPC's number)


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _stop(_signum, _frame):
    raise KeyboardInterrupt


def _child_work(job: WorkerJob, events) -> None:
    """``work`` in a worker process: a full disk is one line and an exit status the parent reads. Ctrl-C
    reaches the whole process group: a worker leaves it to the parent, which stops each worker with
    SIGTERM; the worker then records its cell as interrupted and ends without a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the parent while it started us
    try:
        work(job, events)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except DiskFull as exc:
        print(f"error: {exc}", flush=True)
        raise SystemExit(DISK_FULL_EXIT) from None


def queued_keys(study, cells: list[Cell]) -> set[str]:
    ours = {c.key for c in cells}
    return {k for t in study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
            if (k := t.user_attrs.get("key")) in ours}


def partly_trained(cells: list[Cell], resuming: dict[str, ResumePoint]) -> str:
    """The header's words for the queued cells that resume where a stopped run left them ('' for none)."""
    if not resuming:
        return ""
    where = [f"{c.row} seed {c.seed} {resuming[c.key].describe()}" for c in cells if c.key in resuming]
    shown = "; ".join(where[:3]) + (f"; {len(where) - 3} more" if len(where) > 3 else "")
    return f"{len(where)} partly trained ({shown}), "


def finished_elsewhere(study, trial) -> bool:
    key = trial.user_attrs.get("key")
    return any(t.user_attrs.get("key") == key and t.number != trial.number
               for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def wait_for_others(study, keys: list[str], run_queued) -> None:
    """Wait for this grid's cells that another process (or machine) is running: without them the table
    this command writes would lack their rows. A cell whose process dies meanwhile is queued again by
    ``reclaim`` and run here (``run_queued``)."""
    ours, told = set(keys), False
    while True:
        running = {t.user_attrs["key"] for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                   if t.user_attrs.get("key") in ours}
        if not running:
            return
        if not told:
            print(f"waiting for {len(running)} cell(s) another process is running (Ctrl-C leaves them to it)",
                  flush=True)
            told = True
        time.sleep(WAIT_POLL_S)
        # a cell queued again, here or by another process that has not yet taken it, is run here
        if reclaim(study) or any(t.user_attrs.get("key") in ours
                                 for t in study.get_trials(deepcopy=False, states=(TrialState.WAITING,))):
            run_queued()


WAIT_POLL_S = 2


def _run_workers(jobs: list[WorkerJob], display: GridProgress | None) -> None:
    """Drain this grid's queued cells here (one job) or in one process per job; ``display``, if given,
    shows their progress (worker processes send it their events through a queue)."""
    if len(jobs) <= 1:
        work(jobs[0], display)
        return
    ctx = mp.get_context("spawn")
    events = ctx.Queue() if display is not None else None
    procs = [ctx.Process(target=_child_work, args=(job, events)) for job in jobs]
    listener = threading.Thread(target=display.listen, args=(events,), daemon=True) if display else None
    if listener:
        listener.start()
    try:
        # a child inherits the signal mask: blocked here, a stop waits until each worker has its handlers
        # (a Ctrl-C during a worker's start-up printed its traceback over the bars)
        old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for p in procs:
                p.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        for p in procs:
            p.join()
    finally:  # the parent stopped (Ctrl-C, SIGTERM): no orphan keeps training; its cell is reclaimed
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=30)
        if listener and events is not None:
            events.put(None)
            listener.join(timeout=5)
    if any(p.exitcode == DISK_FULL_EXIT for p in procs):
        raise DiskFull(f"the disk under {jobs[0].out} is full (the worker's message is above); finished cells "
                       f"are kept in the store. Free some space and run the same command again")


def run_grid(inputs: GridInputs) -> GridResult:
    """Run every missing cell of the grid; return its cells, key -> metrics of the finished ones and the
    failures of cells that did not finish."""
    grid, out, progress = inputs.grid, inputs.out, inputs.progress
    out.mkdir(parents=True, exist_ok=True)
    storage, base = storage_url(inputs.storage, out), inputs.base
    cells = expand(grid, base, list(inputs.seeds))  # one torch thread per cell unless set (cells.expand)
    study = open_study(storage, grid_study(grid.name))
    if not inputs.train:
        return finished_only(study, cells, out, output_stem(grid.name, base), storage)
    counts = enqueue_missing(study, queue_order(cells), inputs.retry_failed)
    waiting = queued_keys(study, cells)  # one look at the store, not one per cell
    resuming = {c.key: rp for c in cells if c.key in waiting
                and (rp := RunDir(run_dir_for(out, c.cfg)).resume_point(c.cfg)) is not None}
    # the output's name, with its profile (table2_preview): the screen says which table these cells make
    print(f"{output_stem(grid.name, base)}: {len(cells)} cells: {counts['done']} done, "
          f"{partly_trained(cells, resuming)}"
          f"{counts['queued'] - len(resuming)} to run, {counts['running']} running elsewhere, {counts['failed']} "
          f"failed -> store {shown(storage)}", flush=True)
    keys = [c.key for c in cells]
    threads = cells[0].cfg.threads if cells else 1

    def run_queued() -> None:
        waiting_now = queued_keys(study, cells)
        queued = [c for c in cells if c.key in waiting_now]
        # no more workers than cells to run: each would be a torch process that starts only to stop
        devices = worker_devices(base.device, max(1, min(inputs.workers, len(queued))), torch.cuda.device_count())
        plan = {(c.row, c.seed): (c.cfg.epochs * (c.cfg.folds_trained or c.cfg.folds),
                                  resuming[c.key].epochs_done if c.key in resuming else 0) for c in queued}
        display = GridProgress(grid.name, plan, len(devices)) if progress else None
        jobs = [WorkerJob(storage, study.study_name, out, threads, tuple(keys), dev, i,
                          os.getpid() if len(devices) > 1 else 0, frozenset(resuming)) for i, dev in enumerate(devices)]
        try:
            _run_workers(jobs, display)
        except KeyboardInterrupt:  # a worker that could not record its cell leaves it RUNNING: failed here
            reclaim(study)
            raise
        finally:
            if display:
                display.close()
    if counts["queued"]:  # ours, queued now or by a process that died before running them
        run_queued()
    wait_for_others(study, keys, run_queued)
    metrics = finished_metrics(study)
    refuse_disagreeing(cells, metrics, out)
    failed = _failed(study, cells, metrics)
    for f in failed:
        print(f"failed cell {f['row']} seed {f['seed']}: {f['error']} (rerun with --retry-failed)")
    return GridResult(cells, metrics, failed)


def finished_only(study, cells: list, out: Path, stem: str, storage: str) -> GridResult:
    """--no-train: the grid's finished cells as the store has them; nothing is queued, nothing trains, and
    a cell not finished is not queued here (the next run without --no-train trains it); stored failures are
    reported, and make the command exit non-zero after its outputs are written, as a run's do."""
    metrics = finished_metrics(study)
    refuse_disagreeing(cells, metrics, out)
    failed = _failed(study, cells, metrics)
    done = sum(c.key in metrics for c in cells)
    if not done:  # a mistyped profile or seed would otherwise overwrite a committed table with an empty one
        raise LandslideError(f"--no-train: none of {stem}'s {len(cells)} cells is finished in {shown(storage)}; "
                             f"check --profile, --seeds and --out, or run without --no-train")
    print(f"{stem}: {len(cells)} cells: {done} finished in the store, {len(failed)} failed, "
          f"{len(cells) - done - len(failed)} not run (--no-train: nothing trains) -> store {shown(storage)}",
          flush=True)
    for f in failed:
        print(f"failed cell {f['row']} seed {f['seed']}: {f['error']} (rerun without --no-train, with --retry-failed)")
    return GridResult(cells, metrics, failed)


def _failed(study, cells: list, metrics: dict) -> list[dict]:
    """The stored failure of each of ``cells`` that has not finished since (a retried cell may have): the
    latest one per cell, as a cell retried with --retry-failed that failed again has two."""
    keys = {c.key for c in cells}
    latest = {f["key"]: f for f in failures(study) if f.get("key") in keys and f["key"] not in metrics}
    return list(latest.values())

"""Grid x profile x seeds -> cells -> trained runs -> metrics in the results store.

Each cell trains (or reuses) the run folder ``OUT/runs/<training key>``: cells that differ only in
their head (Table 3) share one trained network per fold, and a cell already finished in the store is
never recomputed. ``workers`` local processes pull cells from the store; other machines can join
by pointing ``--storage`` at the same database.
"""
from __future__ import annotations

import errno
import json
import multiprocessing as mp
import os
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import torch
from optuna.trial import TrialState

from bench.grid.agreement import refuse_disagreeing
from bench.grid.inputs import GridInputs, GridResult
from bench.grid.spec import Grid
from bench.grid.storage import shown
from bench.grid.store import (
    enqueue_missing,
    failures,
    finished_metrics,
    heartbeat,
    open_study,
    pop_cell,
    reclaim,
    storage_url,
)
from bench.grid.terminal import GridProgress
from landslide.config import ExperimentConfig
from landslide.data.synthetic import SynthConfig
from landslide.errors import LandslideError


@dataclass
class Cell:
    grid: str
    row: str
    seed: int
    cfg: ExperimentConfig

    @property
    def key(self) -> str:
        return self.cfg.key()

    def attrs(self) -> dict:
        return {"key": self.key, "grid": self.grid, "row": self.row, "seed": self.seed,
                "config": json.dumps(self.cfg.resolved(), sort_keys=True)}


def expand(grid: Grid, base: ExperimentConfig, seeds: list[int]) -> list[Cell]:
    # seed-major: a grid stopped early has whole tables for its first seeds, not every row half-done
    return [Cell(grid.name, row.name, seed, base.replace(**row.fields, seed=seed))
            for seed in seeds for row in grid.rows]


# The synthetic default's landslide share, the real data's too (1,255 of 7,147): how much SMOTE grows a fold.
LANDSLIDE_SHARE = SynthConfig().landslide_share


def relative_cost(cfg: ExperimentConfig) -> float:
    """A cell's training work up to a constant: pixels per image x images per epoch x epochs. It ignores
    the architecture, so it orders the cells of one grid that share a network (Table 2), not backbones."""
    growth = 1.0
    if cfg.smote:
        growth = ((1 - LANDSLIDE_SHARE) / (1 - cfg.smote_share) if cfg.smote_share
                  else 1 + LANDSLIDE_SHARE * cfg.smote_per_anchor)
    return cfg.image_size ** 2 * cfg.epochs * growth


def queue_order(cells: list[Cell]) -> list[Cell]:
    """Seed-major, and within a seed the longest cells first (the longest-processing-time rule): in the
    grid's order Table 2's SMOTE cell (1.9x the images, 23 minutes) started last and ran alone for
    about 20 of a seed's 71 minutes on 2 workers."""
    seeds = list(dict.fromkeys(c.seed for c in cells))
    return sorted(cells, key=lambda c: (seeds.index(c.seed), -relative_cost(c.cfg)))  # stable: file order on ties


def run_dir_for(out: Path, cfg: ExperimentConfig) -> Path:
    return out / "runs" / cfg.training_key()


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


def work(storage: str, study_name: str, out: str, threads: int, progress: bool = True, device: str = "", *,
         parent: int = 0, keys: list[str] | None = None, events=None, worker: int = 0) -> int:
    """Pull and run cells (those of ``keys``, when given) until none is waiting, on ``device`` when given.
    Returns the number of cells run. ``events`` (a queue, or ``GridProgress`` itself), if given, receives
    this worker's progress (``bench.grid.terminal``) and each cell's line; the training's own bars are
    then off."""

    def ended(line: str = "") -> None:
        if events is not None:
            events.put(("done", worker, line))
        elif line:
            print(line, flush=True)
    if parent:  # a worker process: it ends with the process that started it
        exit_with_parent(parent)
    torch.set_num_threads(threads)
    study = open_study(storage, study_name)
    done = 0
    while True:
        popped = pop_cell(study, set(keys) if keys is not None else None)
        if popped is None and reclaim(study):  # a worker elsewhere died: its cell is ours to finish
            continue
        if popped is None:
            break
        trial, attrs = popped
        cfg = ExperimentConfig.from_dict(json.loads(attrs["config"]))
        if device:  # the device is not part of a cell's identity: any worker may train any cell
            cfg = cfg.replace(device=device)
        t0 = time.time()
        try:
            with heartbeat(study, trial):
                if events is None:
                    metrics = run_cell(cfg, Path(out), progress)
                else:
                    events.put(("cell", worker, attrs["row"], attrs["seed"], cfg.folds_trained or cfg.folds,
                                cfg.epochs))
                    metrics = run_cell(cfg, Path(out), False,
                                       on_epoch=lambda fold, epoch: events.put(("epoch", worker, fold, epoch)))
        except KeyboardInterrupt:
            trial.set_user_attr("error", "interrupted; queued again on the next run")
            study.tell(trial, state=TrialState.FAIL)
            raise
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            # not the cell's fault: kept without a traceback, so the next run queues it again, and the
            # cells after it are not each trained only to fail at their first write
            trial.set_user_attr("error", f"disk full ({exc.filename}); queued again on the next run")
            study.tell(trial, state=TrialState.FAIL)
            raise DiskFull(f"the disk is full ({exc.filename or out}) while {attrs['grid']}/{attrs['row']} seed "
                           f"{attrs['seed']} ran; finished cells are kept in the store. Free some space and run "
                           f"the same command again") from None
        except Exception as exc:  # a failed cell is reported and kept for --retry-failed, not fatal
            trial.set_user_attr("error", f"{type(exc).__name__}: {exc}")
            trial.set_user_attr("traceback", traceback.format_exc()[-4000:])
            study.tell(trial, state=TrialState.FAIL)
            ended(f"  FAILED {attrs['row']} seed {attrs['seed']}: {type(exc).__name__}: {exc}")
            continue
        trial.set_user_attr("metrics", json.dumps(metrics, default=float))
        if finished_elsewhere(study, trial):  # a twin queued by another process won the race: one result per cell
            study.tell(trial, state=TrialState.PRUNED)
            ended()
            continue
        study.tell(trial, metrics["cv_f1_mean"])
        done += 1
        test = "-" if metrics["test_f1"] is None else f"{metrics['test_f1']:.3f}"
        ended(f"  {attrs['grid']}/{attrs['row']} seed {attrs['seed']}: CV F1 {metrics['cv_f1_mean']:.3f} "
              f"+- {metrics['cv_f1_std']:.3f}, test F1 {test} ({time.time() - t0:.0f}s)")
    return done


class DiskFull(LandslideError):
    """The disk filled while a cell ran: the grid stops (every later cell would fail the same way)."""


DISK_FULL_EXIT = 28  # a worker process's exit status for DiskFull (ENOSPC's number)


def _child_work(storage: str, study_name: str, out: str, threads: int, progress: bool, device: str, parent: int,
                keys: list[str], events, worker: int) -> None:
    """``work`` in a worker process: a full disk is one line and an exit status the parent reads."""
    try:
        work(storage, study_name, out, threads, progress, device, parent=parent, keys=keys, events=events,
             worker=worker)
    except DiskFull as exc:
        print(f"error: {exc}", flush=True)
        raise SystemExit(DISK_FULL_EXIT) from None


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


def _run_workers(storage: str, study_name: str, out: Path, threads: int, display: GridProgress | None,
                 devices: list[str], keys: list[str]) -> None:
    """Drain this grid's queued cells here (one worker) or in one process per device; ``display``, if
    given, shows their progress (worker processes send it their events through a queue)."""
    if len(devices) <= 1:
        work(storage, study_name, str(out), threads, False, devices[0], keys=keys, events=display)
        return
    ctx = mp.get_context("spawn")
    events = ctx.Queue() if display is not None else None
    procs = [ctx.Process(target=_child_work, args=(storage, study_name, str(out), threads, False, dev, os.getpid(),
                                                   keys, events, i)) for i, dev in enumerate(devices)]
    listener = threading.Thread(target=display.listen, args=(events,), daemon=True) if display else None
    if listener:
        listener.start()
    try:
        for p in procs:
            p.start()
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
        raise DiskFull(f"the disk under {out} is full (the worker's message is above); finished cells are kept "
                       f"in the store. Free some space and run the same command again")


def run_grid(inputs: GridInputs) -> GridResult:
    """Run every missing cell of the grid; return its cells, key -> metrics of the finished ones and the
    failures of cells that did not finish."""
    grid, out, progress = inputs.grid, inputs.out, inputs.progress
    out.mkdir(parents=True, exist_ok=True)
    storage = storage_url(inputs.storage, out)
    # torch's results depend on its thread count, so it is part of every cell's identity; one thread per
    # cell keeps the keys the same whatever --workers says (more cores: more workers)
    base = inputs.base.replace(threads=inputs.base.threads or 1)
    cells = expand(grid, base, list(inputs.seeds))
    study = open_study(storage, f"grid-{grid.name}")
    counts = enqueue_missing(study, queue_order(cells), inputs.retry_failed)
    print(f"{grid.name}: {len(cells)} cells ({counts['done']} done, {counts['queued']} to run, "
          f"{counts['running']} running elsewhere, {counts['failed']} failed) -> store {shown(storage)}", flush=True)
    keys = [c.key for c in cells]
    devices = worker_devices(base.device, inputs.workers, torch.cuda.device_count())

    def run_queued() -> None:
        ours = set(keys)
        queued = sum(t.user_attrs.get("key") in ours for t in study.get_trials(deepcopy=False,
                                                                               states=(TrialState.WAITING,)))
        display = GridProgress(grid.name, queued, len(devices)) if progress else None
        try:
            _run_workers(storage, study.study_name, out, base.threads, display, devices, keys)
        finally:
            if display:
                display.close()
    if counts["queued"]:  # ours, queued now or by a process that died before running them
        run_queued()
    wait_for_others(study, keys, run_queued)
    metrics = finished_metrics(study)
    refuse_disagreeing(cells, metrics, out)
    failed = [f for f in failures(study) if f.get("key") in {c.key for c in cells} and f["key"] not in metrics]
    for f in failed:
        print(f"failed cell {f['row']} seed {f['seed']}: {f['error']} (rerun with --retry-failed)")
    return GridResult(cells, metrics, failed)

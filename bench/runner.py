"""Grid x profile x seeds -> cells -> trained runs -> metrics in the results store.

Each cell trains (or reuses) the run folder ``OUT/runs/<training key>``: cells that differ only in
their head (Table 3) share one trained network per fold, and a cell already finished in the store is
never recomputed. ``workers`` local processes pull cells from the store; other machines can join
by pointing ``--storage`` at the same database.
"""
from __future__ import annotations

import fcntl
import json
import multiprocessing as mp
import os
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from optuna.trial import TrialState

from bench.grid import Grid
from bench.store import enqueue_missing, failures, finished_metrics, open_study, pop_cell
from landslide.config import ExperimentConfig


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
    return [Cell(grid.name, row.name, seed, base.replace(**row.fields, seed=seed))
            for row in grid.rows for seed in seeds]


@contextmanager
def locked(path: Path):
    """An exclusive lock on ``path`` (two cells sharing one trained network wait for each other)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_dir_for(out: Path, cfg: ExperimentConfig) -> Path:
    return out / "runs" / cfg.training_key()


def run_cell(cfg: ExperimentConfig, out: Path, progress: bool = True) -> dict:
    from landslide.train.cv import claim_run_dir, run_logging, score, train_folds
    run_dir = run_dir_for(out, cfg)
    with locked(run_dir / ".lock"), run_logging(run_dir):
        claim_run_dir(cfg, run_dir)
        t0 = time.time()
        results, context = train_folds(cfg, run_dir, progress)
        wall = time.time() - t0
    metrics, _, _ = score(results, context, cfg.head, cfg.svm_c, cfg.seed)
    metrics.update(data=context["source"], run_dir=str(run_dir), wall_s=wall)
    return metrics


def work(storage: str, study_name: str, out: str, threads: int, progress: bool = True) -> int:
    """Pull and run cells until none is waiting. Returns the number of cells run."""
    torch.set_num_threads(threads)
    study = open_study(storage, study_name)
    done = 0
    while (popped := pop_cell(study)) is not None:
        trial, attrs = popped
        cfg = ExperimentConfig(**json.loads(attrs["config"]))
        t0 = time.time()
        try:
            metrics = run_cell(cfg, Path(out), progress)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # a failed cell is reported and kept for --retry-failed, not fatal
            trial.set_user_attr("error", f"{type(exc).__name__}: {exc}")
            trial.set_user_attr("traceback", traceback.format_exc()[-4000:])
            study.tell(trial, state=TrialState.FAIL)
            print(f"  FAILED {attrs['row']} seed {attrs['seed']}: {type(exc).__name__}: {exc}", flush=True)
            continue
        trial.set_user_attr("metrics", json.dumps(metrics, default=float))
        study.tell(trial, metrics["cv_f1_mean"])
        done += 1
        test = "-" if metrics["test_f1"] is None else f"{metrics['test_f1']:.3f}"
        print(f"  {attrs['grid']}/{attrs['row']} seed {attrs['seed']}: CV F1 {metrics['cv_f1_mean']:.3f} "
              f"+- {metrics['cv_f1_std']:.3f}, test F1 {test} ({time.time() - t0:.0f}s)", flush=True)
    return done


def run_grid(grid: Grid, base: ExperimentConfig, seeds: list[int], out: Path, storage: str | None = None,
             workers: int = 1, retry_failed: bool = False, progress: bool = True) -> tuple[list[Cell], dict]:
    """Run every missing cell of the grid; return the cells and key -> metrics of the finished ones."""
    out.mkdir(parents=True, exist_ok=True)
    storage = storage or f"sqlite:///{(out / 'results.db').resolve()}"
    cells = expand(grid, base, seeds)
    study = open_study(storage, f"grid-{grid.name}")
    counts = enqueue_missing(study, cells, retry_failed)
    print(f"{grid.name}: {len(cells)} cells ({counts['done']} done, {counts['queued']} to run, "
          f"{counts['running']} running elsewhere, {counts['failed']} failed) -> store {storage}", flush=True)
    if counts["queued"]:
        threads = max(1, (os.cpu_count() or 1) // workers)
        if workers <= 1:
            work(storage, study.study_name, str(out), threads, progress)
        else:
            ctx = mp.get_context("spawn")
            procs = [ctx.Process(target=work, args=(storage, study.study_name, str(out), threads, False))
                     for _ in range(workers)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
    for f in failures(study):
        if f.get("key") in {c.key for c in cells}:
            print(f"failed cell {f['row']} seed {f['seed']}: {f['error']} (rerun with --retry-failed)")
    return cells, finished_metrics(study)

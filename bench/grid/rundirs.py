"""The run folder of a cell the results store holds as finished, for the commands that read its networks
or cached scores (thresholds, tricks, umap, occlusion).

The store keeps a cell's metrics, not its networks: a run folder deleted (or a fold's ``model.pt``
removed) after the cell finished is not noticed by the grid, which counts the cell as done. Reading
such a folder here trains it again, once, in place: the same configuration gives the same numbers, so
the stored metrics stay true, and no command sends the user to another that would not help."""
from __future__ import annotations

from pathlib import Path

from bench.grid.cells import run_dir_for
from bench.grid.runner import run_cell
from landslide.config import ExperimentConfig
from landslide.train.rundir import RunDir


def finished_run_dir(out: Path, cfg: ExperimentConfig, progress: bool = True) -> Path:
    path = run_dir_for(out, cfg)
    run = RunDir(path)
    if run.config_path.is_file() and not run.unfinished_folds(cfg):
        return path
    what = "is missing" if not run.config_path.is_file() else f"lacks fold(s) {run.unfinished_folds(cfg)}"
    print(f"{path} {what}, though the results store holds its cell as finished: training it again (the same "
          f"configuration gives the same numbers)", flush=True)
    run_cell(cfg, out, progress)
    return path

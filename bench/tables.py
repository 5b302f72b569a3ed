"""Table 2, Table 3 (and any grid of the same shape): run the grid, then write the table views."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.grid import Grid, load_grid
from bench.report import build_table, header, write_table
from bench.runner import run_grid
from landslide.config import ExperimentConfig
from landslide.train.run import config_from_args


@dataclass
class GridRun:
    grid: Grid
    base: ExperimentConfig
    seeds: list[int]
    out: Path
    cells: list
    metrics: dict

    @property
    def data(self) -> str:
        return next((m["data"] for m in self.metrics.values()), self.base.data or "synthetic")

    def header(self) -> list[str]:
        return header(self.grid, self.base, self.seeds, self.data)


def run_from_args(grid_name: str, args) -> GridRun:
    """Expand ``grid_name`` with the command line's profile and seeds and run its missing cells."""
    from bench.cli import parse_seeds
    grid = load_grid(grid_name)
    base = config_from_args(args)
    seeds = parse_seeds(args)
    out = Path(args.out)
    cells, metrics = run_grid(grid, base, seeds, out, args.storage, args.workers, args.retry_failed,
                              progress=not args.no_progress)
    return GridRun(grid, base, seeds, out, cells, metrics)


def make_table(grid_name: str, args):
    run = run_from_args(grid_name, args)
    df = build_table(run.grid, run.cells, run.metrics)
    paths = write_table(df, run.header(), run.out / "tables", run.grid.name)
    print((run.out / "tables" / f"{run.grid.name}.md").read_text())
    print("wrote " + ", ".join(map(str, paths)))
    return df

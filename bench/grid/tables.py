"""Table 2, Table 3 (and any grid of the same shape): run the grid, then write the table views."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.args import parse_seeds
from bench.grid.cells import expand
from bench.grid.report import build_table, display_frame, header
from bench.grid.runner import run_grid
from bench.grid.spec import Grid, changes_packaged, load_grid
from bench.grid.store import finished_metrics, grid_study, open_study, storage_url
from bench.grid.terminal import compact_table
from bench.output import output_stem, write_table
from landslide.config import ExperimentConfig, parse_sets
from landslide.errors import LandslideError
from landslide.options import config_from_args


@dataclass
class GridRun:
    grid: Grid
    base: ExperimentConfig
    seeds: list[int]
    out: Path
    cells: list
    metrics: dict
    failed: list
    # measured once the cells are in: the baseline's regime, and (Table 2) the model without a network
    measured: list[str] = field(default_factory=list)
    custom: bool = False  # a recipe the command was asked to change (bench backbones --one-lr)

    def raise_if_failed(self) -> None:
        """After the outputs are written: a failed cell makes the command exit non-zero."""
        if self.failed:
            raise LandslideError(f"{len(self.failed)} cell(s) of {self.grid.name} failed (listed above); the "
                                 f"outputs show them as not run. Fix the cause and rerun with --retry-failed")

    @property
    def data(self) -> str:
        return next((m["data"] for m in self.metrics.values()), self.base.data or "synthetic")

    @property
    def stem(self) -> str:
        return output_stem(self.grid.name, self.base, custom=self.custom or changes_packaged(self.grid))

    def header(self) -> list[str]:
        """Title, data and profile, the measured lines (once known), then the code version and the legend."""
        lines = header(self.grid, self.base, self.seeds, self.data)
        return lines[:2] + self.measured + lines[2:]

    def measure(self, df, tabular: bool = False) -> None:
        """The baseline's regime from the table ``df``; with ``tabular``, the model without a network too; and
        any row's collapsed folds."""
        from bench.grid.collapse import collapse_lines
        from bench.grid.regime import baseline_regime
        found = baseline_regime(self, df)
        self.measured = [found.line()] if found else []
        done = sorted({c.seed for c in self.cells if c.key in self.metrics})
        if tabular and done:
            from bench.grid.reference import tabular_line
            self.measured.append(tabular_line(self.base, done))
        self.measured += collapse_lines(self.cells, self.metrics)


def run_from_args(grid_name: str | Grid, args, custom: bool = False) -> GridRun:
    """Expand a grid (by name, or as loaded) with the command line's profile and seeds and run its
    missing cells. ``custom``: the outputs take the custom name whatever the grid."""
    grid = grid_name if isinstance(grid_name, Grid) else load_grid(grid_name)
    sets = parse_sets(args.set)
    refuse_sets_on_grid_factors(grid, sets)
    base = config_from_args(args, sets)
    seeds = parse_seeds(args)
    out = Path(args.out)
    cells, metrics, failed = run_grid(grid, base, seeds, out, args.storage, args.workers, args.retry_failed,
                                      progress=not args.no_progress)
    return GridRun(grid, base, seeds, out, cells, metrics, failed, custom=custom)


def refuse_sets_on_grid_factors(grid: Grid, sets: dict) -> None:
    """A grid row sets its factors after --set (the precedence: ``landslide.config``), so --set on a field
    the grid varies is refused rather than silently ignored."""
    varied = {name for row in grid.rows for name in row.fields}
    clash = sorted(varied & set(sets))
    if clash:
        raise LandslideError(f"--set {', '.join(clash)}: grid {grid.name} sets {'it' if len(clash) == 1 else 'them'} "
                             f"row by row, so the override would be ignored. Edit a copy of the grid file and "
                             f"pass it with --grid PATH instead")


def print_compact(run: GridRun, df) -> None:
    """The terminal's table: the title, the data and profile, the compact columns (the files keep all)."""
    print("\n".join(run.header()[:2]) + "\n\n" + compact_table(df, run.grid.baseline))
    for line in run.measured:  # a diverged fold must not pass unseen: the files' headers hold it too
        if line.startswith("collapsed:"):
            print(line)


def make_table(grid_name: str, args):
    run = run_from_args(grid_name, args)
    df = build_table(run.grid, run.cells, run.metrics)
    run.measure(df, tabular=run.grid.paper_table == 2)
    # rows that differ only in their head (Table 3) share one network: its history and best-on-val are
    # the network's, not the head's, so they are left out there
    one_network = len({c.cfg.training_key() for c in run.cells}) == len(run.seeds)
    if one_network:
        df = df.drop(columns=[c for c in ("best_val_f1", "optimism") if c in df])
    paths = write_table(df, run.header(), run.out / "tables", run.stem, display_frame(df))
    print_compact(run, df)
    from bench.figures.curves import plot_learning_curves
    paths += [] if one_network else plot_learning_curves(run)
    print("wrote " + ", ".join(map(str, paths)))
    run.raise_if_failed()
    return df


def stored_measured_lines(grid: Grid, base: ExperimentConfig, seeds: list[int], out: Path, storage: str | None
                          ) -> list[str]:
    """The regime line of ``grid``'s baseline and any collapsed folds of its rows, from the cells already in
    the store (nothing is trained): for tables drawn from another grid's runs (thresholds, tricks), so
    they say which regime they read and which of its networks diverged."""
    cells = expand(grid, base, seeds)
    metrics = finished_metrics(open_study(storage_url(storage, out), grid_study(grid.name)))
    run = GridRun(grid, base, seeds, out, cells, metrics, [])
    run.measure(build_table(grid, cells, metrics))
    return run.measured

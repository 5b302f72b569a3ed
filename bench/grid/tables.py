"""Table 2, Table 3 (and any grid of the same shape): run the grid, then write the table views."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.grid.cells import expand
from bench.grid.inputs import GridInputs, grid_inputs
from bench.grid.report import build_table, header
from bench.grid.runner import run_grid
from bench.grid.spec import Grid, changes_packaged, load_grid
from bench.grid.store import finished_metrics, grid_study, open_study, storage_url
from bench.grid.terminal import compact_table
from bench.output import output_stem
from landslide.config import ExperimentConfig
from landslide.errors import LandslideError


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
        lines = header(self.grid, self.base, self.seeds, self.data, self.stem)
        return lines[:2] + self.measured + self.partial() + self.machines() + lines[2:]

    def machines(self) -> list[str]:
        """What the finished cells trained on (their folds' CPU or GPU), where recorded: another CPU model
        trains one configuration to other numbers (docs/protocol.md#reproducibility), so a table made on
        several machines says so. Cells trained by code before cd23d60 (2026-12-07) did not record it."""
        counts = Counter(tuple(self.metrics[c.key].get("trained_on") or ()) for c in self.cells
                         if c.key in self.metrics)
        if not any(counts):
            return []
        parts = [f"{' + '.join(k) or 'not recorded'} ({n} cell{'s' if n > 1 else ''})"
                 for k, n in sorted(counts.items(), key=lambda kv: -kv[1])]
        return ["trained on: " + "; ".join(parts)]

    def partial(self) -> list[str]:
        """A line where some of the grid's (row, seed) cells have not finished: a table read half-way
        (``--no-train``, a failed cell, a committed archive of a grid stopped early) says so at its top."""
        done = {(c.row, c.seed) for c in self.cells if c.key in self.metrics}
        missing: dict[str, list[int]] = {}
        for row in self.grid.rows:
            for seed in self.seeds:
                if (row.name, seed) not in done:
                    missing.setdefault(row.name, []).append(seed)
        if not missing:
            return []
        rows = "; ".join(f"{r} (seed {','.join(map(str, s))})" for r, s in missing.items())
        total = len(self.grid.rows) * len(self.seeds)
        return [f"partial: {total - sum(map(len, missing.values()))} of {total} cells finished; not run: {rows}"]

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
    return run_inputs(grid_inputs(grid, args), custom)


def run_inputs(inputs: GridInputs, custom: bool = False) -> GridRun:
    """Run the grid of ``inputs``; its table's view of the result."""
    result = run_grid(inputs)
    return GridRun(inputs.grid, inputs.base, list(inputs.seeds), inputs.out, result.cells, result.metrics,
                   result.failed, custom=custom)


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
    # the per-patch scores go beside the table, and the table is made from them (``python -m bench rebuild``)
    from bench.grid.archive import collect
    from bench.grid.views import write_views
    archive = collect(run, run.measured)
    paths = archive.write(run.out / "tables", run.stem)
    df, written = write_views(run, df, archive, run.stem)
    paths += written
    print_compact(run, df)
    from bench.figures.curves import plot_learning_curves
    paths += [] if one_network else plot_learning_curves(run)
    print("wrote " + ", ".join(map(str, paths)))
    run.raise_if_failed()
    return df


def stored_measured_lines(inputs: GridInputs) -> list[str]:
    """The regime line of the inputs' grid's baseline and any collapsed folds of its rows, from the cells
    already in the store (nothing is trained): for tables drawn from another grid's runs (thresholds,
    tricks), so they say which regime they read and which of its networks diverged."""
    from bench.grid.agreement import refuse_disagreeing
    grid, base, seeds = inputs.grid, inputs.base, list(inputs.seeds)
    cells = expand(grid, base, seeds)
    metrics = finished_metrics(open_study(storage_url(inputs.storage, inputs.out), grid_study(grid.name)))
    refuse_disagreeing(cells, metrics, inputs.out)
    run = GridRun(grid, base, seeds, inputs.out, cells, metrics, [])
    run.measure(build_table(grid, cells, metrics))
    return run.measured

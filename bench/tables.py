"""Table 2, Table 3 (and any grid of the same shape): run the grid, then write the table views."""
from __future__ import annotations

from pathlib import Path

from bench.grid import load_grid
from bench.report import build_table, header, write_table
from bench.runner import run_grid
from landslide.train.run import config_from_args


def make_table(grid_name: str, args):
    from bench.cli import parse_seeds
    grid = load_grid(grid_name)
    base = config_from_args(args)
    seeds = parse_seeds(args.seeds, args.profile)
    out = Path(args.out)
    cells, metrics = run_grid(grid, base, seeds, out, args.storage, args.workers, args.retry_failed,
                              progress=not args.no_progress)
    data = next((m["data"] for m in metrics.values()), base.data or "synthetic")
    df = build_table(grid, cells, metrics)
    paths = write_table(df, header(grid, base, seeds, data), out / "tables", grid.name)
    print((out / "tables" / f"{grid.name}.md").read_text())
    print("wrote " + ", ".join(map(str, paths)))
    return df

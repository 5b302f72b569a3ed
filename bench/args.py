"""The command-line arguments the grid commands share (table2, table3, backbones, umap, occlusion, sweep,
tricks, thresholds)."""
from __future__ import annotations

import argparse
import os

from landslide.errors import LandslideError
from landslide.options import add_config_arguments

# a worker holds its data set in memory (1.5 GB at quick scale): more than 4 by default would surprise
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


# The committed tables are evidence: three seeds (a factor's effect is compared over seed x fold). One
# seed of Table 2 costs about 71 minutes on a 2-core CPU at quick scale; `--profile preview --seeds 0`
# gives a first look in about 16 (docs/performance.md).
EVIDENCE_SEEDS = "0,1,2"


def parse_seeds(args) -> list[int]:
    """--seeds 0,1,2; a lone --seed S counts as --seeds S; neither: the command's default."""
    if args.seeds is None:
        return [args.seed] if args.seed is not None else parse_list(args.default_seeds)
    return parse_list(args.seeds)


def parse_list(text: str) -> list[int]:
    try:
        return [int(s) for s in text.replace(" ", "").split(",") if s] or [0]
    except ValueError:
        raise LandslideError(f"--seeds {text!r}: give comma-separated integers, e.g. 0,1,2") from None


def add_grid_arguments(p: argparse.ArgumentParser, seeds: str = "0") -> None:
    add_config_arguments(p)
    p.add_argument("--out", default=".", help="output folder: tables/, figures/, runs/ and results.db go "
                                              "here (default: the current folder)")
    p.add_argument("--seeds", default=None, help="comma-separated seeds; CV F1 is reported over folds x seeds "
                                                 f"(default {seeds})")
    p.set_defaults(default_seeds=seeds)
    p.add_argument("--storage", default=None, help="Optuna storage URL for the results store (default: "
                                                   "sqlite:///OUT/results.db; a PostgreSQL/MySQL URL lets many "
                                                   "machines share one grid)")
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                   help="local worker processes pulling cells, one torch thread each (default: the cores, at "
                        f"most 4; here {DEFAULT_WORKERS})")
    p.add_argument("--retry-failed", action="store_true", help="run again the cells that failed with an error")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def add_table_arguments(p: argparse.ArgumentParser, grid: str) -> None:
    """A table command's options: the grid options at the evidence seeds, and which grid it draws."""
    add_grid_arguments(p, seeds=EVIDENCE_SEEDS)
    p.add_argument("--grid", default=grid, help=f"grid name or TOML path (default {grid})")

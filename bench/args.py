"""The command-line arguments the grid commands share (table2, table3, backbones, umap, occlusion, tricks,
thresholds) and the sweep's."""
from __future__ import annotations

import argparse
import os

from landslide.options import add_config_arguments

# a worker holds its data set in memory (1.5 GB at quick scale): more than 4 by default would surprise
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


# The committed tables are evidence: three seeds (a factor's effect is compared over seed x fold). One
# seed of Table 2 costs about 71 minutes on a 2-core CPU at quick scale; `--profile preview --seeds 0`
# gives a first look in about 16 (docs/performance.md).
EVIDENCE_SEEDS = "0,1,2"

# numpy's and scikit-learn's generators take seeds below 2**32
MAX_SEED = 2**32 - 1


def seed_list(text: str) -> list[int]:
    """``--seeds 0,1,2``: distinct seeds in 0 .. 2**32-1, at least one (argparse reports the error)."""
    parts = text.replace(" ", "").split(",")
    try:
        seeds = [int(s) for s in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give comma-separated integers, e.g. 0,1,2") from None
    bad = [s for s in seeds if not 0 <= s <= MAX_SEED]
    if bad:
        raise argparse.ArgumentTypeError(f"{text!r}: seeds are 0 to {MAX_SEED}, not {bad[0]}")
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:  # a seed counted twice would weigh its folds double in every mean and test
        raise argparse.ArgumentTypeError(f"{text!r}: seed {twice[0]} is given twice; give each seed once")
    return seeds


class _Once(argparse.Action):
    """Stores the option's value; given twice (``--seeds 0 --seeds 5``), refused rather than the last kept."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest) is not None:
            parser.error(f"{option_string} is given twice; give it once")
        setattr(namespace, self.dest, values)


class _NoSeed(argparse.Action):
    """A grid command's ``--seed``: refused (it used to be one more way to give the seeds)."""

    def __call__(self, parser, _namespace, values, option_string=None):
        parser.error(f"{option_string}: grid commands take their seeds from --seeds (e.g. --seeds {values}); "
                     f"--seed is landslide train's")


def parse_seeds(args) -> list[int]:
    """The seeds given with --seeds, else the command's default."""
    return args.seeds if args.seeds is not None else seed_list(args.default_seeds)


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    """Where results go: the output folder, the results store, the progress display."""
    p.add_argument("--out", default=".", help="output folder: tables/, figures/, runs/ and results.db go "
                                              "here (default: the current folder)")
    p.add_argument("--storage", default=None, help="Optuna storage URL for the results store (default: "
                                                   "sqlite:///OUT/results.db; a PostgreSQL/MySQL URL lets many "
                                                   "machines share one grid)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def add_grid_arguments(p: argparse.ArgumentParser, seeds: str = "0") -> None:
    add_config_arguments(p, seed=False)
    add_output_arguments(p)
    p.add_argument("--seeds", type=seed_list, action=_Once, default=None,
                   help=f"comma-separated distinct seeds, the grid's only seed option; CV F1 is reported over "
                        f"folds x seeds (default {seeds})")
    p.add_argument("--seed", action=_NoSeed, help=argparse.SUPPRESS)
    p.set_defaults(default_seeds=seeds)
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                   help="local worker processes pulling cells, one torch thread each (default: the cores, at "
                        f"most 4; here {DEFAULT_WORKERS})")
    p.add_argument("--retry-failed", action="store_true", help="run again the cells that failed with an error")


def add_table_arguments(p: argparse.ArgumentParser, grid: str) -> None:
    """A table command's options: the grid options at the evidence seeds, and which grid it draws."""
    add_grid_arguments(p, seeds=EVIDENCE_SEEDS)
    p.add_argument("--grid", default=grid, help=f"grid name or TOML path (default {grid})")
    p.add_argument("--no-train", action="store_true",
                   help="train nothing: write the table from the cells already finished in the store (the others "
                        "show as not run, and the header says the table is partial), e.g. while a grid is stopped "
                        "half-way; a later run without it resumes")

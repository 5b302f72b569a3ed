"""``python -m bench sweep``: an Optuna TPE search over the grids' configuration space."""
from __future__ import annotations

import argparse

from bench.args import add_output_arguments
from landslide.options import add_config_arguments

HELP = ("Optuna TPE search over the grids' configuration space (MedianPruner per fold). Writes the study to the "
        "store (OUT/results.db), the trials' runs under OUT/runs, OUT/tables/sweep_best.toml and "
        'OUT/figures/sweep_*.{png,pdf}. Time: not measured (each trial is a training run: see landslide train '
        '--help)')


def add_arguments(p) -> None:
    add_config_arguments(p)  # its --seed: the sampler's and every trial's (a sweep has no seed list)
    add_output_arguments(p)
    p.add_argument("--trials", type=positive_int, default=20, help="total trials in the study (default 20); re-running "
                                                          "adds only the missing ones")
    p.add_argument("--study", default="sweep", help="study name in the storage (default sweep)")


def positive_int(text: str) -> int:
    """argparse's type for a count of 1 or more (its own message, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: give 1 or more")
    return value


def run(args) -> None:
    from bench.studies.sweep import sweep_command
    sweep_command(args)

"""``python -m bench backbones``: the paper's Fig. 5, F1 against parameter count."""
from __future__ import annotations

from bench.args import add_grid_arguments

HELP = "Fig. 5: F1 against parameter count for the compared backbones"


def add_arguments(p) -> None:
    add_grid_arguments(p)
    p.add_argument("--grid", default="backbones", help="grid name or TOML path (default backbones)")


def run(args) -> None:
    from bench.figures.backbones import backbones_command
    backbones_command(args)

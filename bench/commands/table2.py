"""``python -m bench table2``: the paper's Table 2, an ablation of training factors."""
from __future__ import annotations

from bench.args import add_table_arguments

HELP = "Table 2: ablation of training factors (8 rows, the paper's factors)"


def add_arguments(p) -> None:
    add_table_arguments(p, "table2")


def run(args) -> None:
    from bench.grid.tables import make_table
    make_table(args.grid, args)

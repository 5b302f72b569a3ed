"""``python -m bench table3``: the paper's Table 3, classifier heads on Table 2's last row."""
from __future__ import annotations

from bench.args import add_table_arguments
from bench.commands.table2 import run  # the same command over another grid

HELP = "Table 3: heads (FC, LightGBM, SVM C=1, .75, .5, .1) on Table 2's last row"
__all__ = ["HELP", "add_arguments", "run"]


def add_arguments(p) -> None:
    add_table_arguments(p, "table3")

"""``python -m bench table3``: the paper's Table 3, classifier heads on Table 2's last row."""
from __future__ import annotations

from bench.args import add_table_arguments
from bench.commands.table2 import run  # the same command over another grid

HELP = ("Table 3: heads (FC, LightGBM, SVM C=1, .75, .5, .1) on Table 2's last row. Writes "
        'tables/table3[_PROFILE].{csv,md,tex}, the runs under OUT/runs and the store OUT/results.db. quick '
        "profile on a 2-core CPU: 47 s for --seeds 0 with Table 2's networks in the store (measured at the "
        "16-epoch quick profile, before 2026-12-04, docs/performance.md); from an empty store it trains Table 2's "
        'last row first')
__all__ = ["HELP", "add_arguments", "run"]


def add_arguments(p) -> None:
    add_table_arguments(p, "table3")

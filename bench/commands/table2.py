"""``python -m bench table2``: the paper's Table 2, an ablation of training factors."""
from __future__ import annotations

from bench.args import add_table_arguments

HELP = ("Table 2: ablation of training factors (8 rows, the paper's factors). Writes tables/table2[_PROFILE]."
        "{csv,md,tex}, figures/table2[_PROFILE]_curves.{png,pdf}, the trained runs under OUT/runs and the store "
        "OUT/results.db. Quick profile on a 2-core CPU: about 48 min a seed, 2 h 25 min for the default three "
        "(2026-12-07); --profile preview --seeds 0: 16 min (2026-12-04), 32 min on a machine of half the matmul rate "
        "(2026-12-08; docs/performance.md)")


def add_arguments(p) -> None:
    add_table_arguments(p, "table2")


def run(args) -> None:
    from bench.grid.tables import make_table
    make_table(args.grid, args)

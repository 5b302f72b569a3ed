"""``python -m bench thresholds``: a grid's rows at 0.5 and at a cross-fitted out-of-fold threshold."""
from __future__ import annotations

from bench.args import EVIDENCE_SEEDS, add_grid_arguments

HELP = ("a grid's rows at 0.5 and at a cross-fitted out-of-fold threshold (no retraining). Writes "
        'OUT/tables/GRID_thresholds[_PROFILE].{csv,md}. quick profile on a 2-core CPU: 24 s for --seeds 0 with '
        "the grid's networks in the store (measured at the 16-epoch quick profile, before 2026-12-04, "
        'docs/performance.md)')


def add_arguments(p) -> None:
    add_grid_arguments(p, seeds=EVIDENCE_SEEDS)
    p.add_argument("--grid", default="table2", help="grid name or TOML path (default table2)")


def run(args) -> None:
    from bench.studies.thresholds import thresholds_command
    thresholds_command(args)

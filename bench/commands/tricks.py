"""``python -m bench tricks``: what the challenge winners' cheap tricks add to the paper's recipe."""
from __future__ import annotations

from bench.args import EVIDENCE_SEEDS, add_grid_arguments

HELP = ("what TTA, an OOF threshold, ensembles and a tabular baseline add to the paper's recipe (reuses Table 2's "
        'SMOTE-row networks). Writes OUT/tables/tricks[_PROFILE].{csv,md,tex}. quick profile on a 2-core CPU: 5 '
        "min 38 s for the three seeds with Table 2's networks in the store (measured at 20 epochs, 2026-12-04 or "
        'later, docs/performance.md)')


def add_arguments(p) -> None:
    add_grid_arguments(p, seeds=EVIDENCE_SEEDS)
    p.add_argument("--tta", type=int, default=8, choices=[1, 4, 8], help="dihedral transforms averaged (default 8)")


def run(args) -> None:
    from bench.studies.tricks import tricks_command
    tricks_command(args)

"""``python -m bench umap``: the paper's Fig. 6, UMAP of embeddings of two Table 2 rows."""
from __future__ import annotations

from bench.args import add_grid_arguments

HELP = ('Fig. 6: UMAP of embeddings, baseline against the best model, 2-D SVM regions. Writes '
        'OUT/figures/umap[_PROFILE].{png,pdf} and OUT/tables/umap[_PROFILE].csv. quick profile on a 2-core CPU: '
        "50 s with Table 2's networks in the store (measured at 20 epochs, 2026-12-04 or later, "
        'docs/performance.md)')


def add_arguments(p) -> None:
    add_grid_arguments(p)
    p.add_argument("--best-row", default="smote", help="Table 2 row for panel (b) (default smote, the paper's best)")


def run(args) -> None:
    from bench.figures.explain import umap_command
    umap_command(args)

"""``python -m bench rebuild``: the grid tables, their verdicts and forest plots from the committed scores."""
from __future__ import annotations

HELP = ("rebuild every grid table with an archive under TABLES/scores (its verdicts and forest plot too) from "
        "the per-patch scores, and every backbones or tricks table's Markdown, LaTeX (and figure) from its CSV, "
        "without training; writes OUT/tables/STEM.{csv,md,tex}, OUT/figures/STEM_effects.{png,pdf} and "
        "OUT/figures/STEM.{png,pdf,txt} for backbones tables. Time: 40 s for the committed tables, no training "
        "(measured 2026-12-08 on a 2-core CPU, docs/performance.md)")


def add_arguments(p) -> None:
    p.add_argument("--tables", default="tables", help="folder holding scores/ (default: tables)")
    p.add_argument("--out", default=".", help="output folder: OUT/tables and OUT/figures (default: here)")


def run(args) -> None:
    from pathlib import Path

    from bench.grid.rebuild import rebuild
    paths = rebuild(Path(args.tables), Path(args.out))
    print("wrote " + ", ".join(map(str, paths)))

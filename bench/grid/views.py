"""A grid's tables and figures from its scores: written after a run (``bench.grid.tables.make_table``)
and rebuilt from the committed archive without training (``python -m bench rebuild``), by one function,
so the two cannot differ."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.figures.effects import plot_effects
from bench.grid.archive import Archive
from bench.grid.report import LEGEND, readable_frame, summary_line, with_measures
from bench.output import write_table


def write_views(run, df: pd.DataFrame, archive: Archive, stem: str) -> tuple[pd.DataFrame, list[Path]]:
    """The table (CSV with every column; Markdown and LaTeX of the readable view) and, for a grid with a
    paper table, the forest plot of its changes. ``run``: a GridRun (its header and output folder)."""
    df = with_measures(df, run.grid, archive.scores, archive.facts)
    head = [*run.header()[:-1], LEGEND, summary_line(df)]  # the legend of these columns, not the old one
    paths = write_table(df, head, run.out / "tables", stem, readable_frame(df, run.grid))
    if run.grid.paper_table == 2:
        backbone = archive.facts["base"].get("backbone", "")
        # the output's name (table2_long), not the grid's: two profiles' plots would carry one title
        title = f"{stem}: each row against its parent ({backbone}, {len(run.seeds)} seed(s))"
        paths += plot_effects(df, title, run.out / "figures", f"{stem}_effects")
    return df, paths

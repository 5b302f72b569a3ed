"""``python -m bench rebuild``: every grid table under TABLES/scores rebuilt from its archive, with its
verdicts and its forest plot, and the tables without an archive whose CSV holds every number (the
backbones, their rates, the tricks) given their readable view and figure again, and a grid's thresholds
table remade from its archive's out-of-fold scores, without training (the learning curves need the run
folders: not here)."""
from __future__ import annotations

from pathlib import Path

from bench.figures.backbones import is_backbones_table, rebuild_backbones
from bench.grid.archive import folder, read
from bench.grid.cells import Cell
from bench.grid.report import build_table
from bench.grid.spec import Grid, Row
from bench.grid.tables import GridRun
from bench.grid.views import write_views
from bench.studies.thresholds import rebuild_thresholds
from bench.studies.tricks import is_tricks_table, rebuild_tricks
from landslide.config import ExperimentConfig
from landslide.errors import LandslideError

# tables without an archive whose CSV keeps every number: (is it one, write its views again)
VIEWS = [(is_backbones_table, rebuild_backbones), (is_tricks_table, rebuild_tricks)]


def rebuild(tables: Path, out: Path) -> list[Path]:
    """Rebuild each archive of ``tables``/scores, and each table of ``tables`` that ``VIEWS`` knows, into
    ``out``/tables and ``out``/figures."""
    metas = sorted(folder(tables).glob("*.json"))
    views = [(t, remake) for t in sorted(tables.glob("*.csv")) for known, remake in VIEWS if known(t)]
    if not metas and not views:
        raise LandslideError(f"no archive under {folder(tables)} and no backbones or tricks table in {tables}: a "
                             f"grid command (python -m bench table2) writes one beside its table")
    paths: list[Path] = []
    for table, remake in views:
        paths += remake(table, out)
    for meta in metas:
        archive = read(meta)
        facts = archive.facts
        try:
            spec = dict(facts["grid_spec"])
            grid = Grid(**{**spec, "rows": [Row(**r) for r in spec["rows"]], "dropped": tuple(spec["dropped"])})
            cells = [Cell(grid.name, c["row"], ExperimentConfig.from_dict(c["config"]))
                     for c in facts["cells"]]
            metrics = {cell.key: c["metrics"] for cell, c in zip(cells, facts["cells"], strict=True)}
            base = ExperimentConfig.from_dict(facts["base"])
        except (KeyError, TypeError) as exc:
            raise LandslideError(f"{meta}: a cell lacks {exc}; rerun the grid's command to rewrite it") from None
        run = GridRun(grid, base, list(facts["seeds"]), out, cells, metrics, [], measured=list(facts["measured"]))
        df = build_table(grid, cells, metrics)
        if len({c.cfg.training_key() for c in cells}) == len(run.seeds):  # one network per seed (Table 3)
            df = df.drop(columns=[c for c in ("best_val_f1", "optimism") if c in df])
        paths += write_views(run, df, archive, facts["stem"])[1]
        paths += rebuild_thresholds(archive, grid, base, tables, out)
    return paths

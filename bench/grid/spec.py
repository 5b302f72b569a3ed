"""Declarative grids: a TOML file lists rows, each a set of ExperimentConfig fields in the paper's units.

A grid may start from another grid's row (``base = "table2.smote"``): Table 3's heads sit on Table 2's
last configuration. Expanding a grid x profile x seeds gives cells, each one resolved configuration.
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path

from landslide.config import ExperimentConfig

GRID_DIR = Path(__file__).parents[1] / "grids"
PAPER_TABLES = Path(__file__).parents[1] / "reference" / "paper_tables.csv"


@dataclass
class Row:
    name: str
    label: str
    fields: dict


@dataclass
class Grid:
    name: str
    title: str
    baseline: str
    factors: list[str]
    rows: list[Row]
    paper_table: int | None = None

    def row(self, name: str) -> Row:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"grid {self.name} has no row {name!r}; rows: {[r.name for r in self.rows]}")


def changes_packaged(grid: Grid) -> bool:
    """True when a packaged grid of this name exists and ``grid`` changes it: a row it lacks or a row whose
    settings differ (a copy edited as `--set` on a grid factor advises; labels are display only). Leaving
    rows out is not a change: the backbone grid drops the families with no member at the profile."""
    path = GRID_DIR / f"{grid.name}.toml"
    if not path.exists():
        return False
    packaged = {r.name: r.fields for r in load_grid(path).rows}
    return any(packaged.get(r.name) != r.fields for r in grid.rows)


def load_grid(name_or_path: str | Path) -> Grid:
    path = Path(name_or_path)
    if not path.suffix:
        path = GRID_DIR / f"{name_or_path}.toml"
    if not path.exists():
        raise FileNotFoundError(f"no grid {name_or_path!r}: expected {path}; grids here: "
                                f"{sorted(p.stem for p in GRID_DIR.glob('*.toml'))}")
    doc = tomllib.loads(path.read_text())
    head = doc.get("grid", {})
    base_fields: dict = {}
    if "base" in head:
        base_grid, base_row = head["base"].split(".", 1)
        base_fields = dict(load_grid(base_grid).row(base_row).fields)
    known = {f for f in ExperimentConfig.__dataclass_fields__}
    rows = []
    for i, r in enumerate(doc.get("row", [])):
        fields = {k: v for k, v in r.items() if k not in ("name", "label")}
        unknown = set(fields) - known
        if unknown:
            raise ValueError(f"{path}: row {i + 1} ({r.get('name')}) sets unknown field(s) {sorted(unknown)}")
        rows.append(Row(r["name"], r.get("label", r["name"]), {**base_fields, **fields}))
    return Grid(head.get("name", path.stem), head.get("title", path.stem), head.get("baseline", rows[0].name),
                head.get("factors", []), rows, head.get("paper_table"))


def paper_numbers(table: int | None) -> dict[str, dict]:
    """The paper's published train/test F1 per row name of one table."""
    if table is None or not PAPER_TABLES.exists():
        return {}
    with open(PAPER_TABLES) as fh:
        return {r["row"]: {"train_f1": float(r["train_f1"]), "test_f1": float(r["test_f1"])}
                for r in csv.DictReader(fh) if r["table"] == str(table)}

"""Declarative grids: a TOML file lists rows, each a set of ExperimentConfig fields in the paper's units.

A grid may start from another grid's row (``base = "table2.smote"``): Table 3's heads sit on Table 2's
last configuration. Expanding a grid x profile x seeds gives cells, each one resolved configuration.
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from landslide.config import FIELDS, SET_BY_TOOL, field_problem
from landslide.errors import LandslideError
from landslide.models.registry import BACKBONES
from landslide.names import require_plain_name

GRID_DIR = Path(__file__).parents[1] / "grids"
PAPER_TABLES = Path(__file__).parents[1] / "reference" / "paper_tables.csv"


@dataclass
class Row:
    name: str
    label: str
    fields: dict
    # the row this one differs from in one factor, where one exists: its change is measured against it
    # (None: the baseline). ``isolates``: a second row to compare with, for a row that changes two factors
    # from its parent (ch20: channels and Mixup/CutMix from the baseline; mix isolates the channels)
    parent: str | None = None
    isolates: str | None = None


@dataclass
class Grid:
    name: str
    title: str
    baseline: str
    factors: list[str]
    rows: list[Row]
    paper_table: int | None = None
    # row -> the fields the command itself chose for it (bench backbones' lr): not a user's edit
    tuned: dict[str, dict] = field(default_factory=dict)
    # rows the command itself left out (bench backbones: families with no member at the profile)
    dropped: tuple[str, ...] = ()

    def row(self, name: str) -> Row:
        for r in self.rows:
            if r.name == name:
                return r
        raise LandslideError(f"grid {self.name} has no row {name!r}; choose one of {[r.name for r in self.rows]}")


def changes_packaged(grid: Grid) -> bool:
    """True when a packaged grid of this name exists and ``grid`` changes it: a row it lacks or a row whose
    settings differ (a copy edited as `--set` on a grid factor advises; labels are display only), or a row
    left out: a two-row copy of table2.toml would otherwise overwrite the committed eight-row table. Rows
    the command dropped itself (``dropped``: backbone families with no member at the profile) are not."""
    path = GRID_DIR / f"{grid.name}.toml"
    if not path.exists():
        return False
    packaged = {r.name: r.fields for r in load_grid(path).rows}
    if set(packaged) - {r.name for r in grid.rows} - set(grid.dropped):
        return True
    return any(packaged.get(r.name) != {k: v for k, v in r.fields.items() if k not in grid.tuned.get(r.name, {})}
               for r in grid.rows)


def load_grid(name_or_path: str | Path, families: bool = False) -> Grid:
    """A grid file, validated as it is read: every message names the file and the row or key at fault.
    ``families``: every row's backbone must name a registry family (``bench backbones`` compares families)."""
    path = Path(name_or_path)
    if not path.suffix:
        path = GRID_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise LandslideError(f"no grid {str(name_or_path)!r}: expected the file {path}; packaged grids: "
                             f"{sorted(p.stem for p in GRID_DIR.glob('*.toml'))}")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LandslideError(f"{path}: not a valid TOML file ({exc}); compare it with {GRID_DIR / 'table2.toml'}") \
            from None
    head = doc.get("grid", {})
    rows = _rows(path, doc.get("row", []), _base_fields(path, head))
    names = [r.name for r in rows]
    baseline = head.get("baseline", names[0])
    if baseline not in names:
        raise LandslideError(f"{path}: baseline = {baseline!r} names no row; choose one of {names}")
    _check_parents(path, rows, baseline)
    if families:
        _check_families(path, rows)
    factors = head.get("factors", [])
    unknown = sorted(set(factors) - set(FIELDS)) if isinstance(factors, list) else factors
    if unknown:
        raise LandslideError(f"{path}: factors {unknown} are not configuration fields; list fields such as "
                             f"['smote', 'mixup'] (known: {sorted(FIELDS)})")
    # the grid's name and its rows' names become output and study names: file names inside --out
    name = require_plain_name(head.get("name", path.stem), f"{path}: [grid] name")
    return Grid(name, head.get("title", path.stem), baseline, factors, rows,
                head.get("paper_table"))


def _base_fields(path: Path, head: dict) -> dict:
    """The fields of the row a grid starts from (``base = "table2.smote"``), or none."""
    if "base" not in head:
        return {}
    base = head["base"]
    if not isinstance(base, str) or "." not in base:
        raise LandslideError(f"{path}: base = {base!r}; write it as \"GRID.ROW\", e.g. \"table2.smote\"")
    base_grid, base_row = base.split(".", 1)
    require_plain_name(base_grid, f"{path}: base = {base!r}, its grid")  # a packaged grid's name, not a path
    return dict(load_grid(base_grid).row(base_row).fields)


def _rows(path: Path, raw: list, base_fields: dict) -> list[Row]:
    if not isinstance(raw, list) or not raw:
        raise LandslideError(f"{path}: no rows; a grid lists its rows as [[row]] tables, each with a name")
    rows, first_at = [], {}
    for i, r in enumerate(raw, start=1):
        name = r.get("name") if isinstance(r, dict) else None
        if not isinstance(name, str) or not name:
            raise LandslideError(f"{path}: row {i} has no name; give it name = \"...\"")
        require_plain_name(name, f"{path}: row {i} name")
        if name in first_at:  # a table keyed by row name would show the first row's scores twice
            raise LandslideError(f"{path}: row {i} is named {name!r} like row {first_at[name]}; row names must be "
                                 f"unique")
        first_at[name] = i
        fields = {k: v for k, v in r.items() if k not in ("name", "label", "parent", "isolates")}
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise LandslideError(f"{path}: row {i} ({name}) sets unknown field(s) {unknown}; known: {sorted(FIELDS)}")
        _check_values(path, f"row {i} ({name})", fields)
        rows.append(Row(name, r.get("label", name), {**base_fields, **fields}, r.get("parent"), r.get("isolates")))
    return rows


def _check_values(path: Path, where: str, fields: dict) -> None:
    """Each value of a row on its own (type, choices, range), when the file is read: a wrong type would
    otherwise fail only once its cell trains, after every cell before it. Seeds are the command's
    (``--seeds``): a row that set one would hide the seed a cell is keyed and reported by."""
    for key in ("seed", *SET_BY_TOOL):
        if key in fields:
            raise LandslideError(f"{path}: {where} sets {key}, which the command sets (seeds: --seeds; the "
                                 f"profile: --profile); remove the line")
    backbone = fields.get("backbone")
    if isinstance(backbone, str) and backbone.startswith("@") and (problem := _family_problem(backbone)):
        raise LandslideError(f"{path}: {where}: {problem}")  # any grid: "@" always means a family
    for key, value in fields.items():
        problem = field_problem(key, value)
        if problem:
            raise LandslideError(f"{path}: {where}: {problem}")


FAMILIES = [f"@{k}" for k in BACKBONES]


def _family_problem(backbone) -> str | None:
    """What is wrong with a ``backbone`` that should name a registry family, or None."""
    if isinstance(backbone, str) and backbone.startswith("@") and backbone[1:] in BACKBONES:
        return None
    return f"backbone = {backbone!r} names no family; choose one of {FAMILIES} (landslide/models/registry.py)"


def _check_families(path: Path, rows: list[Row]) -> None:
    for i, r in enumerate(rows, start=1):
        problem = _family_problem(r.fields.get("backbone", "(the profile's, unset)"))
        if problem:
            raise LandslideError(f"{path}: row {i} ({r.name}): {problem}")


def _check_parents(path: Path, rows: list[Row], baseline: str) -> None:
    """Every row's parent (default: the baseline) and ``isolates`` name another row of the grid."""
    names = [r.name for r in rows]
    for i, r in enumerate(rows, start=1):
        if r.parent is None and r.name != baseline:
            r.parent = baseline
        for key in ("parent", "isolates"):
            other = getattr(r, key)
            if other is None:
                continue
            if not isinstance(other, str) or other not in names or other == r.name:
                raise LandslideError(f"{path}: row {i} ({r.name}) has {key} = {other!r}, which names no other row; "
                                     f"choose one of {[n for n in names if n != r.name]}")


def paper_numbers(table: int | None) -> dict[str, dict]:
    """The paper's published train/test F1 per row name of one table."""
    if table is None or not PAPER_TABLES.exists():
        return {}
    with open(PAPER_TABLES) as fh:
        return {r["row"]: {"train_f1": float(r["train_f1"]), "test_f1": float(r["test_f1"])}
                for r in csv.DictReader(fh) if r["table"] == str(table)}

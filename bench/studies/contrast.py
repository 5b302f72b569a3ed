"""``python -m bench contrast``: Table 2 in two profiles' regimes, row by row, beside the paper.

Reads two finished Table 2s, by default the quick profile's (``tables/table2.csv``, the fitted regime)
and the under-fit profile's (``tables/table2_underfit.csv``), and writes each row's train F1 and change
in test F1 against the grid's baseline beside the paper's, with a verdict per profile: does the
paper's finding replicate there? Nothing is trained; a test holds the committed contrast equal to one
made afresh from the committed tables, so its verdicts are never copied by hand or left stale."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.grid.report import header_lines
from bench.grid.spec import Grid, load_grid
from bench.grid.verdict import RULE, short_verdict, verdict
from bench.output import write_table
from landslide.errors import LandslideError

COLUMNS = {"row", "paper_train_f1", "paper_test_f1", "train_f1", "test_f1", "test_f1_lo", "test_f1_hi",
           "delta_test_base", "delta_test_base_lo", "delta_test_base_hi"}


# a table made since issue 36 also carries the primary metric's change against the row's parent
AP_COLUMNS = ("parent", "d_ap", "d_ap_lo", "d_ap_hi", "verdict_ap")


def read_table(path: Path, makes_it: str) -> tuple[list[str], pd.DataFrame]:
    """A grid table's CSV: its ``# `` header lines and its rows by name. ``makes_it`` is the command
    to run when it is missing or of another version."""
    if not path.is_file():
        raise LandslideError(f"{path} not found: run `{makes_it}` first (or pass its folder with --tables)")
    lines = path.read_text().splitlines()
    head = [ln[2:] for ln in lines if ln.startswith("# ")]
    try:
        # the header is skipped by count, not as comments: a "#" inside a row's label must not cut it;
        # only an empty field is missing (a row named "None" or "NA" stays a name)
        df = pd.read_csv(path, skiprows=len(head), keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        df = pd.DataFrame()
    missing = COLUMNS - set(df.columns)
    if missing:
        raise LandslideError(f"{path} has no column {', '.join(sorted(missing))}: it is not a Table 2 of "
                             f"this version; regenerate it with `{makes_it}`")
    outside = outside_intervals(df)
    if outside:  # a verdict reads the interval: a value outside its own is a table edited or broken
        raise LandslideError(f"{path}: " + "; ".join(outside) + f". A value lies inside its own interval; "
                             f"regenerate the table with `{makes_it}`")
    return head, df.set_index("row")


# the CSVs hold full floats; this only forgives the last digit of a value written rounded
_SLACK = 1e-6


def outside_intervals(df: pd.DataFrame) -> list[str]:
    """One line per row whose test F1 or change against the baseline lies outside its own 95 % interval."""
    lines = []
    for _, r in df.iterrows():
        for value, lo, hi in (("test_f1", "test_f1_lo", "test_f1_hi"),
                              ("delta_test_base", "delta_test_base_lo", "delta_test_base_hi")):
            v, a, b = (pd.to_numeric(r[c], errors="coerce") for c in (value, lo, hi))
            if not any(pd.isna(x) for x in (v, a, b)) and not a - _SLACK <= v <= b + _SLACK:
                lines.append(f"row {r['row']}: {value} {v:+.3f} outside its interval [{a:+.3f}, {b:+.3f}]")
    return lines


def profile_of(head: list[str], fallback: str) -> str:
    """The profile's name from a grid table's data line ("...; profile: quick (regnety_002, ..."), which
    names a column: the profile says what it is, the contrast does not call it fitted."""
    for h in head:
        if "profile: " in h:
            return h.split("profile: ", 1)[1].split(" (", 1)[0].split(";", 1)[0]
    return fallback


def _regime_cells(grid: Grid, table: pd.DataFrame, paper_change: dict[str, float]) -> pd.DataFrame:
    """Per grid row, one table's train F1, test F1 and change against the baseline (each with its
    interval), and the verdict on the paper's change (long, and short for the summary line)."""
    out = []
    for r in grid.rows:
        if r.name not in table.index:
            out.append({"row": r.name, "present": False})
            continue
        t = table.loc[r.name]
        line = {"row": r.name, "present": True, "train_f1": t.train_f1, "test_f1": t.test_f1,
                "test_f1_lo": t.test_f1_lo, "test_f1_hi": t.test_f1_hi}
        if r.name != grid.baseline:  # the baseline is the reference: it has no change and no verdict
            lo, hi = t.delta_test_base_lo, t.delta_test_base_hi
            line |= {"delta_test": t.delta_test_base, "delta_test_lo": lo, "delta_test_hi": hi,
                     "verdict": verdict(paper_change[r.name], lo, hi),
                     "verdict_short": short_verdict(paper_change[r.name], lo, hi)}
            if "d_ap" in table.columns:  # the primary metric against the row's parent (a table made since issue 36)
                line |= {k: t.get(k, float("nan")) for k in AP_COLUMNS}
        out.append(line)
    return pd.DataFrame(out).set_index("row")


def contrast_frame(grid: Grid, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Numbers, one line per grid row: the paper's (from the first table), then each table's under its
    profile's name. Every row has its test F1; every row but the baseline, its change against it."""
    first = next(iter(tables.values()))
    paper = first.reindex([r.name for r in grid.rows])
    paper_base = paper.loc[grid.baseline, "paper_test_f1"]
    change = {r.name: paper.loc[r.name, "paper_test_f1"] - paper_base for r in grid.rows if r.name != grid.baseline}
    df = pd.DataFrame({"row": [r.name for r in grid.rows], "paper_train_f1": paper["paper_train_f1"].to_numpy(),
                       "paper_test_f1": paper["paper_test_f1"].to_numpy(),
                       "paper_delta_test": [change.get(r.name, float("nan")) for r in grid.rows]}).set_index("row")
    for name, table in tables.items():
        df = df.join(_regime_cells(grid, table, change).add_prefix(f"{name}_"))
    return df.reset_index()


def _num(v, fmt: str) -> str:
    return "" if pd.isna(v) else format(v, fmt)


def _with_interval(v, lo, hi, fmt: str) -> str:
    return "" if pd.isna(v) else format(v, fmt) + ("" if pd.isna(lo) else f" [{lo:{fmt}}, {hi:{fmt}}]")


def shown_frame(grid: Grid, df: pd.DataFrame, names: list[str], sources: list[str]) -> pd.DataFrame:
    """The Markdown view: per grid row, one line for the paper and one per profile (six columns, every
    number in its own cell), in words where a table lacks the row."""
    lines = []
    for i, row in enumerate(df.row):
        base = row == grid.baseline
        lines.append({"row": row, "source": "paper", "train F1": _num(df.paper_train_f1.iloc[i], ".3f"),
                      "test F1 [95 %]": _num(df.paper_test_f1.iloc[i], ".3f"),
                      "Δ test F1 vs baseline [95 %]": "baseline" if base else _num(df.paper_delta_test.iloc[i], "+.3f"),
                      "replicates the paper?": ""})
        for name, source in zip(names, sources, strict=True):
            c = {k: df[f"{name}_{k}"].iloc[i] if f"{name}_{k}" in df else float("nan") for k in (
                "present", "train_f1", "test_f1", "test_f1_lo", "test_f1_hi", "delta_test", "delta_test_lo",
                "delta_test_hi", "verdict", *AP_COLUMNS)}
            if not c["present"]:
                lines.append({"row": row, "source": name, "replicates the paper?": f"not in {source}"})
                continue
            lines.append({"row": row, "source": name, "train F1": _num(c["train_f1"], ".3f"),
                          "test F1 [95 %]": _with_interval(c["test_f1"], c["test_f1_lo"], c["test_f1_hi"], ".3f"),
                          "Δ test F1 vs baseline [95 %]": "baseline" if base else _with_interval(
                              c["delta_test"], c["delta_test_lo"], c["delta_test_hi"], "+.3f"),
                          "replicates the paper?": "" if base else c["verdict"]} | _ap_cells(c, base, name, names, df))
    return pd.DataFrame(lines).fillna("")


def _ap_cells(c: dict, base: bool, name: str, names: list[str], df: pd.DataFrame) -> dict:
    """The primary metric's two cells, where any source table carries it: Δ AP against the row's parent
    and the Bayesian verdict on it; "not in this table (made before AP)" for a table made before issue 36."""
    if not any(f"{n}_d_ap" in df for n in names):
        return {}
    if base:
        return {"Δ AP vs parent [95 %]": "", "verdict on AP": ""}
    if f"{name}_d_ap" not in df:
        return {"Δ AP vs parent [95 %]": "not in this table (made before AP)", "verdict on AP": ""}
    if pd.isna(c["d_ap"]):  # the row or its parent did not run
        return {"Δ AP vs parent [95 %]": "not run", "verdict on AP": ""}
    parent = "" if pd.isna(c["parent"]) else f" (vs {c['parent']})"
    return {"Δ AP vs parent [95 %]": _with_interval(c["d_ap"], c["d_ap_lo"], c["d_ap_hi"], "+.3f") + parent,
            "verdict on AP": "" if pd.isna(c["verdict_ap"]) else c["verdict_ap"]}


# the short verdicts (bench.grid.verdict.judge) counted by the summary line, in its order
_KINDS = {"replicates": ("yes", "yes (sign only)", "yes (no change)"), "within noise": ("no (within noise)",),
          "opposite": ("no (opposite)",), "a change where the paper's is none": ("no (paper: none)",),
          "unresolved": ("unresolved",)}


def summary_line(df: pd.DataFrame, names: list[str]) -> str:
    """One line above the table: per profile, in how many rows the paper's change replicates, and how
    many of the others are within noise of 0, of the opposite sign, or otherwise."""
    parts = []
    for name in names:
        said = [v for v in df.get(f"{name}_verdict_short", pd.Series(dtype=object)) if isinstance(v, str)]
        counts = {kind: sum(v in shorts for v in said) for kind, shorts in _KINDS.items()}
        rest = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n and kind != "replicates")
        parts.append(f"{counts['replicates']} of {len(said)} rows at {name}" + (f" ({rest})" if rest else ""))
    line = "the paper's change replicates in " + " and ".join(parts)
    on_ap = [f"{name} " + ", ".join(f"{n} {v}" for v, n in said.value_counts().items()) for name in names
             if len(said := df.get(f"{name}_verdict_ap", pd.Series(dtype=object)).dropna())]
    return line + ("; on AP against each row's parent: " + "; ".join(on_ap) if on_ap else "")


def _data_of(head: list[str]) -> str:
    """A grid table's data (its data line up to the profile): a synthetic set with its generator's version,
    or a folder."""
    return next((h.split("; profile:", 1)[0] for h in head if h.startswith("data:")), "")


def _provenance(head: list[str]) -> list[str]:
    """A source table's data, regime, collapsed-fold and code lines: which data, which profile, how it
    fit, which rows diverged (their verdicts rest on that), which commit."""
    return [h for h in head if h.startswith(("data:", "regime:", "collapsed:", "code:"))]


def _profile_in(name: str) -> str:
    """The profile a Table 2's name carries (table2_long -> long), for the command that makes it."""
    return name.split("_", 1)[1] if name.startswith("table2_") else "PROFILE"


def contrast_command(args) -> None:
    grid = load_grid(args.grid)
    folder = Path(args.tables) if args.tables else Path(args.out) / "tables"
    sources = [(args.fitted, "python -m bench table2" + (f" --profile {_profile_in(args.fitted)} --seeds 0"
                                                        if args.fitted != "table2" else "")),
               (args.underfit, f"python -m bench table2 --profile {_profile_in(args.underfit)} --seeds 0")]
    heads, tables = {}, {}
    for fallback, (source, makes_it) in zip(("fitted", "underfit"), sources, strict=True):
        head, table = read_table(folder / f"{source}.csv", makes_it)
        name = profile_of(head, fallback)
        heads[name], tables[name] = (source, head), table
    data = {source: _data_of(head) for source, head in heads.values()}
    if len(set(data.values())) > 1:
        # a contrast of regimes means anything only on the same patches and test split
        raise LandslideError("the two tables were made on different data: "
                             + "; ".join(f"{s}: {d}" for s, d in data.items())
                             + ": regenerate one of them on the other's data")
    if len(tables) < 2:
        raise LandslideError(f"{args.fitted} and {args.underfit} are tables of one profile; contrast two profiles")
    df = contrast_frame(grid, tables)
    head = header_lines(
        f"{grid.title}: each row's change in test F1 against the baseline (the paper's reading) and, where a "
        f"table has it, in AP against the row's parent (the primary metric), in two profiles, beside the paper",
        *[f"{name} ({source}): {h}" for name, (source, h_) in heads.items() for h in _provenance(h_)],
        "test F1 and Δ test F1 vs baseline: as each source table scores test F1 (its header says how), with its "
        "95 % interval; the intervals cover test patches, not seeds, so lines of different seeds are not "
        "matched; the paper's rows are cumulative, its change is its test F1 minus its baseline's, on the "
        "Zindi leaderboard (real data), with no interval",
        f"replicates the paper?: {RULE}",
        summary_line(df, list(tables)))
    shown = shown_frame(grid, df, list(tables), [source for source, _ in heads.values()])
    md_path = write_table(df, head, Path(args.out) / "tables", args.name, shown=shown, latex=False)[1]
    print(md_path.read_text())

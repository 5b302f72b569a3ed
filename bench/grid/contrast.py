"""``python -m bench contrast``: Table 2 in two regimes, row by row, beside the paper.

Reads two finished Table 2s, by default the fitted quick profile's (``tables/table2.csv``) and the
under-fit profile's (``tables/table2_underfit.csv``), and writes each row's train F1 and change in test
F1 against its baseline (fold ensemble, paired bootstrap 95 % interval) beside the paper's, with a
verdict per regime: does the paper's finding replicate there? Nothing is trained, so the verdicts
always describe the committed tables, never numbers copied by hand."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.grid.report import header_lines
from bench.output import write_table
from landslide.errors import LandslideError

# The paper gives no interval; a change of its smaller than this is read as no change.
PAPER_NO_CHANGE = 0.01


def read_table(path: Path, makes_it: str) -> tuple[list[str], pd.DataFrame]:
    """A grid table's CSV: its ``# `` header lines and its rows. ``makes_it`` is the command to run when
    it is missing."""
    if not path.is_file():
        raise LandslideError(f"{path} not found: run `{makes_it}` first (or pass its folder with --tables)")
    lines = path.read_text().splitlines()
    head = [ln[2:] for ln in lines if ln.startswith("# ")]
    df = pd.read_csv(path, comment="#")
    missing = {"row", "paper_test_f1", "train_f1", "test_f1", "delta_test_base_lo"} - set(df.columns)
    if missing:
        raise LandslideError(f"{path} has no column {', '.join(sorted(missing))}: it is not a Table 2 of "
                             f"this version; regenerate it with `{makes_it}`")
    return head, df.set_index("row")


def sign(lo: float, hi: float) -> int:
    """+1 or -1 when a 95 % interval excludes 0, else 0."""
    return 1 if lo > 0 else -1 if hi < 0 else 0


def verdict(paper: float, lo: float, hi: float) -> str:
    """Whether our interval [lo, hi] replicates the paper's change ``paper`` (no interval published)."""
    ours, theirs = sign(lo, hi), (0 if abs(paper) < PAPER_NO_CHANGE else 1 if paper > 0 else -1)
    holds_paper = lo <= paper <= hi
    if ours == 0 and theirs == 0:
        return "yes: no change in either (ours within noise)"
    if ours == 0:
        return ("unresolved: holds 0 and the paper's change" if holds_paper
                else "no: within noise of 0, the paper's change outside the interval")
    if ours == theirs:
        return "yes" if holds_paper else "yes in sign, not in size"
    return f"no: ours {'above' if ours > 0 else 'below'} 0, the paper's {paper:+.3f}"


def _interval(v: float, lo: float, hi: float) -> str:
    return f"{v:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def contrast_frame(fitted: pd.DataFrame, underfit: pd.DataFrame) -> pd.DataFrame:
    """One line per row of the fitted table (the under-fit table's row beside it where it has one)."""
    baseline = fitted.index[0]
    paper_base = fitted.loc[baseline, "paper_test_f1"]
    lines = []
    for row, f in fitted.iterrows():
        line = {"row": row, "paper train F1": f"{f.paper_train_f1:.3f}"}
        if row == baseline:
            line["paper Δ test"] = f"test {paper_base:.3f}"
        else:
            line["paper Δ test"] = f"{f.paper_test_f1 - paper_base:+.3f}"
        for name, table in (("fitted", fitted), ("under-fit", underfit)):
            if row not in table.index:
                continue
            r = table.loc[row]
            line[f"{name}: train F1"] = "" if pd.isna(r.train_f1) else f"{r.train_f1:.3f}"
            if row == baseline:
                line[f"{name}: Δ test [95 %]"] = f"test {r.test_f1:.3f} [{r.test_f1_lo:.3f}, {r.test_f1_hi:.3f}]"
                line[f"{name}: replicates?"] = ""
            elif pd.isna(r.delta_test_base_lo) or pd.isna(f.paper_test_f1):
                # a row whose cells did not all finish, or one the paper has no number for
                line[f"{name}: Δ test [95 %]"] = ("" if pd.isna(r.delta_test_base_lo)
                                                  else _interval(r.delta_test_base, r.delta_test_base_lo,
                                                                 r.delta_test_base_hi))
                line[f"{name}: replicates?"] = ("no interval" if pd.isna(r.delta_test_base_lo)
                                                else "no paper number")
            else:
                line[f"{name}: Δ test [95 %]"] = _interval(r.delta_test_base, r.delta_test_base_lo,
                                                           r.delta_test_base_hi)
                line[f"{name}: replicates?"] = verdict(f.paper_test_f1 - paper_base, r.delta_test_base_lo,
                                                       r.delta_test_base_hi)
        lines.append(line)
    return pd.DataFrame(lines).fillna("")


def _described(head: list[str]) -> list[str]:
    # the data/profile and regime lines say which table a column comes from
    return [h for h in head if h.startswith(("data:", "regime:"))]


def contrast_command(args) -> None:
    tables = Path(args.tables) if args.tables else Path(args.out) / "tables"
    fitted_head, fitted = read_table(tables / f"{args.fitted}.csv", "python -m bench table2")
    underfit_head, underfit = read_table(tables / f"{args.underfit}.csv",
                                         "python -m bench table2 --profile underfit --seeds 0")
    head = header_lines(
        "Table 2 in two regimes beside the paper: each row's change in test F1 against its baseline",
        *[f"fitted ({args.fitted}): {h}" for h in _described(fitted_head)],
        *[f"under-fit ({args.underfit}): {h}" for h in _described(underfit_head)],
        "Δ test: fold ensemble on the held-out split, paired bootstrap 95 % interval; the paper's rows are "
        "cumulative and its change is its test F1 minus its baseline's (no interval published)",
        f"replicates?: yes when our interval excludes 0 on the paper's side and holds the paper's change "
        f"('yes in sign' when it excludes it); a paper change under {PAPER_NO_CHANGE} counts as none")
    df = contrast_frame(fitted, underfit)
    md_path = write_table(df, head, Path(args.out) / "tables", args.name, latex=False)[1]
    print(md_path.read_text())

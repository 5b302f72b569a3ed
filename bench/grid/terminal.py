"""What a person sees while a grid runs: live progress, then a compact table (the files keep every column).

Progress: one bar for the cells this command runs (done of all, with the time left) and one line per
worker (its cell, fold and epoch). Workers send events, plain tuples so that they cross a process
boundary through a queue:

- ``("cell", worker, row, seed, folds, epochs)``: the worker starts a cell;
- ``("epoch", worker, fold, epoch)``: an epoch (0-based) of that cell starts;
- ``("done", worker, line)``: the cell ended (finished, failed or finished elsewhere); ``line``, if not
  empty, is printed above the bars.

The bar counts a cell in progress by the share of its epochs started, so the time left is estimated
from the first epochs on, not only once a whole cell (minutes) has finished. Off a terminal (a log
file, CI) the bars are left out and only the lines are printed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from bench.grid.verdict import short_verdict


class GridProgress:
    def __init__(self, name: str, total: int, workers: int):
        self.name, self.total, self.done = name, total, 0
        self.cells = tqdm(total=total, disable=None, dynamic_ncols=True,
                          bar_format="{desc}{percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]")
        self.lines = [tqdm(total=0, position=i + 1, disable=None, leave=False, bar_format="{desc}")
                      for i in range(workers)]
        self.cell: dict[int, tuple] = {}     # worker -> (row, seed, folds, epochs)
        self.share: dict[int, float] = {}    # worker -> share of its cell's epochs started
        self._show()

    def put(self, event: tuple) -> None:
        """Take one worker event (the in-process worker calls this directly, as a queue's ``put``)."""
        kind, worker, *rest = event
        if kind == "cell":
            self.cell[worker], self.share[worker] = tuple(rest), 0.0
            row, seed = rest[0], rest[1]
            self._line(worker, f"{row} seed {seed}: loading data")
        elif kind == "epoch" and worker in self.cell:
            row, seed, folds, epochs = self.cell[worker]
            fold, epoch = rest
            self.share[worker] = (fold * epochs + epoch) / max(folds * epochs, 1)
            self._line(worker, f"{row} seed {seed}: fold {fold + 1}/{folds}, epoch {epoch + 1}/{epochs}")
        elif kind == "done":
            self.done += 1
            self.cell.pop(worker, None)
            self.share.pop(worker, None)
            self._line(worker, "")
            if rest and rest[0]:
                self.cells.write(rest[0])
        self._show()

    def listen(self, events) -> None:
        """Take events from a queue until it yields None (run in a thread of the parent process)."""
        for event in iter(events.get, None):
            self.put(event)

    def close(self) -> None:
        for bar in self.lines:
            bar.close()
        self.cells.close()

    def _line(self, worker: int, text: str) -> None:
        if worker < len(self.lines):
            self.lines[worker].set_description_str(f"  worker {worker + 1}: {text}" if text else "")

    def _show(self) -> None:
        self.cells.set_description_str(f"{self.name}: {self.done}/{self.total} cells ", refresh=False)
        self.cells.n = min(self.done + sum(self.share.values()), self.total)
        self.cells.refresh()


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _score(v: float, spread: str) -> str:
    return "" if np.isnan(v) else f"{v:.3f}{spread}"


def _change(d: float, lo: float, hi: float, mark: str = "") -> str:
    if np.isnan(d):
        return ""
    text = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]" if not np.isnan(lo) else f"{d:+.3f}"
    return f"{text} {mark}".rstrip()


def compact_frame(df: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The terminal's view of ``build_table``'s frame: row, CV F1, the change against the baseline with its
    95 % interval (on the labelled test split where there is one, as the paper's figure is a test F1;
    else the corrected t-test's over folds and seeds), test F1, the paper's test F1 with its change, and
    whether that change replicates (the rule: bench/grid/verdict.py)."""
    def col(name: str) -> list[float]:
        return [_num(v) for v in df[name]] if name in df else [float("nan")] * len(df)

    on_test = not np.isnan(col("delta_test_base")).all()
    which = "delta_test_base" if on_test else "delta_base"
    d, lo, hi = col(which), col(f"{which}_lo"), col(f"{which}_hi")
    marks = [m if isinstance(m, str) and not on_test else "" for m in df.get("mark_base", [""] * len(df))]
    out = pd.DataFrame({"row": df["row"]})
    out["CV F1"] = [_score(m, f" ± {s:.3f}" if not np.isnan(s) else "") or "not run"
                    for m, s in zip(col("cv_f1"), col("cv_f1_std"), strict=True)]
    name = "Δ test vs base [95 %]" if on_test else "Δ CV vs base [95 %]"
    out[name] = [_change(*v) for v in zip(d, lo, hi, marks, strict=True)]
    out["test F1 [95 %]"] = [_score(t, f" [{a:.3f}, {b:.3f}]" if not np.isnan(a) else "")
                             for t, a, b in zip(col("test_f1"), col("test_f1_lo"), col("test_f1_hi"), strict=True)]
    if "paper_test_f1" in df:
        paper = col("paper_test_f1")
        base = dict(zip(df["row"], paper, strict=True)).get(baseline, float("nan"))
        changes = [p - base if r != baseline else float("nan") for r, p in zip(df["row"], paper, strict=True)]
        out["paper test F1 (Δ)"] = [("" if np.isnan(p) else f"{p:.4f}" + ("" if np.isnan(c) else f" ({c:+.3f})"))
                                    for p, c in zip(paper, changes, strict=True)]
        out["replicates?"] = [short_verdict(c, a, b) for c, a, b in zip(changes, lo, hi, strict=True)]
    return out


def compact_table(df: pd.DataFrame, baseline: str) -> str:
    """``compact_frame`` as a Markdown table whose columns line up in a terminal."""
    shown = compact_frame(df, baseline)
    cols = list(shown.columns)
    width = {c: max([len(c), *(len(str(v)) for v in shown[c])]) for c in cols}
    lines = ["| " + " | ".join(c.ljust(width[c]) for c in cols) + " |",
             "|" + "|".join("-" * (width[c] + 2) for c in cols) + "|"]
    lines += ["| " + " | ".join(str(v).ljust(width[c]) for c, v in zip(cols, r, strict=True)) + " |"
              for r in shown.itertuples(index=False)]
    return "\n".join(lines) + "\n"

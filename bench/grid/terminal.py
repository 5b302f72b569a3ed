"""What a person sees while a grid runs: live progress, then a compact table (the files keep every column).

Progress: one bar for the work this command runs, counted in epochs (a partly trained cell's finished
folds and epochs count as done from the start), with the time left, and one line per worker (its cell,
fold and epoch). Workers send events, plain tuples so that they cross a process boundary through a queue:

- ``("cell", worker, row, seed, folds, epochs)``: the worker starts a cell;
- ``("epoch", worker, fold, done, f1)``: fold ``fold`` (0-based) of that cell has ``done`` epochs finished;
  sent as a fold starts (``f1`` None: ``done`` is its resume point) and after each epoch (``f1`` its
  validation F1);
- ``("done", worker, line)``: the cell ended (finished, failed or finished elsewhere); ``line``, if not
  empty, is printed above the bars.

The time left is the epochs left times the seconds a training epoch took here (from a fold's start or
last epoch to its next epoch's end), shared among the workers: not the wall clock since the start, which
counts data loading and the epochs a resumed cell had already trained. Off a terminal (a log file, a
batch job, ``| tee``) the bars are left out and one plain line is printed per finished epoch.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from bench.grid.verdict import short_verdict


def clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}"


class GridProgress:
    def __init__(self, name: str, plan: dict[tuple[str, int], tuple[int, int]], workers: int):
        """``plan``: (row, seed) -> (epochs to train, epochs already finished) of each cell to run."""
        self.name, self.workers, self.done = name, workers, 0
        self.total_cells = len(plan)
        self.plan = dict(plan)
        self.now = {cell: done for cell, (_, done) in plan.items()}   # epochs finished, by cell
        self.cells = tqdm(total=max(sum(t for t, _ in plan.values()), 1), disable=None, dynamic_ncols=True,
                          bar_format="{desc}{percentage:3.0f}%|{bar}| {postfix}")
        self.plain = bool(self.cells.disable)
        self.lines = [tqdm(total=0, position=i + 1, disable=None, leave=False, bar_format="{desc}")
                      for i in range(workers)]
        self.cell: dict[int, tuple] = {}     # worker -> (row, seed, folds, epochs)
        self.last: dict[int, tuple] = {}     # worker -> (fold, epochs done, when)
        self.start, self.trained_s, self.trained = time.monotonic(), 0.0, 0
        self._show()

    def put(self, event: tuple) -> None:
        """Take one worker event (the in-process worker calls this directly, as a queue's ``put``)."""
        kind, worker, *rest = event
        if kind == "cell":
            self.cell[worker] = tuple(rest)
            row, seed, folds, epochs = rest
            self.plan.setdefault((row, seed), (folds * epochs, 0))
            self.now.setdefault((row, seed), 0)
            self._line(worker, f"{row} seed {seed}: loading data")
        elif kind == "epoch" and worker in self.cell:
            self._epoch(worker, *rest)
        elif kind == "done":
            self.done += 1
            if worker in self.cell:
                row, seed, *_ = self.cell.pop(worker)
                self.now[(row, seed)] = self.plan[(row, seed)][0]
            self.last.pop(worker, None)
            self._line(worker, "")
            if rest and rest[0]:
                self.cells.write(rest[0])
        self._show()

    def _epoch(self, worker: int, fold: int, done: int, f1: float | None) -> None:
        row, seed, folds, epochs = self.cell[worker]
        t = time.monotonic()
        before = self.last.get(worker)
        if f1 is not None and before is not None and before[:2] == (fold, done - 1):  # one epoch, timed
            self.trained_s += t - before[2]
            self.trained += 1
        self.last[worker] = (fold, done, t)
        self.now[(row, seed)] = fold * epochs + done
        self._line(worker, f"{row} seed {seed}: fold {fold + 1}/{folds}, epoch {min(done + 1, epochs)}/{epochs}")
        if f1 is not None and self.plain:
            print(f"  {self.name}/{row} seed {seed}: fold {fold + 1}/{folds}, epoch {done}/{epochs}, validation "
                  f"F1 {f1:.3f}, {clock(t - self.start)} elapsed, {self.left()} left", flush=True)

    def left(self) -> str:
        """The time left, or '?' before a training epoch has been timed."""
        if not self.trained:
            return "?"
        epochs_left = sum(t for t, _ in self.plan.values()) - sum(self.now.values())
        busy = max(1, min(self.workers, self.total_cells - self.done))
        return clock(epochs_left * self.trained_s / self.trained / busy)

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
        self.cells.set_description_str(f"{self.name}: {self.done}/{self.total_cells} cells ", refresh=False)
        self.cells.set_postfix_str(f"{clock(time.monotonic() - self.start)} elapsed, {self.left()} left",
                                   refresh=False)
        self.cells.n = min(sum(self.now.values()), self.cells.total)
        self.cells.refresh()


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _column(df: pd.DataFrame, name: str) -> list[float]:
    """A frame's column as floats (a missing column: all NaN), for the views below."""
    return [_num(v) for v in df[name]] if name in df else [float("nan")] * len(df)


def _score(v: float, spread: str) -> str:
    return "" if np.isnan(v) else f"{v:.3f}{spread}"


def _change(d: float, lo: float, hi: float, mark: str = "") -> str:
    if np.isnan(d):
        return ""
    text = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]" if not np.isnan(lo) else f"{d:+.3f}"
    return f"{text} {mark}".rstrip()


def compact_frame(df: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The terminal's view of ``build_table``'s frame: with the primary metric (a table since issue 36),
    ``primary_frame``'s; else row, CV F1, the change against the baseline with its
    95 % interval (on the labelled test split where there is one, as the paper's figure is a test F1;
    else the corrected t-test's over folds and seeds), test F1, the paper's test F1 with its change, and
    whether that change replicates (the rule: bench/grid/verdict.py)."""
    if "d_ap" in df:
        return primary_frame(df)

    def col(name: str) -> list[float]:
        return _column(df, name)

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


def primary_frame(df: pd.DataFrame) -> pd.DataFrame:
    """What the Markdown table says, narrow enough for a terminal: row, test AP, the change in AP against
    the row's parent with its interval and the Bayesian verdict on it, test F1 (no interval: the files have
    it), and the paper's F1 change."""
    def col(name: str) -> list[float]:
        return _column(df, name)

    parents = [p if isinstance(p, str) else "" for p in df.get("parent", [""] * len(df))]
    out = pd.DataFrame({"row": df["row"]})
    out["test AP [95 %]"] = [_score(t, f" [{a:.3f}, {b:.3f}]" if not np.isnan(a) else "") or "not run"
                             for t, a, b in zip(col("test_ap"), col("test_ap_lo"), col("test_ap_hi"), strict=True)]
    out["Δ AP vs parent [95 %]"] = [_change(d, a, b) + (f" vs {p}" if p and not np.isnan(d) else "")
                                    for d, a, b, p in zip(col("d_ap"), col("d_ap_lo"), col("d_ap_hi"), parents,
                                                          strict=True)]
    out["verdict (AP)"] = [v if isinstance(v, str) else "" for v in df.get("verdict_ap", [""] * len(df))]
    out["test F1"] = [_score(t, "") for t in col("test_f1")]  # its interval: in the files (a terminal's width)
    if "paper_d_f1" in df:  # the paper's change against the same parent, as the Markdown prints it
        out["paper Δ F1"] = ["" if np.isnan(p) else f"{p:+.3f}" for p in col("paper_d_f1")]
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

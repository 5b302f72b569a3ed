"""A learning rate per backbone family, chosen on an inner split: ``bench backbones``' fair comparison.

One recipe does not fit every family (at AdamW 2e-3 for 16 epochs from scratch EfficientNetV2-B0 was
still rising at train F1 0.79 and ViT-Tiny did not fit its fold), so each family trains its candidate
rates on an inner split of outer fold 0's training part (``inner_of_fold=0``: that part is split into
folds afresh, and the outer validation fold and the test split are dropped), and the table's cells then
use the rate with the best inner validation F1. The choice never sees the test split, the table's
headline. It does see rows that are validation rows of the tuning seed's outer folds 1 and 2 (and of
every fold of other seeds, whose folds differ), so the tuned rows' CV F1 may read a little high; the
header says so. The inner cells are ordinary grid cells: stored, resumed and shared like any other.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from bench.grid.inputs import GridInputs
from bench.grid.runner import run_grid
from bench.grid.spec import Grid, Row, changes_packaged
from landslide.errors import LandslideError

DEFAULT_SCALES = (0.25, 0.5, 1.0, 2.0)  # x the profile's lr: quick's 2e-3 gives 5e-4 ... 4e-3


def row_name(row: str, lr: float) -> str:
    return f"{row}@{lr:g}"


def inner_grid(grid: Grid, candidates: list[float]) -> Grid:
    """Every (family, candidate rate) pair as a row trained on the inner split's first fold; a row that
    sets its own ``lr`` keeps it and is not tuned."""
    rows = [Row(row_name(r.name, lr), f"{r.label}, lr {lr:g}",
                {**r.fields, "lr": lr, "inner_of_fold": 0, "folds_trained": 1})
            for r in grid.rows if "lr" not in r.fields for lr in candidates]
    return Grid(f"{grid.name}_lr", f"{grid.title}: learning rate per family on an inner split",
                rows[0].name if rows else "", [*grid.factors, "lr"], rows)


def pick(scores: dict[float, float]) -> float:
    """The candidate with the highest inner F1 (the first of equals, candidates in ascending order)."""
    done = {lr: f1 for lr, f1 in sorted(scores.items()) if np.isfinite(f1)}
    return max(done, key=lambda lr: done[lr])


def choose_family_lrs(inputs: GridInputs, candidates: list[float]) -> tuple[Grid, pd.DataFrame, str]:
    """Train the inner cells of ``inputs``' grid at its first seed (those missing), then return the grid
    with each row's chosen ``lr`` (marked as tuned, so the table keeps its packaged name), the table of
    inner scores and the cells' data. A failed inner cell stops the command: a rate chosen among the
    survivors would not be the choice the header states."""
    grid = inputs.grid
    inner = inner_grid(grid, candidates)
    if not inner.rows:  # every row sets its own rate
        return grid, pd.DataFrame(), ""
    result = run_grid(inputs.with_grid(inner, inputs.seeds[:1]))
    cells, metrics, failed = result.cells, result.metrics, result.failed
    if failed:
        raise LandslideError(f"{len(failed)} inner cell(s) of {inner.name} failed (listed above), so no rate is "
                             f"chosen; fix the cause and rerun with --retry-failed, or pass --one-lr")
    missing = [c.row for c in cells if c.key not in metrics]
    if missing:  # neither finished nor failed: another process queued them again and has not run them
        raise LandslideError(f"inner cells {missing} of {inner.name} are not finished; run the same command again")
    found = {c.row: metrics[c.key] for c in cells}
    lines, rows, tuned = [], [], {}
    for row in grid.rows:
        if "lr" in row.fields:
            rows.append(row)
            continue
        scores = {lr: found[row_name(row.name, lr)]["cv_f1_mean"] for lr in candidates}
        chosen = pick(scores)
        lines += [{"row": row.name, "family": row.label, "lr": lr, "inner_val_f1": round(scores[lr], 4),
                   "train_f1": round(found[row_name(row.name, lr)]["train_f1"], 4),
                   "chosen": "yes" if lr == chosen else ""} for lr in candidates]
        rows.append(replace(row, fields={**row.fields, "lr": chosen}))
        tuned[row.name] = {"lr": chosen}
    data = next(m["data"] for m in found.values())
    return replace(grid, rows=rows, tuned=tuned), pd.DataFrame(lines), data  # table's lr: measured_columns


def parse_rates(text: str | None, base_lr: float) -> list[float]:
    """``--lr-candidates``: comma-separated rates; none given: the profile's rate x DEFAULT_SCALES."""
    if text is None:
        return [base_lr * s for s in DEFAULT_SCALES]
    try:
        rates = sorted({float(s) for s in text.replace(" ", "").split(",") if s})
    except ValueError:
        rates = []
    if not rates or min(rates) <= 0 or not all(np.isfinite(rates)):
        raise LandslideError(f"--lr-candidates {text!r}: give comma-separated positive rates, e.g. 5e-4,1e-3,2e-3")
    if len({f"{r:g}" for r in rates}) < len(rates):  # the inner rows are named by the rate's 6 digits
        raise LandslideError(f"--lr-candidates {text!r}: two rates agree to 6 significant digits; drop one")
    return rates


def edge_notes(tuned: Grid, candidates: list[float]) -> list[str]:
    """A rate chosen at either end of the (sorted) candidates may not be the family's best: say so."""
    notes = []
    for name, fields in tuned.tuned.items():
        lr = fields["lr"]
        if len(candidates) > 1 and lr in (candidates[0], candidates[-1]):
            end, other = ("lowest", "smaller") if lr == candidates[0] else ("highest", "larger")
            notes.append(f"{name}: chosen at the {end} candidate, {lr:g}; its best rate may lie beyond it (try "
                         f"{other} rates with --lr-candidates)")
    return notes


def tune_rates(inputs: GridInputs, lr_candidates: str | None) -> tuple[Grid, list[str]]:
    """``inputs``' grid with each family's rate chosen on an inner split (``--lr-candidates``: the rates
    tried), the inner table written as ``<stem>_lr``; and the lines the table's header gets."""
    from bench.grid.report import data_profile_line
    from bench.output import output_stem, write_table
    if "lr" in inputs.sets:
        raise LandslideError("--set lr: bench backbones chooses each family's rate on an inner split; give "
                             "the rates to try with --lr-candidates, or add --one-lr to train every family at "
                             "--set lr")
    if "inner_of_fold" in inputs.sets:
        raise LandslideError("--set inner_of_fold: bench backbones sets it on the cells that choose the rates "
                             "and leaves it off the table's cells (which then score the test split)")
    grid, base, seed = inputs.grid, inputs.base, inputs.seeds[0]
    candidates = parse_rates(lr_candidates, base.lr)
    families = sum("lr" not in r.fields for r in grid.rows)
    print(f"learning rate per family: {len(candidates)} rates ({', '.join(f'{r:g}' for r in candidates)}) x "
          f"{families} families on an inner split of fold 0's training part (seed {seed})", flush=True)
    tuned, scores, data = choose_family_lrs(inputs, candidates)
    if scores.empty:
        return tuned, []
    custom = lr_candidates is not None or changes_packaged(tuned)
    stem = output_stem(f"{grid.name}_lr", base, custom=custom)
    head = [f"{grid.title}: learning rate per family, inner validation F1 (at 0.5, final weights) on an inner "
            f"split of seed {seed}'s outer fold 0 training part",
            data_profile_line(base, data) + " (its lr: the candidates')",
            "never seen by the choice: the test split and that fold's validation rows; seen: the validation "
            "rows of the other folds (and of every fold of other seeds)"]
    from bench.figures.backbones_table import rates_summary, readable_rates
    paths = write_table(scores, [*head, rates_summary(scores)], inputs.out / "tables", stem, readable_rates(scores))
    chosen = ", ".join(f"{r.name} {r.fields['lr']:g}" for r in tuned.rows if r.name in tuned.tuned)
    print(f"chosen rates: {chosen} (wrote {', '.join(map(str, paths))})", flush=True)
    edges = edge_notes(tuned, candidates)
    for line in edges:
        print("  " + line, flush=True)
    return tuned, [f"learning rate per family (the profile line's lr is the others'), chosen on an inner split "
                   f"({stem}.md): {chosen}; tuned rows' CV F1 may read a little high, test F1 is clean", *edges]

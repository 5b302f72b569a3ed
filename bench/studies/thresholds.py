"""``python -m bench thresholds``: Table 2's rows at the fixed 0.5 threshold and at a threshold chosen on
out-of-fold scores (cross-fitted: fold k is scored at the threshold that maximises F1 on the *other*
folds). Mixed (soft) labels and SMOTE's changed class share move a network's probabilities, so a row can
lose F1 at 0.5 without ranking patches any worse; this table separates the two (no retraining).

``python -m bench rebuild`` remakes the table from the grid's committed score archive (``rebuild_thresholds``):
the out-of-fold scores are all it reads, so a change of this table's reading costs no run folder."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.grid.archive import Archive, rounded
from bench.grid.inputs import grid_inputs
from bench.grid.reference import TABULAR_START
from bench.grid.report import header_lines
from bench.grid.rundirs import finished_run_dir
from bench.grid.runner import run_grid
from bench.grid.spec import Grid, changes_packaged, load_grid
from bench.grid.tables import stored_measured_lines
from bench.output import output_stem, read_table, write_table
from landslide.config import ExperimentConfig
from landslide.metrics import corrected_ttest
from landslide.train.rundir import require_every_fold
from landslide.tricks.predict import run_scores
from landslide.tricks.threshold import cross_fitted, per_fold_f1

# one row's per-(seed, fold) readings: F1 at 0.5, F1 at the cross-fitted threshold, that threshold
Readings = tuple[list[float], list[float], list[float]]


def fold_f1s(run_dir: Path, cfg: ExperimentConfig) -> tuple[list[float], list[float], list[float]]:
    """(F1 at 0.5, cross-fitted F1, threshold) per fold of a finished run, scored by the configuration's own
    head (cached predictions and embeddings only): Table 3's rows share one network and differ by head."""
    rs = run_scores(run_dir, 1, cfg.head, cfg.svm_c)
    # rounded as the archive rounds them, so that its rebuild reads the very scores this table read
    return readings(rs.labels, rounded(rs.oof), rs.fold_of)


def readings(labels, oof, fold_of) -> Readings:
    thresholds, tuned = cross_fitted(labels, oof, fold_of)
    return per_fold_f1(labels, oof, fold_of), tuned, thresholds


def summary_line(changes: dict[str, tuple[float, float]]) -> str:
    """One line above the table: the range of the tuned-minus-0.5 changes, and which rows' changes pass
    p < 0.05 (``changes``: row -> (change, p))."""
    if not changes:
        return "cross-fitted threshold against 0.5: no row finished"
    d = [c for c, _ in changes.values()]
    clear = [f"{r} {c:+.4f} (p {p:.3f})" for r, (c, p) in changes.items() if p < 0.05]
    return (f"cross-fitted threshold against 0.5, CV F1: changes {min(d):+.4f} to {max(d):+.4f}; p < 0.05 for "
            f"{', '.join(clear) if clear else 'none'} of {len(changes)} rows")


def thresholds_command(args) -> None:
    inputs = grid_inputs(load_grid(args.grid), args)
    grid, base, seeds, out = inputs.grid, inputs.base, list(inputs.seeds), inputs.out
    require_every_fold(base)  # before training anything
    per_row: dict[str, Readings] = {}
    for c, _ in run_grid(inputs).finished():
        _extend(per_row, c.row, fold_f1s(finished_run_dir(out, c.cfg, inputs.progress), c.cfg))
    paths = write_thresholds(grid, base, seeds, stored_measured_lines(inputs), per_row, out,
                             output_stem(f"{grid.name}_thresholds", base, custom=changes_packaged(grid)))
    print(paths[1].read_text())


def rebuild_thresholds(archive: Archive, grid: Grid, base: ExperimentConfig, tables: Path, out: Path) -> list[Path]:
    """The thresholds table of an archived grid, from its out-of-fold scores, where ``tables`` holds one
    made from the same seeds (a grid whose thresholds were never asked for gets none)."""
    facts = archive.facts
    # named after the archive's own table (table2_long -> table2_thresholds_long), not after today's grid
    # files and profile defaults, which may have moved since
    stem = f"{grid.name}_thresholds{facts['stem'].removeprefix(grid.name)}"
    committed = tables / f"{stem}.csv"
    if base.folds_trained or not committed.is_file():  # a preview has no other folds to choose a threshold on
        return []
    seeds = [int(s) for s in facts["seeds"]]
    title = read_table(committed)[0][0]
    if not title.endswith(f"seeds {','.join(map(str, seeds))})"):
        print(f"kept {committed} as it is: it reads other seeds than its archive's ({title.rsplit('seeds', 1)[-1]} "
              f"against {seeds}); python -m bench thresholds remakes it from the run folders")
        return []
    oof = archive.scores[archive.scores.split == "oof"]
    per_row: dict[str, Readings] = {}
    for seed in seeds:  # the command's order: the seeds as given, each row's cells in them
        for row, cell in oof[oof.seed == seed].groupby("row", sort=False):
            _extend(per_row, str(row), readings(cell.label.to_numpy(), cell.score.to_numpy(), cell.fold.to_numpy()))
    # the regime and any collapsed folds: what the thresholds read; the tabular line is Table 2's
    measured = [line for line in facts["measured"] if not line.startswith(TABULAR_START)]
    return write_thresholds(grid, base, seeds, measured, per_row, out, stem)


def _extend(per_row: dict[str, Readings], row: str, found: Readings) -> None:
    mine = per_row.setdefault(row, ([], [], []))
    for kept, new in zip(mine, found, strict=True):
        kept.extend(new)


def write_thresholds(grid: Grid, base: ExperimentConfig, seeds: list[int], measured: list[str],
                     per_row: dict[str, Readings], out: Path, stem: str) -> list[Path]:
    """The table of ``per_row`` (grid order), with its header and summary line, under ``out``/tables."""
    lines, changes = [], {}
    for row in grid.rows:
        if row.name not in per_row:
            continue
        plain, tuned, t = per_row[row.name]
        d, p = corrected_ttest(np.subtract(tuned, plain), base.folds)
        changes[row.name] = (d, p)
        lines.append({"row": row.name, "CV F1 at 0.5": f"{np.mean(plain):.4f} ± {np.std(plain):.4f}",
                      "CV F1 at OOF threshold": f"{np.mean(tuned):.4f} ± {np.std(tuned):.4f}",
                      "change (p)": f"{d:+.4f} ({p:.2f})", "thresholds": f"{min(t):.2f}-{max(t):.2f}"})
    head = header_lines(f"{grid.title}: CV F1 at 0.5 and at a cross-fitted out-of-fold threshold "
                        f"({base.profile} profile, seeds {','.join(map(str, seeds))})",
                        *measured,
                        "change: corrected resampled t-test over (seed, fold) of the tuned against the 0.5 score",
                        summary_line(changes))
    return write_table(pd.DataFrame(lines), head, out / "tables", stem, latex=False)

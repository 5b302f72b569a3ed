"""``python -m bench thresholds``: Table 2's rows at the fixed 0.5 threshold and at a threshold chosen on
out-of-fold scores (cross-fitted: fold k is scored at the threshold that maximises F1 on the *other*
folds). Mixed (soft) labels and SMOTE's changed class share move a network's probabilities, so a row can
lose F1 at 0.5 without ranking patches any worse; this table separates the two (no retraining)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.grid.inputs import grid_inputs
from bench.grid.report import header_lines
from bench.grid.rundirs import finished_run_dir
from bench.grid.runner import run_grid
from bench.grid.spec import changes_packaged, load_grid
from bench.grid.tables import stored_measured_lines
from bench.output import output_stem, write_table
from landslide.config import ExperimentConfig
from landslide.metrics import corrected_ttest
from landslide.train.rundir import require_every_fold
from landslide.tricks.predict import run_scores
from landslide.tricks.threshold import cross_fitted, per_fold_f1


def fold_f1s(run_dir: Path, cfg: ExperimentConfig) -> tuple[list[float], list[float], list[float]]:
    """(F1 at 0.5, cross-fitted F1, threshold) per fold of a finished run, scored by the configuration's own
    head (cached predictions and embeddings only): Table 3's rows share one network and differ by head."""
    rs = run_scores(run_dir, 1, cfg.head, cfg.svm_c)
    thresholds, tuned = cross_fitted(rs.labels, rs.oof, rs.fold_of)
    return per_fold_f1(rs.labels, rs.oof, rs.fold_of), tuned, thresholds


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
    per_row: dict[str, tuple[list, list, list]] = {}
    for c, _ in run_grid(inputs).finished():
        plain, tuned, t = fold_f1s(finished_run_dir(out, c.cfg, inputs.progress), c.cfg)
        row = per_row.setdefault(c.row, ([], [], []))
        row[0].extend(plain), row[1].extend(tuned), row[2].extend(t)
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
    measured = stored_measured_lines(inputs)
    head = header_lines(f"{grid.title}: CV F1 at 0.5 and at a cross-fitted out-of-fold threshold "
                        f"({base.profile} profile, seeds {','.join(map(str, seeds))})",
                        *measured,
                        "change: corrected resampled t-test over (seed, fold) of the tuned against the 0.5 score",
                        summary_line(changes))
    df = pd.DataFrame(lines)
    stem = output_stem(f"{grid.name}_thresholds", base, custom=changes_packaged(grid))
    md_path = write_table(df, head, out / "tables", stem, latex=False)[1]
    print(md_path.read_text())

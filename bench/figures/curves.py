"""Learning curves of a grid's rows: validation F1 against training epochs, mean and spread over
(seed, fold), from the histories the folds record. Whether the baseline has reached a plateau within
its schedule is read here, not assumed."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.grid.cells import run_dir_for
from bench.output import save_figure
from landslide.train.rundir import RunDir


def row_histories(run) -> dict[str, list[np.ndarray]]:
    """Row -> one (step, val F1) history per (seed, fold) of its finished cells."""
    out: dict[str, list[np.ndarray]] = {}
    for cell in run.cells:
        if cell.key not in run.metrics:
            continue
        # the folder from the layout, not the path stored with the metrics (relative to where it ran)
        rd = RunDir(run_dir_for(run.out, cell.cfg))
        for fold in range(cell.cfg.folds):
            r = rd.read_fold_result(fold)
            if r is not None and len(r.history):
                out.setdefault(cell.row, []).append(r.history)
    return out


def plot_learning_curves(run, name: str = None) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    curves = row_histories(run)
    if not curves:
        return []
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, (row, hists) in enumerate(curves.items()):
        n = min(len(h) for h in hists)
        f1 = np.stack([h[:n, 1] for h in hists])
        x = np.arange(1, n + 1) * run.base.epochs / n  # histories hold one score per evaluation
        width = 2.5 if row == run.grid.baseline else 1.2
        ax.plot(x, f1.mean(0), lw=width, color=f"C{i}", label=f"{row} (n={len(hists)})")
        ax.fill_between(x, f1.mean(0) - f1.std(0), f1.mean(0) + f1.std(0), color=f"C{i}", alpha=0.12)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation F1 (mean ± std over seed x fold)")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    regime = [line for line in run.measured if line.startswith("regime:")][:1]
    ax.set_title("\n".join(run.header()[:2] + regime), fontsize=6)
    return save_figure(fig, run.out / "figures", name or f"{run.stem}_curves")

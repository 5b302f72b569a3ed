"""Learning curves of a grid's rows: validation F1 and the mean training loss against training epochs, mean
and spread over (seed, fold), from the histories the folds record. Whether the baseline has reached a
plateau within its schedule is read here, not assumed.

``draw_curves`` draws from the curves alone (no run folder), so a test or another command can draw them;
``plot_learning_curves`` reads them from a grid's run folders."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.grid.cells import run_dir_for
from bench.output import save_figure
from landslide.profiles import profile_name
from landslide.train.results import FoldResult
from landslide.train.rundir import RunDir


@dataclass(frozen=True)
class Curve:
    """One (seed, fold)'s record: (step, validation F1) per evaluation, and the mean training loss per
    epoch (None, or shorter than the schedule, where the fold was trained before the loss was kept)."""
    history: np.ndarray
    train_loss: np.ndarray | None = None


def row_results(run) -> dict[str, list[FoldResult]]:
    """Row -> the fold results, one per (seed, fold), of its finished cells that hold a history."""
    out: dict[str, list[FoldResult]] = {}
    for cell in run.cells:
        if cell.key not in run.metrics:
            continue
        # the folder from the layout, not the path stored with the metrics (relative to where it ran)
        rd = RunDir(run_dir_for(run.out, cell.cfg))
        for fold in range(cell.cfg.folds):
            r = rd.read_fold_result(fold)
            if r is not None and len(r.history):
                out.setdefault(cell.row, []).append(r)
    return out


def row_histories(run) -> dict[str, list[np.ndarray]]:
    """Row -> one (step, val F1) history per (seed, fold) of its finished cells."""
    return {row: [r.history for r in results] for row, results in row_results(run).items()}


def _mean_band(ax, x, values: np.ndarray, colour: str, width: float, label: str | None) -> None:
    ax.plot(x, values.mean(0), lw=width, color=colour, label=label)
    ax.fill_between(x, values.mean(0) - values.std(0), values.mean(0) + values.std(0), color=colour, alpha=0.12)


def draw_curves(curves: dict[str, list[Curve]], epochs: int, baseline: str, title: str, caption: list[str],
                stem: Path) -> list[Path]:
    """Two panels over the same epochs: validation F1 (left) and training loss (right), one line per row
    (mean over its curves, band: ± std), the baseline drawn thicker: ``stem``.png and .pdf, and ``caption`` in
    ``stem``.txt."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    fig, (f1_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True)
    any_loss = False
    for i, (row, found) in enumerate(curves.items()):
        colour, width = f"C{i % 10}", 2.5 if row == baseline else 1.2
        n = min(len(c.history) for c in found)
        # histories hold one score per evaluation; evaluations are spread evenly over the schedule
        _mean_band(f1_ax, np.arange(1, n + 1) * epochs / n, np.stack([c.history[:n, 1] for c in found]), colour,
                   width, f"{row} (n={len(found)})")
        losses = [c.train_loss for c in found if c.train_loss is not None and len(c.train_loss)]
        if losses:
            m = min(len(v) for v in losses)  # the last m epochs: a resumed old fold lacks the first ones
            _mean_band(loss_ax, np.arange(epochs - m + 1, epochs + 1), np.stack([v[-m:] for v in losses]), colour,
                       width, None)
            any_loss = True
    f1_ax.set_ylabel("validation F1")
    f1_ax.set_ylim(0, 1)
    loss_ax.set_ylabel("training loss (mean per epoch)")
    if not any_loss:
        loss_ax.text(0.5, 0.5, "no training loss recorded\n(folds trained before it was kept)",
                     ha="center", va="center", transform=loss_ax.transAxes, fontsize=9, color="0.4")
    for ax in (f1_ax, loss_ax):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0.5, epochs + 0.5)
        ax.grid(alpha=0.3)
    # the legend below both panels, so that it covers no curve
    fig.legend(*f1_ax.get_legend_handles_labels(), loc="lower center", ncol=min(4, len(curves)), fontsize=7,
               frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.06 + 0.035 * ((len(curves) - 1) // 4), 1, 1))
    return save_figure(fig, stem.parent, stem.name, caption)


def plot_learning_curves(run, name: str | None = None) -> list[Path]:
    found = row_results(run)
    if not found:
        return []
    curves = {row: [Curve(r.history, r.train_loss) for r in results] for row, results in found.items()}
    name = name or f"{run.stem}_curves"
    paper = f"paper Table {run.grid.paper_table} rows" if run.grid.paper_table else f"{run.grid.name} rows"
    title = f"Learning curves, {paper}, {profile_name(run.base)} profile (details: {name}.txt)"
    kept = [line for line in run.header()[2:] if line.startswith(("regime:", "collapsed:", "code:"))]
    caption = run.header()[:2] + kept + [
        "left: validation F1 of each evaluation, mean over (seed, fold), band ± std; right: the mean training loss "
        "of each epoch on its augmented batches (soft-label loss: not comparable across rows that mix labels); "
        "thick line: the baseline"]
    return draw_curves(curves, run.base.epochs, run.grid.baseline, title, caption, run.out / "figures" / name)

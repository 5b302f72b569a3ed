"""The picture of an ablation (a forest plot): each row's change against its parent on the primary metric
and on test F1, with 95 % intervals over seeds and test patches, the paper's F1 change beside it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.grid.stats import PRIMARY, ROPE
from bench.output import save_figure


def plot_effects(df: pd.DataFrame, title: str, out: Path, name: str) -> list[Path]:
    """``df``: a grid table with its measurement columns (``bench.grid.report.with_measures``)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bench.grid.report import METRIC_NAMES
    rows = df[df.get("parent", pd.Series("", index=df.index)).fillna("").astype(str) != ""]
    rows = rows[rows.get(f"d_{PRIMARY}", pd.Series(np.nan, index=rows.index)).notna()]
    if rows.empty:
        return []
    y = np.arange(len(rows))[::-1]
    fig, axes = plt.subplots(1, 2, figsize=(8.5, 0.45 * len(rows) + 1.6), sharey=True)
    panels = ((PRIMARY, f"Δ {METRIC_NAMES[PRIMARY]} (primary)"), ("f1_05", "Δ F1 at 0.5 (the paper's reading)"))
    for ax, (metric, label) in zip(axes, panels, strict=True):
        d = rows[f"d_{metric}"].to_numpy(float)
        lo, hi = rows[f"d_{metric}_lo"].to_numpy(float), rows[f"d_{metric}_hi"].to_numpy(float)
        err = np.abs(np.vstack([d - lo, hi - d]))
        ax.axvspan(-ROPE, ROPE, color="0.9", zorder=0, label=f"±{ROPE} (no practical change)")
        ax.axvline(0, color="0.5", lw=0.8)
        ax.errorbar(d, y, xerr=err, fmt="o", color="C0", capsize=3, label="ours [95 %]")
        if metric == "f1_05" and "paper_d_f1" in rows:
            ax.plot(rows.paper_d_f1.to_numpy(float), y, "D", color="C3", ms=5, label="paper")
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [f"{r} vs {p}" for r, p in zip(rows.row, rows.parent, strict=True)])
    # below the panels, so that it covers no interval
    fig.legend(*axes[1].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    paths = save_figure(fig, out, name)
    plt.close(fig)
    return paths

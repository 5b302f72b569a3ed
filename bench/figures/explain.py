"""``python -m bench umap`` (Fig. 6) and ``python -m bench occlusion`` (Fig. 7).

Both use trained cells of Table 2 from the results store (same --out/--storage/profile/seed), and
train the cells they need when the store lacks them; they print which run folders they used.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.args import parse_seeds
from bench.grid.cells import run_dir_for
from bench.grid.runner import run_grid
from bench.grid.spec import Grid, load_grid
from bench.output import output_stem, save_figure
from landslide.atomic import write_text_atomic
from landslide.data.bands import channel_kind, channel_names
from landslide.options import config_from_args
from landslide.train.cv import training_set
from landslide.train.rundir import RunDir, require_every_fold


def _cells(args, rows: list[str]):
    """Run (or find) the Table 2 cells of ``rows``; return (grid, base cfg, row -> (cell, metrics))."""
    full = load_grid("table2")
    grid = Grid(full.name, full.title, full.baseline, full.factors, [full.row(r) for r in rows], full.paper_table)
    base = config_from_args(args)
    require_every_fold(base)  # before training anything
    seed = parse_seeds(args)[0]
    cells, metrics, _ = run_grid(grid, base, [seed], Path(args.out), args.storage, args.workers, args.retry_failed,
                              progress=not args.no_progress)
    return base, {c.row: (c, metrics.get(c.key)) for c in cells}, seed


def one_network_embeddings(run: RunDir, cfg) -> tuple[np.ndarray, np.ndarray, str]:
    """Embeddings of images that the first fold's network did not train on, with their labels: the test
    split where it is labelled, else that fold's validation images. One network only: the fold networks
    are trained apart, so their embeddings share no coordinates, and pooling their out-of-fold points
    drew one island per network (three, with a red edge each) instead of the classes."""
    r = run.read_fold_result(0)
    ps = training_set(cfg)
    if r.test_emb is not None and ps.test is not None and ps.test.labels is not None:
        return r.test_emb, ps.test.labels, "the test split"
    return r.val_emb, ps.train.labels[r.val_idx], "its validation fold"


def umap_command(args) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from landslide.explain.projection import decision_grid, separation, umap_2d
    rows = ["baseline", args.best_row]
    base, found, seed = _cells(args, rows)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    lines = []
    for ax, (panel, row) in zip(axes, (("a", rows[0]), ("b", rows[1])), strict=True):
        cell, m = found[row]
        run = run_dir_for(Path(args.out), cell.cfg)
        print(f"panel ({panel}): Table 2 row {row!r}, run {run}")
        emb, y, shown = one_network_embeddings(RunDir(run), cell.cfg)
        pts = umap_2d(emb, seed)
        sep = separation(pts, y, seed)
        xx, yy, dec = decision_grid(pts, y)
        ax.contourf(xx, yy, dec > 0, levels=[-0.5, 0.5, 1.5], colors=["#deebf7", "#fee0d2"], alpha=0.8)
        ax.contour(xx, yy, dec, levels=[0], colors="k", linewidths=0.8)
        for cls, colour, name in ((0, "#3182bd", "non-landslide"), (1, "#de2d26", "landslide")):
            ax.scatter(pts[y == cls, 0], pts[y == cls, 1], s=6, c=colour, label=name, alpha=0.7)
        ax.set_title(f"({panel}) {cell.cfg.backbone} Table 2 '{row}' (CV F1 {m['cv_f1_mean']:.3f})\n"
                     f"silhouette {sep['silhouette']:.3f}, 2-D SVM CV acc {sep['svm2d_cv_accuracy']:.3f}",
                     fontsize=9)
        ax.legend(fontsize=8, loc="best")
        ax.set_xticks([])
        ax.set_yticks([])
        lines.append({"panel": panel, "row": row, "run": str(run), "points": shown, "n": len(y),
                      "cv_f1": m["cv_f1_mean"], **sep})
    fig.suptitle(f"UMAP of the first fold's network's pooled embeddings of {shown} ({base.profile} profile, "
                 f"seed {seed}); shaded: 2-D RBF SVM regions")
    out, stem = Path(args.out), output_stem("umap", base)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "tables" / f"{stem}.csv", pd.DataFrame(lines).to_csv(index=False))
    paths = save_figure(fig, out / "figures", stem) + [out / "tables" / f"{stem}.csv"]
    print(pd.DataFrame(lines).drop(columns="run").to_string(index=False))
    print("wrote " + ", ".join(map(str, paths)))


def occlusion_table(run_dir: Path, zero: str, seed: int) -> pd.DataFrame:
    """Importances summed over the folds' held-out images, one line per (channel, method)."""
    from landslide.explain.occlusion import channel_importance
    from landslide.train.trained import load_run
    total = None
    names = channel_names(RunDir(run_dir).read_config().channels)
    for f in load_run(run_dir):
        imp = channel_importance(f.model, f.prep, f.val_x, f.val_y, zero=zero, seed=seed + f.fold)
        total = imp if total is None else {k: total[k] + imp[k] for k in imp}
    lines = []
    for method, values in total.items():
        order = np.argsort(-values)
        ranks = np.empty(len(values), int)
        ranks[order] = np.arange(1, len(values) + 1)
        for c, name in enumerate(names):
            lines.append({"channel": name, "sensor": channel_kind(name), "method": method,
                          "importance": float(values[c]), "rank": int(ranks[c])})
    return pd.DataFrame(lines)


def occlusion_command(args) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    base, found, seed = _cells(args, [args.row])
    cell, m = found[args.row]
    run = run_dir_for(Path(args.out), cell.cfg)
    print(f"occlusion of Table 2 row {args.row!r} (CV F1 {m['cv_f1_mean']:.3f}), run {run}, zero {args.zero}")
    df = occlusion_table(run, args.zero, seed)
    out, stem = Path(args.out), output_stem("occlusion", base)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "tables" / f"{stem}.csv", df.to_csv(index=False))
    methods = ["occlusion_prob", "permutation_prob", "occlusion_f1", "permutation_f1"]
    fig, axes = plt.subplots(1, 4, figsize=(16, 0.28 * df.channel.nunique() + 1.5))
    for ax, method in zip(axes, methods, strict=True):
        d = df[df.method == method].sort_values("importance")
        ax.barh(d.channel, d.importance, color=["#d95f02" if s == "sar" else "#1b9e77" for s in d.sensor])
        ax.set_title(method.replace("_", ": ").replace("prob", "landslide prob. drop").replace("f1", "F1 drop"),
                     fontsize=9)
        ax.axvline(0, color="k", lw=0.5)
    from matplotlib.patches import Patch
    axes[0].legend(handles=[Patch(color="#1b9e77", label="optical"), Patch(color="#d95f02", label="SAR")], fontsize=8)
    fig.suptitle(f"Band importance, {cell.cfg.backbone} Table 2 '{args.row}', summed over {cell.cfg.folds} "
                 f"held-out folds (zero applied {args.zero}; {base.profile} profile)")
    fig.tight_layout()
    paths = save_figure(fig, out / "figures", stem) + [out / "tables" / f"{stem}.csv"]
    top = df[df.method == "occlusion_prob"].sort_values("rank").head(6)
    print("top channels by occlusion:", ", ".join(f"{r.channel} ({r.importance:.3f})" for r in top.itertuples()))
    print("wrote " + ", ".join(map(str, paths)))

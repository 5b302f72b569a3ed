"""``python -m bench umap`` (Fig. 6) and ``python -m bench occlusion`` (Fig. 7).

Both use trained cells of Table 2 from the results store (same --out/--storage/profile/seed), and
train the cells they need when the store lacks them; they print which run folders they used.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.grid.inputs import grid_inputs
from bench.grid.rundirs import finished_run_dir
from bench.grid.runner import run_grid
from bench.grid.spec import Grid, load_grid
from bench.output import output_stem, save_figure
from landslide.atomic import write_text_atomic
from landslide.data.bands import channel_kind, channel_names
from landslide.train.cv import training_set
from landslide.train.rundir import RunDir, require_every_fold


def _cells(args, rows: list[str], command: str):
    """Run (or find) the Table 2 cells of ``rows`` at the one seed given; return (base cfg, row -> (cell,
    metrics), seed)."""
    full = load_grid("table2")
    grid = Grid(full.name, full.title, full.baseline, full.factors, [full.row(r) for r in rows], full.paper_table)
    inputs = grid_inputs(full, args)
    seed = inputs.one_seed(command)
    require_every_fold(inputs.base)  # before training anything
    result = run_grid(inputs.with_grid(grid))
    return inputs.base, {c.row: (c, result.metrics.get(c.key)) for c in result.cells}, seed


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
    base, found, seed = _cells(args, rows, "bench umap")
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    lines = []
    for ax, (panel, row) in zip(axes, (("a", rows[0]), ("b", rows[1])), strict=True):
        cell, m = found[row]
        run = finished_run_dir(Path(args.out), cell.cfg, not args.no_progress)
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


def planted_bands(cfg) -> dict[str, float]:
    """Band -> the strength of the class signal the synthetic generator planted in it (its truth.json,
    beside the data the run read); empty for data without one (the real data: nothing is known there)."""
    import json

    from landslide.data.builtin import builtin_store
    data = Path(cfg.data) if cfg.data else builtin_store(cfg.synth_n, cfg.synth_test_n, cfg.synth_seed, False)
    truth = (data if data.is_dir() else data.parent) / "truth.json"
    return dict(json.loads(truth.read_text()).get("signal_bands", {})) if truth.exists() else {}


def occlusion_table(run_dir: Path, zero: str, seed: int) -> pd.DataFrame:
    """One line per (channel, method): each held-out fold's importance (``fold_1`` ...), their mean and its
    rank, what occlusion set the channel to (``zero``), and the signal the synthetic data planted in the
    channel (``planted``; empty on real data)."""
    from landslide.explain.occlusion import channel_importance
    from landslide.train.trained import load_run
    cfg = RunDir(run_dir).read_config()
    names = channel_names(cfg.channels)
    per_fold = {f.fold: channel_importance(f.model, f.prep, f.val_x, f.val_y, zero=zero, seed=seed + f.fold)
                for f in load_run(run_dir)}
    planted = planted_bands(cfg)
    lines = []
    for method in next(iter(per_fold.values())):
        values = np.stack([imp[method] for imp in per_fold.values()])  # (folds, channels)
        mean = values.mean(0)
        ranks = np.empty(len(mean), int)
        ranks[np.argsort(-mean)] = np.arange(1, len(mean) + 1)
        for c, name in enumerate(names):
            lines.append({"channel": name, "sensor": channel_kind(name), "method": method,
                          "importance": float(mean[c]), "rank": int(ranks[c]), "zero": zero,
                          **{f"fold_{k + 1}": float(values[i, c]) for i, k in enumerate(per_fold)},
                          "planted": planted.get(name, np.nan)})
    return pd.DataFrame(lines)


_PANELS = {"occlusion_prob": "channel set to its training mean:\ndrop in landslide probability",
           "occlusion_f1": "channel set to its training mean:\ndrop in F1",
           "permutation_prob": "channel shuffled across images:\ndrop in landslide probability",
           "permutation_f1": "channel shuffled across images:\ndrop in F1"}
_RAW_PANELS = {k: v.replace("its training mean", "zero (raw value)") for k, v in _PANELS.items()}


def draw_occlusion(df: pd.DataFrame, zero: str, title: str, caption: list[str], out_dir: Path,
                   name: str) -> list[Path]:
    """Fig. 7 from the occlusion table: per method, each channel's mean importance over the held-out folds
    (bar) with the lowest to highest fold (whisker); the channels the synthetic data planted the signal in
    marked (bold, ``*``) where the table knows them."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    folds = [c for c in df if c.startswith("fold_")]
    panels = _PANELS if zero == "normalised" else _RAW_PANELS
    fig, axes = plt.subplots(1, 4, figsize=(16, 0.28 * df.channel.nunique() + 2), sharey=False)
    for ax, (method, panel) in zip(axes, panels.items(), strict=True):
        d = df[df.method == method].sort_values("importance").reset_index(drop=True)
        spread = d[folds].to_numpy()
        xerr = np.vstack([d.importance - spread.min(1), spread.max(1) - d.importance]) if folds else None
        ax.barh(d.channel, d.importance, xerr=xerr, capsize=2, error_kw={"lw": 0.8},
                color=["#d95f02" if s == "sar" else "#1b9e77" for s in d.sensor])
        planted = d.planted.notna() if "planted" in d else pd.Series(False, index=d.index)
        ax.set_yticks(range(len(d)), [f"{c} *" if p else c for c, p in zip(d.channel, planted, strict=True)])
        for tick, p in zip(ax.get_yticklabels(), planted, strict=True):
            tick.set_fontweight("bold" if p else "normal")
        ax.set_title(panel, fontsize=9)
        ax.axvline(0, color="k", lw=0.5)
    # below the panels, so that it covers no bar or whisker
    fig.legend(handles=[Patch(color="#1b9e77", label="optical"), Patch(color="#d95f02", label="SAR")],
               fontsize=8, loc="lower center", ncol=2, frameon=False)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    known = "planted" in df and df.planted.notna().any()
    return save_figure(fig, out_dir, name, caption + [
        f"bars: mean importance over the {len(folds)} held-out folds, each fold's own network on its own "
        "validation images; whiskers: the lowest and the highest fold",
        "occlusion replaces one channel in every image by " + (
            "its training-fold mean (zero after normalisation)" if zero == "normalised" else "zero in raw units")
        + "; permutation shuffles that channel across images; importance is how much the landslide probability "
        "(on landslides) or the F1 drops",
        "bold with *: a band the synthetic generator planted the landslide signal in (its truth.json)" if known
        else "no truth.json beside the data: which bands carry the signal is not known, none is marked"])


def occlusion_figure(table: Path, out_dir: Path) -> list[Path]:
    """Fig. 7 drawn again from an occlusion table (``bench occlusion`` wrote it), without the runs; tables
    written before the folds were kept apart have no ``fold_`` columns and are refused."""
    from landslide.errors import LandslideError
    df = pd.read_csv(table)
    if not any(c.startswith("fold_") for c in df):
        raise LandslideError(f"{table}: no per-fold columns (fold_1, ...): it was written before they were kept, "
                             f"so it has no intervals to draw; rerun python -m bench occlusion to write them")
    zero = str(df.zero.iloc[0]) if "zero" in df else "normalised"
    return draw_occlusion(df, zero, "Band importance (paper Fig. 7)", [], out_dir, table.stem)


def occlusion_command(args) -> None:
    base, found, seed = _cells(args, [args.row], "bench occlusion")
    cell, m = found[args.row]
    run = finished_run_dir(Path(args.out), cell.cfg, not args.no_progress)
    print(f"occlusion of Table 2 row {args.row!r} (CV F1 {m['cv_f1_mean']:.3f}), run {run}, zero {args.zero}")
    df = occlusion_table(run, args.zero, seed)
    out, stem = Path(args.out), output_stem("occlusion", base)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "tables" / f"{stem}.csv", df.to_csv(index=False))
    caption = [f"Band importance of {cell.cfg.backbone}, Table 2 row {args.row!r} (CV F1 {m['cv_f1_mean']:.3f}), "
               f"{base.profile} profile, seed {seed}", f"data: {m.get('data') or base.data or 'synthetic'}",
               f"run: {run}"]
    title = f"Band importance (paper Fig. 7), Table 2 '{args.row}', {base.profile} profile"
    paths = draw_occlusion(df, args.zero, title, caption, out / "figures", stem) + [out / "tables" / f"{stem}.csv"]
    top = df[df.method == "occlusion_prob"].sort_values("rank").head(6)
    print("top channels by occlusion:", ", ".join(f"{r.channel} ({r.importance:.3f})" for r in top.itertuples()))
    print("wrote " + ", ".join(map(str, paths)))

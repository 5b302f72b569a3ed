"""``python -m bench backbones``: the paper's Fig. 5. Every registry family trained through the same
runner and store as Table 2, then a table (params measured on the model as built for the channel
set) and a figure of CV F1 against parameters on a log axis."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from bench.figures.backbones_table import (
    RATES_START,
    SUMMARY_START,
    rates_summary,
    readable_frame,
    readable_rates,
    summary_line,
)
from bench.grid.cells import run_dir_for
from bench.grid.collapse import DROP
from bench.grid.inputs import grid_inputs
from bench.grid.report import build_table
from bench.grid.spec import Grid, load_grid
from bench.grid.tables import print_compact, run_inputs
from bench.output import output_stem, read_table, save_figure, table_columns, write_table
from landslide.data.bands import channel_names
from landslide.errors import LandslideError
from landslide.models.backbones import count_parameters
from landslide.models.registry import resolve
from landslide.profiles import profile_overrides
from landslide.train.rundir import RunDir


def measured_columns(out: Path):
    """Columns measured on the model as built, and the throughput its run recorded (timing.json: one
    torch thread per cell; the seeds' runs of a row averaged)."""
    def columns(_row, cfg, metrics: list[dict]) -> dict:
        import torch

        from landslide.train.engine import build_model, model_input_size
        name, entry = resolve(cfg.backbone, cfg.profile)
        model = build_model(cfg.replace(pretrained=False, weights=""), torch.device("cpu"))
        timing = [json.loads(p.read_text()) for s in {m["seed"] for m in metrics}
                  if (p := RunDir(run_dir_for(out, cfg.replace(seed=s))).timing_path).exists()]
        return {"family": entry.family if entry else name, "timm_model": name, "lr": cfg.lr,
                "params_m": count_parameters(model) / 1e6, "in_chans": len(channel_names(cfg.channels)),
                "image_px": model_input_size(cfg),  # raised to what the architecture needs (Inception: 75)
                "train_img_s": float(np.mean([t["train_img_s"] for t in timing])) if timing else np.nan,
                "eval_img_s": float(np.mean([t["eval_img_s"] for t in timing])) if timing else np.nan}
    return columns


def diverged(df) -> pd.Series:
    """Rows whose final weights lost what training reached: the best-on-val excess over CV F1 (a mean over
    folds) above collapse.py's per-fold DROP. A table holds the rows' means only; a mean excess that large
    needs at least one fold that fell further (the committed InceptionV3 row: 0.287)."""
    if "optimism" not in df:
        return pd.Series(False, index=df.index)
    return df.optimism.astype(float) > DROP


def _label(r, diverged_row: bool) -> str:
    rate = f", lr {r.lr:g}" if pd.notna(getattr(r, "lr", None)) else ""  # the rate each family trained at
    mark = f"\nDIVERGED (best-on-val {r.best_val_f1:.2f}, final {r.cv_f1:.2f})" if diverged_row else ""
    return f"{r.family} ({r.timm_model}{rate}){mark}"


def draw_backbones(df, title: str, caption: list[str], out_dir: Path, name: str) -> list[Path]:
    """Fig. 5 from the backbones table: CV F1 (mean ± std over folds x seeds) and test F1 against
    parameters on a log axis, each point labelled where its label collides with nothing, a diverged row
    ringed and said so in its label. ``caption`` (the table's header) goes to ``name``.txt."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bench.figures.labels import place_labels
    fig, ax = plt.subplots(figsize=(8, 5))
    done = df[df.cv_f1.notna()].reset_index(drop=True)
    bad = diverged(done)
    ax.errorbar(done.params_m, done.cv_f1, yerr=done.cv_f1_std.fillna(0), fmt="o", capsize=3,
                label="CV F1 (mean ± std)")
    if "test_f1" in done and done.test_f1.notna().any():
        ax.scatter(done.params_m, done.test_f1, marker="x", color="C3", label="test F1")
    if bad.any():
        ax.scatter(done.params_m[bad], done.cv_f1[bad], s=220, facecolors="none", edgecolors="C3", lw=1.5,
                   label=f"diverged: best-on-val − CV F1 > {DROP:g}")
    ax.set_xscale("log")
    # room for the labels: a third of a decade either side, and a margin above the highest bar
    lo, hi = done.params_m.min(), done.params_m.max()
    ax.set_xlim(lo / 10 ** 0.3, hi * 10 ** 0.6)
    tops = pd.concat([done.cv_f1 + done.cv_f1_std.fillna(0), done.test_f1 if "test_f1" in done else done.cv_f1])
    bottoms = done.cv_f1 - done.cv_f1_std.fillna(0)
    ax.set_ylim(max(0.0, bottoms.min() - 0.08), min(1.05, tops.max() + 0.1))
    ax.set_xlabel("parameters (millions, 12-channel model, log scale)")
    ax.set_ylabel("F1 (landslide class)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    from matplotlib.ticker import FuncFormatter, LogLocator
    # plain numbers at 1, 2, 5 of each decade: the default 3x10^0 4x10^0 minor labels ran into each other
    ax.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    tests = list(zip(done.params_m, done.test_f1, strict=True)) if "test_f1" in done else []
    place_labels(ax, list(zip(done.params_m, done.cv_f1, strict=True)),
                 [_label(r, b) for r, b in zip(done.itertuples(), bad, strict=True)],
                 avoid=[p for p in tests if pd.notna(p[1])], fontsize=7)
    return save_figure(fig, out_dir, name, caption + [
        f"bars: CV F1 mean ± std over folds x seeds; x: test F1 (fold ensemble, held-out split); ringed and "
        f"labelled DIVERGED: a row whose best-on-val F1 exceeds its CV F1 by more than {DROP:g} (the per-fold "
        f"rule of bench/grid/collapse.py applied to the row's means: a fold's final weights lost what training "
        f"had reached; its CV F1 measures that accident, not the family)"])


def figure_title(head: list[str]) -> str:
    """One line: what the figure is and the profile (the data, profile and regime lines go to the caption)."""
    profile = next((line.split("profile: ", 1)[1].split(" ", 1)[0] for line in head if "profile: " in line), "")
    return f"F1 against parameters (paper Fig. 5){f', {profile} profile' if profile else ''}"


def backbones_figure(table: Path, out_dir: Path) -> list[Path]:
    """Fig. 5 drawn again from a backbones table (TABLE.csv as ``bench backbones`` wrote it), no training."""
    head, df = read_table(table)
    missing = [c for c in PLOT_COLUMNS if c not in df]
    if missing:
        raise LandslideError(f"{table}: no column {', '.join(missing)}; it is not a backbones table (rerun "
                             f"python -m bench backbones to write one)")
    return draw_backbones(df, figure_title(head), head, out_dir, table.stem)


PLOT_COLUMNS = ("family", "timm_model", "params_m", "cv_f1", "cv_f1_std")
RATE_COLUMNS = ("family", "lr", "inner_val_f1", "chosen")  # the rate per family (bench/grid/family_lr.py)


def is_backbones_table(table: Path) -> bool:
    """Whether ``table`` (a CSV that ``write_table`` wrote) is a backbones table or its rates table."""
    columns = set(table_columns(table))
    return any(set(kind) <= columns for kind in (PLOT_COLUMNS, RATE_COLUMNS))


def rebuild_backbones(table: Path, out: Path) -> list[Path]:
    """A backbones table's (or its rates table's) readable Markdown and LaTeX, its summary line and, for two
    rows or more, its figure, written again from its CSV under ``out``/tables and ``out``/figures: a change
    of how the table reads costs no retraining. The CSV's columns stay as the run wrote them."""
    head, df = read_table(table)
    if all(c in df for c in RATE_COLUMNS):
        head = [h for h in head if not h.startswith(RATES_START)]  # the summary is made again from the rows
        return write_table(df, [*head, rates_summary(df)], out / "tables", table.stem, readable_rates(df))
    head = [h for h in head if not h.startswith(SUMMARY_START)]
    paths = write_table(df, [*head, summary_line(df)], out / "tables", table.stem, readable_frame(df))
    if df.cv_f1.notna().sum() > 1:  # one point (an artefact check of one family) is a table, not a figure
        paths += draw_backbones(df, figure_title(head), head, out / "figures", table.stem)
    return paths


def runnable_rows(grid: Grid, profile: str) -> tuple[Grid, list[str]]:
    """The grid without the families that have no member at ``profile``, and a line saying why each is
    left out."""
    keep, dropped, notes = [], [], []
    for row in grid.rows:
        name, entry = resolve(row.fields.get("backbone", ""), profile)
        if entry is not None and not name:
            notes.append(f"{entry.family}: {entry.note}")
            dropped.append(row.name)
        else:
            keep.append(row)
    return replace(grid, rows=keep, dropped=grid.dropped + tuple(dropped)), notes


def backbones_command(args) -> None:
    scale = profile_overrides(args.profile)["profile"]  # a profile file's members are its base's
    grid, left_out = runnable_rows(load_grid(args.grid, families=True), scale)
    for note in left_out:
        print(note)
    if args.one_lr and args.lr_candidates is not None:
        raise LandslideError("--one-lr trains every family at one rate: --lr-candidates has nothing to choose; "
                             "drop one of the two")
    inputs = grid_inputs(grid, args)
    tuned_line: list[str] = []
    if not args.one_lr:
        from bench.grid.family_lr import tune_rates
        tuned, tuned_line = tune_rates(inputs, args.lr_candidates)
        inputs = inputs.with_grid(tuned)
    # a recipe other than the default (one rate, or rates of one's own) never overwrites the default's table
    run = run_inputs(inputs, custom=args.one_lr or args.lr_candidates is not None)
    df = build_table(run.grid, run.cells, run.metrics, extra_cols=measured_columns(run.out))
    run.measure(df)
    head = run.header() + tuned_line + left_out
    cols = ["row", "family", "timm_model", "lr", "params_m", "train_f1", "cv_f1", "cv_f1_std", "test_f1",
            "test_f1_lo", "test_f1_hi", "best_val_f1", "optimism", "train_img_s", "eval_img_s", "image_px",
            "delta_base", "delta_base_lo", "delta_base_hi", "p_base", "mark_base"]
    df = df[[c for c in cols if c in df]]
    # one rate for all and rates of one's own are both custom: each keeps its own name
    stem = output_stem(f"{run.grid.name}_one_lr", run.base, custom=True) if args.one_lr else run.stem
    paths = write_table(df, [*head, summary_line(df)], run.out / "tables", stem, readable_frame(df))
    if "params_m" in df:
        paths += draw_backbones(df, figure_title(head), head, run.out / "figures", stem)
    print_compact(run, df)
    print("wrote " + ", ".join(map(str, paths)))
    run.raise_if_failed()

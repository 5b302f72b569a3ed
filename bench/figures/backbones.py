"""``python -m bench backbones``: the paper's Fig. 5. Every registry family trained through the same
runner and store as Table 2, then a table (params measured on the model as built for the channel
set) and a figure of CV F1 against parameters on a log axis."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.figures.backbones_table import readable_frame, summary_line
from bench.grid.cells import run_dir_for
from bench.grid.inputs import grid_inputs
from bench.grid.report import build_table
from bench.grid.spec import Grid, load_grid
from bench.grid.tables import print_compact, run_inputs
from bench.output import output_stem, save_figure, write_table
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


def plot(df, title: str):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    done = df[df.cv_f1.notna()]
    ax.errorbar(done.params_m, done.cv_f1, yerr=done.cv_f1_std, fmt="o", capsize=3, label="CV F1 (mean ± std)")
    if done.test_f1.notna().any():
        ax.scatter(done.params_m, done.test_f1, marker="x", color="C3", label="test F1")
    for _, r in done.iterrows():
        rate = f", lr {r.lr:g}" if "lr" in r else ""  # the rate each family trained at (chosen per family)
        ax.annotate(f"{r.family}\n{r.timm_model}{rate}", (r.params_m, r.cv_f1), textcoords="offset points",
                    xytext=(5, 5), fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("parameters (millions, 12-channel model, log scale)")
    ax.set_ylabel("F1 (landslide class)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


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
        paths += save_figure(plot(df, head[0] + "\n" + head[1]), run.out / "figures", stem)
    print_compact(run, df)
    print("wrote " + ", ".join(map(str, paths)))
    run.raise_if_failed()

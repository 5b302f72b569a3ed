"""``python -m landslide train``: one configuration, k folds, metrics.json and submission.csv."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from landslide.options import add_config_arguments, config_from_args
from landslide.profiles import profile_name


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    add_config_arguments(p)
    p.add_argument("--out", required=True, help="run folder (re-running into it resumes)")
    p.add_argument("--paper-protocol", action="store_true",
                   help="apply SMOTE before the split as the paper did (validation scores then leak)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def train_command(args) -> None:
    from landslide.train.cv import run_experiment
    from landslide.train.rundir import RunDir
    cfg = config_from_args(args)
    scored = run_experiment(cfg, Path(args.out), progress=not args.no_progress).metrics
    metrics = scored.as_json()
    test = "n/a (no labels)" if metrics["test_f1"] is None else f"{metrics['test_f1']:.4f}"
    print(f"{metrics['data']} | profile {profile_name(cfg)} | {cfg.backbone} {cfg.image_size}px ch{cfg.channels}")
    print(f"train F1 {metrics['train_f1']:.4f}  CV F1 {scored.cv_text()}  "
          f"test F1 {test}")
    run = RunDir(args.out)
    written = [run.output_path(cfg, kind, suffix) for kind, suffix in (("metrics", ".json"), ("oof", ".csv"),
                                                                       ("submission", ".csv"))]
    print("wrote " + ", ".join(str(p) for p in written if p.exists()))
    print(json.dumps({k: metrics[k] for k in ("train_f1", "cv_f1_mean", "cv_f1_std", "test_f1")}))

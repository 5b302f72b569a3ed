"""``python -m landslide train``: one configuration, k folds, metrics.json and submission.csv."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from landslide.config import parse_sets, profile_config, profile_names


def add_common_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``landslide train`` and every ``bench`` command."""
    p.add_argument("--data", default="", help="Zindi-layout folder or packed .h5 store "
                                              "(default: the built-in synthetic data set)")
    p.add_argument("--profile", default="quick", choices=profile_names(),
                   help="scale: smoke (seconds, tests), quick (minutes on a laptop CPU, default), "
                        "paper (the paper's settings, for a GPU)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    p.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda, cuda:1 ...")
    p.add_argument("--weights", default="", help="local pretrained weight file (.safetensors/.pth) for the "
                                                 "backbone; the stem is adapted to the channel count")
    p.add_argument("--pretrained", action="store_true", help="fetch ImageNet weights through timm (needs internet "
                                                             "once) unless --weights is given")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override any configuration field, e.g. --set epochs=2 --set lr_schedule=cosine")


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    add_common_arguments(p)
    p.add_argument("--out", required=True, help="run folder (re-running into it resumes)")
    p.add_argument("--paper-protocol", action="store_true",
                   help="apply SMOTE before the split as the paper did (validation scores then leak)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def flag_overrides(args) -> dict:
    """The configuration fields set by the command line's own flags (not --set)."""
    from landslide.data.fingerprint import fingerprint
    out = {"data": str(args.data or ""), "data_fingerprint": fingerprint(args.data or ""), "device": args.device}
    if args.seed is not None:
        out["seed"] = args.seed
    if args.weights:
        out.update(weights=args.weights, pretrained=True)
    if getattr(args, "pretrained", False):
        out["pretrained"] = True
    if getattr(args, "paper_protocol", False):
        out["paper_protocol"] = True
    return out


def config_from_args(args, **extra):
    """defaults < profile < ``extra`` < the command line's flags < --set."""
    return profile_config(args.profile, **{**extra, **flag_overrides(args), **parse_sets(args.set)})


def train_command(args) -> None:
    from landslide.train.cv import run_experiment
    cfg = config_from_args(args)
    metrics = run_experiment(cfg, Path(args.out), progress=not args.no_progress)[2].as_json()
    test = "n/a (no labels)" if metrics["test_f1"] is None else f"{metrics['test_f1']:.4f}"
    print(f"{metrics['data']} | profile {cfg.profile} | {cfg.backbone} {cfg.image_size}px ch{cfg.channels}")
    print(f"train F1 {metrics['train_f1']:.4f}  CV F1 {metrics['cv_f1_mean']:.4f} +- {metrics['cv_f1_std']:.4f}  "
          f"test F1 {test}")
    print(f"wrote {args.out}/metrics.json" + (", submission.csv" if (Path(args.out) / 'submission.csv').exists()
                                                else ""))
    print(json.dumps({k: metrics[k] for k in ("train_f1", "cv_f1_mean", "cv_f1_std", "test_f1")}))

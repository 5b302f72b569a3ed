"""Reload what a finished run trained (the reading side of ``rundir``): per fold, the final model with its
normalisation, and the fold's held-out images (raw channels of the configured set)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from landslide.config import ExperimentConfig
from landslide.data.bands import expand_channels
from landslide.data.dataset import PatchSet
from landslide.data.normalize import ChannelScaler
from landslide.errors import LandslideError
from landslide.train.checkpoint import load_checkpoint
from landslide.train.cv import training_set
from landslide.train.engine import build_model, model_input_size
from landslide.train.pipeline import Preprocess
from landslide.train.results import FoldResult
from landslide.train.rundir import RunDir, require_every_fold


@dataclass
class TrainedFold:
    fold: int
    model: torch.nn.Module       # the fold's final weights, on the CPU, in eval mode
    prep: Preprocess             # the fold's normalisation and resize
    val_x: torch.Tensor          # the fold's held-out images (raw channels of the configured set)
    val_y: np.ndarray
    result: FoldResult


@dataclass
class FinishedRun:
    """A finished run's folder, configuration and data, each read once."""
    run: RunDir
    cfg: ExperimentConfig
    data: PatchSet


def open_finished_run(run_dir: str | Path, trained_folds_only: bool = False) -> FinishedRun:
    """Every command that reads a finished run opens it here: every fold trained (``trained_folds_only``:
    the folds a preview trains are enough), and the data as it was when the run was trained (its stored
    scores are paired with the data's rows by position)."""
    run = RunDir(run_dir)
    cfg = run.read_config()
    if cfg.data and not Path(cfg.data).exists():  # the fingerprint's own message names a --data never given
        raise LandslideError(f"{run_dir} was trained on the data at {cfg.data} (its config.json's data), which "
                             f"is not there now (looked from {Path.cwd()}); put the data back at that path"
                             + ("" if Path(cfg.data).is_absolute() else ", or run this command from the "
                                "folder the run was trained in (an older run keeps the path as it was given)"))
    if not trained_folds_only:
        require_every_fold(cfg, run_dir)
    run.require_same_data(cfg)
    return FinishedRun(run, cfg, training_set(cfg))


def load_run(run_dir: str | Path | FinishedRun):
    """Yield a ``TrainedFold`` for each fold of a finished run (a folder, or one already opened)."""
    opened = run_dir if isinstance(run_dir, FinishedRun) else open_finished_run(run_dir)
    run, cfg, ps = opened.run, opened.cfg, opened.data
    run_dir = run.path
    if cfg.smote and cfg.paper_protocol:
        raise LandslideError(f"{run_dir} used --paper-protocol: its folds hold synthetic images; explain a "
                             f"leak-free run instead")
    x = expand_channels(torch.from_numpy(ps.train.images), cfg.channels)
    device = torch.device("cpu")
    for fold in range(cfg.folds):
        res = run.read_fold_result(fold)
        if res is None:
            raise LandslideError(f"{run_dir} fold {fold} is not finished (no result.npz or model.pt); "
                                 f"{run.resume_hint()}")
        ckpt = load_checkpoint(run.fold(fold).model)
        model = build_model(cfg.replace(pretrained=False, weights=""), device)
        try:
            model.load_state_dict(ckpt["model"])
        except RuntimeError:  # a size mismatch: config.json was edited after training (channels, backbone)
            raise LandslideError(f"{run.config_path}: does not describe the network in {run.fold(fold).model} "
                                 f"(edited after training?); restore the config.json the run wrote, or train the "
                                 f"new configuration into another --out") from None
        model.eval()
        prep = Preprocess(ChannelScaler.from_state(ckpt["scaler"]), model_input_size(cfg), device, cfg.channels_last)
        yield TrainedFold(fold, model, prep, x[res.val_idx], ps.train_labels[res.val_idx], res)

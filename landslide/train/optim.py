"""Optimisers and learning-rate schedules as registries keyed by the configuration's names (a test holds
the keys equal to ``ExperimentConfig``'s choices), and the training step they drive: eager or captured."""
from __future__ import annotations

from collections.abc import Callable

import torch

from landslide.config import ExperimentConfig
from landslide.train.step import CapturedStep, train_step

OPTIMIZERS: dict[str, Callable[..., torch.optim.Optimizer]] = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}



# Per-iteration schedules over ``total`` steps.
def _constant(opt: torch.optim.Optimizer, _total: int):
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda _step: 1.0)


def _step_down(opt: torch.optim.Optimizer, total: int):
    """The rate divided by 10 at 1/2 and 3/4 of training."""
    return torch.optim.lr_scheduler.MultiStepLR(opt, [total // 2, (3 * total) // 4], 0.1)


def _cosine(opt: torch.optim.Optimizer, total: int):
    """Annealed to 0 over all iterations."""
    return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(total, 1))


SCHEDULES = {"none": _constant, "step": _step_down, "cosine": _cosine}


def make_optimizer(cfg: ExperimentConfig, model: torch.nn.Module, captured: bool = False
                   ) -> torch.optim.Optimizer:
    """Eager: the fused kernels on a GPU (the paper profile's step was bound by host-side per-op overhead,
    not by the GPU) and, with ``cpu_fused_optimizer``, on the CPU (3x faster than the per-tensor loop).
    Captured (``CapturedStep``): the rate is a tensor on the parameters' device, so a schedule changes a
    value inside the graph instead of recompiling it."""
    device = next(model.parameters()).device
    lr: torch.Tensor | float
    if captured:
        # capturable keeps the step counters on the device (a CUDA graph cannot read host values)
        extra = {"capturable": True, "foreach": True} if device.type == "cuda" else {"foreach": False}
        lr = torch.tensor(cfg.lr, device=device)
    else:
        fused = device.type == "cuda" or (device.type == "cpu" and cfg.cpu_fused_optimizer)
        extra, lr = ({"fused": True} if fused else {}), cfg.lr
    return OPTIMIZERS[cfg.optimizer](model.parameters(), lr=lr, weight_decay=cfg.weight_decay, **extra)


def shadow_optimizer(opt: torch.optim.Optimizer) -> torch.optim.Optimizer:
    """An optimiser with ``opt``'s float rates over one dummy parameter: the schedule runs on it, exactly
    as in eager training, and ``CapturedStep`` copies its rates into ``opt``'s tensors."""
    if len(opt.param_groups) != 1:
        raise ValueError("the captured step schedules one parameter group")
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=float(opt.param_groups[0]["lr"]))


def warmup_steps(cfg: ExperimentConfig, total_steps: int) -> int:
    return min(round(total_steps * cfg.warmup_epochs / cfg.epochs), total_steps - 1) if cfg.warmup_epochs else 0


def make_schedule(cfg: ExperimentConfig, opt: torch.optim.Optimizer, total_steps: int):
    """``cfg.lr_schedule`` over the run; with a warm-up, a linear rise over its steps first and the schedule
    over the steps after it (a pretrained network's first updates at the full rate undo its weights)."""
    warm = warmup_steps(cfg, total_steps)
    if not warm:
        return SCHEDULES[cfg.lr_schedule](opt, total_steps)
    rise = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / warm, end_factor=1.0, total_iters=warm)
    after = SCHEDULES[cfg.lr_schedule](opt, total_steps - warm)
    return torch.optim.lr_scheduler.SequentialLR(opt, [rise, after], milestones=[warm])


def make_step(cfg: ExperimentConfig, model, opt, device: torch.device, total_steps: int | None = None):
    """(the training step ``cfg`` asks for: eager or captured, its schedule or None without
    ``total_steps``). The captured step's schedule runs on a shadow optimiser (see ``shadow_optimizer``)."""
    if cfg.compile:
        shadow = shadow_optimizer(opt)
        sched = make_schedule(cfg, shadow, total_steps) if total_steps else None
        return CapturedStep(model, opt, device, shadow, sched), sched
    sched = make_schedule(cfg, opt, total_steps) if total_steps else None
    return (lambda x, y: train_step(model, opt, x, y, device, sched)), sched

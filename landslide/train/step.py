"""The one training step: forward under autocast, soft-label KL loss, backward, optimiser, schedule.

Training, ``bench speed``, ``bench gpu-check`` and ``bench gpu-diagnose`` all call it, so the benchmarks
time the code that trains. It never waits for the device: the loss comes back as a tensor, and the
caller reads it when it chooses (``LossWatch``), so on a GPU the host can queue the next step while
the current one runs.

``CapturedStep`` is the same step compiled once (``--set compile=true``): the forward with its loss as one
graph (whose backward AOTAutograd compiles with it) and the optimiser's update as another, each replayed
as a CUDA graph on a GPU (``mode="reduce-overhead"``: one launch instead of thousands of kernel launches
from Python, the bound measured on the H200) and as inductor's fused C++ kernels on the CPU. The batch
shape is fixed (a fold drops its last partial batch), and the learning rate lives in a device tensor
that the schedule fills each step, so neither a new shape nor a new rate recompiles anything.
"""
from __future__ import annotations

import torch

from landslide.errors import LandslideError
from landslide.train.device import autocast
from landslide.train.loss import soft_kl_loss


def compile_mode(device: torch.device) -> str | None:
    # CUDA graphs exist only on CUDA; elsewhere inductor's default
    return "reduce-overhead" if device.type == "cuda" else None


def train_step(model: torch.nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
               device: torch.device, sched=None) -> torch.Tensor:
    """One optimisation step on a batch (``y``: soft labels, (B, 2)); returns the detached loss."""
    with autocast(device):
        loss = soft_kl_loss(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if sched is not None:
        sched.step()
    return loss.detach()


class CapturedStep:
    """``train_step`` compiled: forward + loss, backward and the optimiser's update captured once.

    ``opt`` must hold its learning rate as a tensor (``make_optimizer(..., captured=True)``); ``sched``
    runs on ``shadow``, an optimiser over no real parameter whose float rate is copied into that tensor,
    so the rates are exactly the eager schedule's and a step never reads a value back from the device.
    Augmentation stays outside (it draws its random boxes and weights on the host, from the epoch's
    generator, which keeps runs reproducible)."""

    def __init__(self, model: torch.nn.Module, opt: torch.optim.Optimizer, device: torch.device,
                 shadow: torch.optim.Optimizer | None = None, sched=None):
        self.model, self.opt, self.device, self.shadow, self.sched = model, opt, device, shadow, sched
        self._loss = torch.compile(self._forward_loss, mode=compile_mode(device), dynamic=False)
        self._update = torch.compile(self._apply_update, mode=compile_mode(device), dynamic=False)
        self.copy_rate()

    def _forward_loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with autocast(self.device):
            return soft_kl_loss(self.model(x), y)

    def _apply_update(self) -> None:
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)

    def copy_rate(self) -> None:
        if self.shadow is not None:
            for group, rate in zip(self.opt.param_groups, self.shadow.param_groups, strict=True):
                group["lr"].fill_(rate["lr"])  # a host float into the device tensor: no synchronisation

    def restore(self, opt_state: dict, sched_state: dict) -> None:
        """Resume from a checkpoint's optimiser and schedule states. The rate tensors stay the ones the
        graphs were built on (a loaded state would put CPU tensors there), and the shadow's rate is the
        schedule's last one: step and cosine schedules compute the next rate from it."""
        rates = [group["lr"] for group in self.opt.param_groups]
        self.opt.load_state_dict(opt_state)
        for group, rate in zip(self.opt.param_groups, rates, strict=True):
            group["lr"] = rate
        if self.sched is not None and self.shadow is not None:
            self.sched.load_state_dict(sched_state)
            for group, last in zip(self.shadow.param_groups, self.sched.get_last_lr(), strict=True):
                group["lr"] = last
        self.copy_rate()

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        loss = self._loss(x, y)
        # copied out of graph memory before anything replays (the watch keeps losses for 25 steps)
        value = loss.detach().clone()
        loss.backward()
        self._update()
        if self.sched is not None and self.shadow is not None:
            self.shadow.step()  # a no-op (no gradients) that tells the schedule the optimiser has stepped
            self.sched.step()
            self.copy_rate()
        return value


class LossWatch:
    """Losses kept on the device and read every ``every`` steps (one host synchronisation for many
    steps): their mean for the progress bar, and a check that none is NaN/Inf. Called at the end of an
    epoch too, before a checkpoint is written, so a checkpoint never holds weights from a diverged step."""

    def __init__(self, every: int = 25):
        self.every, self.last_mean = every, float("nan")
        self.pending: list[torch.Tensor] = []
        self.epoch_sum, self.epoch_count = 0.0, 0  # the losses read since ``epoch_mean`` last ran

    def epoch_mean(self) -> float:
        """Mean of the losses read since the last call (the epoch's, when called at its end), then reset:
        the training curve beside the validation one, at no extra host synchronisation."""
        mean = self.epoch_sum / self.epoch_count if self.epoch_count else float("nan")
        self.epoch_sum, self.epoch_count = 0.0, 0
        return mean

    def add(self, loss: torch.Tensor, where: str, hint: str) -> bool:
        """Keep ``loss``; True when it read the losses (the progress bar may update)."""
        self.pending.append(loss)
        return self.check(where, hint) if len(self.pending) >= self.every else False

    def check(self, where: str, hint: str) -> bool:
        if not self.pending:
            return False
        losses = torch.stack(self.pending).float().cpu()
        self.pending = []
        bad = ~torch.isfinite(losses)
        if bad.any():
            raise LandslideError(f"loss is {losses[bad][0].item()} {where}; {hint}")
        self.last_mean = float(losses.mean())
        self.epoch_sum += float(losses.sum())
        self.epoch_count += len(losses)
        return True

"""The one training step: forward under autocast, soft-label KL loss, backward, optimiser, schedule.

Training, ``bench speed``, ``bench gpu-check`` and ``bench gpu-diagnose`` all call it, so the benchmarks
time the code that trains. It never waits for the device: the loss comes back as a tensor, and the
caller reads it when it chooses (``LossWatch``), so on a GPU the host can queue the next step while
the current one runs.
"""
from __future__ import annotations

import torch

from landslide.errors import LandslideError
from landslide.train.device import autocast
from landslide.train.loss import soft_kl_loss


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


class LossWatch:
    """Losses kept on the device and read every ``every`` steps (one host synchronisation for many
    steps): their mean for the progress bar, and a check that none is NaN/Inf. Called at the end of an
    epoch too, before a checkpoint is written, so a checkpoint never holds weights from a diverged step."""

    def __init__(self, every: int = 25):
        self.every, self.pending, self.last_mean = every, [], float("nan")

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
        return True

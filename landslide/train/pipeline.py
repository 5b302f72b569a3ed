"""A training batch's way from the in-memory images to the step: on-device normalisation and resize
(``Preprocess``), augmentation (``Augment``), then the step itself (``batch_step``). The fold's loop,
``bench speed`` and ``bench gpu-check`` all go through ``batch_step``, so the benchmarks time the code
that trains."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from landslide.augment.freebies import FreebieConfig, colour, geometric
from landslide.augment.mix import cutmix, mixup
from landslide.config import ExperimentConfig
from landslide.data.bands import RGB_BANDS, channel_kind
from landslide.data.normalize import ChannelScaler
from landslide.train.device import channels_last as wants_channels_last


class Preprocess:
    """Normalise (statistics of the training fold) and resize to the profile's size, on the device."""

    def __init__(self, scaler: ChannelScaler, size: int, device: torch.device, channels_last: bool = False):
        self.scaler, self.size, self.device, self.channels_last = scaler, size, device, channels_last

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # the scaler writes the model's layout itself: no separate copy into channels_last
        on = wants_channels_last(self.device, self.channels_last)
        layout = torch.channels_last if on else torch.contiguous_format
        x = self.scaler(x.to(self.device, non_blocking=True), layout)
        if x.shape[-1] != self.size:
            x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False, antialias=True)
        return x


class Augment:
    """The configured augmentation of a normalised batch and its soft labels. Built once per fold: the
    transforms' settings and the channel indices they act on do not change from batch to batch."""

    def __init__(self, cfg: ExperimentConfig, names: tuple[str, ...]):
        self.cfg, self.freebies = cfg, FreebieConfig(flips=cfg.flips)
        self.optical = [i for i, n in enumerate(names) if channel_kind(n) == "optical"]
        self.visible = [i for i, n in enumerate(names) if n in RGB_BANDS]

    def __call__(self, x: torch.Tensor, y: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        cfg = self.cfg
        if cfg.geometric:
            x = geometric(x, self.freebies, gen)
        if cfg.colour:
            x = colour(x, self.optical, self.visible, self.freebies, gen)
        # One uniform draw picks at most one mix per batch: CutMix on [0, p_cutmix), then Mixup on the next
        # p_mixup of the unit interval; neither on the rest.
        u = torch.rand((), generator=gen).item()
        p_cutmix = cfg.cutmix_prob if cfg.cutmix else 0.0
        if u < p_cutmix:
            x, y, _ = cutmix(x, y, gen)
        elif cfg.mixup and u < p_cutmix + cfg.mixup_prob:
            x, y, _ = mixup(x, y, gen, cfg.mixup_alpha)
        return x, y


def batch_step(step, prep: Preprocess, augment: Augment, images: torch.Tensor, onehot: torch.Tensor,
               gen: torch.Generator) -> torch.Tensor:
    """One training step on raw ``images`` with one-hot ``onehot`` labels; returns the loss tensor."""
    x, y = augment(prep(images), onehot.to(prep.device, non_blocking=True), gen)
    return step(x, y)

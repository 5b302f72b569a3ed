"""The training step that ``bench speed`` and ``bench gpu-check`` time: the fold loop's own ``batch_step``
(normalise and resize on the device, augment, step) on random batches drawn from in-memory images."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from landslide.config import ExperimentConfig
from landslide.data.bands import channel_names
from landslide.data.normalize import ChannelScaler
from landslide.train.engine import build_model, model_input_size
from landslide.train.optim import make_optimizer, make_step
from landslide.train.pipeline import Augment, Preprocess, batch_step


@dataclass
class RandomStep:
    model: torch.nn.Module
    prep: Preprocess
    step: object                 # the bare step, for timing it on pre-made tensors
    once: object                 # once(): one full-pipeline step on a random batch; returns the loss


def random_step(cfg: ExperimentConfig, images: torch.Tensor, labels: torch.Tensor, device: torch.device,
                gen: torch.Generator, augment_cfg: ExperimentConfig | None = None) -> RandomStep:
    """A model, its optimiser and step as ``cfg`` trains them; ``augment_cfg`` (default ``cfg``) chooses the
    augmentation. Normalisation is fitted on ``images``."""
    prep = Preprocess(ChannelScaler(cfg.norm).fit(images), model_input_size(cfg), device, cfg.channels_last)
    model = build_model(cfg, device)
    step, _ = make_step(cfg, model, make_optimizer(cfg, model, captured=cfg.compile), device)
    augment = Augment(augment_cfg or cfg, channel_names(cfg.channels))
    onehot = torch.nn.functional.one_hot(labels, 2).float()

    def once() -> torch.Tensor:
        idx = torch.randint(0, images.shape[0], (cfg.batch_size,), generator=gen)
        return batch_step(step, prep, augment, images[idx], onehot[idx], gen)
    return RandomStep(model, prep, step, once)

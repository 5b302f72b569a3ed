"""Checkpoints as data only: tensors, numbers, strings, lists and dicts.

``torch.load(..., weights_only=True)`` refuses any pickled object other than those, so a ``last.pt`` or
``model.pt`` planted in a shared run folder cannot run code when a run resumes or is explained. Anything
that fails to load (planted, truncated, foreign) is refused with one message that says what to do.
"""
from __future__ import annotations

from pathlib import Path

import torch

from landslide.atomic import atomic_path
from landslide.errors import LandslideError


def save_checkpoint(obj: dict, path: Path) -> None:
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def load_checkpoint(path: Path) -> dict:
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise LandslideError(f"{path}: not a checkpoint this tool wrote, or damaged ({type(exc).__name__}: "
                             f"{str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}); it was not "
                             f"loaded. Delete it to train that fold again") from None
    if not isinstance(ckpt, dict):
        raise LandslideError(f"{path}: holds a {type(ckpt).__name__}, not a checkpoint dict; delete it to "
                             f"train that fold again")
    return ckpt

"""Checkpoints as data only: tensors, numbers, strings, lists and dicts.

``torch.load(..., weights_only=True)`` refuses any pickled object other than those, so a ``last.pt`` or
``model.pt`` planted in a shared run folder cannot run code when a run resumes or is explained. Anything
that fails to load (planted, truncated, foreign) is refused with one message that says what to do.
"""
from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import torch

from landslide.atomic import atomic_path
from landslide.errors import LandslideError


def save_checkpoint(obj: dict, path: Path) -> None:
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def pack_weights(state: dict[str, torch.Tensor]) -> dict:
    """A state dict with its float32 tensors as one byte-shuffled, deflated blob (``landslide.shuffled``,
    lossless): a finished fold's ``model.pt`` 11.4 -> 9.6 MB at the quick profile. Still data only."""
    from landslide.shuffled import pack
    floats = [k for k, v in state.items() if v.dtype == torch.float32]
    # contiguous: a channels_last tensor's values in the standard order; load_state_dict copies them back
    # into whatever layout the model holds
    values = [state[k].detach().cpu().contiguous().numpy().reshape(-1) for k in floats]
    blob = pack(np.concatenate(values) if values else np.zeros(0, np.float32))
    return {"order": list(state), "floats": floats, "shapes": [list(state[k].shape) for k in floats],
            "blob": torch.frombuffer(bytearray(blob), dtype=torch.uint8),
            "others": {k: v for k, v in state.items() if v.dtype != torch.float32}}


def unpack_weights(packed: dict) -> dict[str, torch.Tensor]:
    from landslide.shuffled import unpack
    sizes = [int(np.prod(s)) for s in packed["shapes"]]
    flat = unpack(packed["blob"].numpy().tobytes(), np.float32, (sum(sizes),))
    starts = np.cumsum([0, *sizes])
    floats = {k: torch.from_numpy(flat[a:b].reshape(shape).copy())
              for k, a, b, shape in zip(packed["floats"], starts[:-1], starts[1:], packed["shapes"], strict=True)}
    return {k: floats[k] if k in floats else packed["others"][k] for k in packed["order"]}


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
    if "model_packed" in ckpt:  # a finished fold's weights since 2026-12-08; older model.pt hold "model"
        try:
            ckpt["model"] = unpack_weights(ckpt.pop("model_packed"))
        except (KeyError, TypeError, ValueError, zlib.error) as exc:
            raise LandslideError(f"{path}: its packed weights are damaged ({type(exc).__name__}); delete it to "
                                 f"train that fold again") from None
    return ckpt

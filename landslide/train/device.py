"""Device choice and its settings: CUDA with bf16 autocast and channels_last when present, else CPU fp32."""
from __future__ import annotations

import contextlib

import torch


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so wall-clock timings measure it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def autocast(device: torch.device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def channels_last(device: torch.device, on_cpu: bool = False) -> bool:
    return device.type == "cuda" or on_cpu


def to_device(x: torch.Tensor, device: torch.device, on_cpu_too: bool = False) -> torch.Tensor:
    """Non-blocking copy (from pinned memory when the source is pinned); channels_last on CUDA (and on the
    CPU when asked: the configuration's ``channels_last``)."""
    x = x.to(device, non_blocking=True)
    return x.contiguous(memory_format=torch.channels_last) if channels_last(device, on_cpu_too) else x

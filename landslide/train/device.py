"""Device choice and its settings: CUDA with bf16 autocast and channels_last when present, else CPU fp32."""
from __future__ import annotations

import contextlib
import os
import platform
from pathlib import Path

import torch

from landslide.errors import LandslideError


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    check_device(name)
    return torch.device(name)


def check_device(name: str) -> None:
    """Refuse a device this machine does not have, before anything is trained or written (the
    configuration checks the name's form; whether it exists depends on the machine, not the run)."""
    device = torch.device(name)
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise LandslideError(f"--device {name}: torch sees no CUDA GPU on this machine (a CPU-only torch "
                                 f"build, or no driver); use --device cpu or auto")
        if device.index is not None and device.index >= count:
            raise LandslideError(f"--device {name}: this machine has {count} GPU(s), cuda:0 to cuda:{count - 1}")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise LandslideError(f"--device {name}: Apple's MPS is not available here; use --device cpu or auto")


def kernels(device: torch.device) -> str:
    """What a run's arithmetic ran on: the CPU's model and the vector extension torch dispatches to
    (AVX2, AVX512, ...), or the GPU's name. The same configuration on another CPU model sums in another
    order and, training being chaotic, ends at another network (a new draw, as another seed is; two AVX512
    models did so: tests/test_golden.py): recorded with each fold, so that a difference between two runs
    of one configuration can be traced."""
    if device.type == "cuda":
        return f"cuda {torch.cuda.get_device_name(device)}"
    return f"{device.type} {torch.backends.cpu.get_cpu_capability()} {cpu_model()}"


def cpu_model() -> str:
    """Vendor, family and model from /proc/cpuinfo (Linux), else what the platform says."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()
    field = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)}
    return (f"{field.get('vendor_id')} family {field.get('cpu family')} model {field.get('model')} "
            f"({field.get('model name')})")


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


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask, which a container or ``taskset`` narrows)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def torch_threads(requested: int) -> tuple[int, str]:
    """The thread count a run sets explicitly, and a line that says why. torch's own default follows the
    machine's core count, not what is free: on a shared 2-core machine two threads under load trained at
    9 img/s against 45 for one (issue 21). 0 means one per usable core; a busy machine gets a warning, not
    a silent change, so that two runs of one configuration use the same count."""
    cores = usable_cores()
    threads = requested or cores
    note = f"torch threads: {threads} ({'set' if requested else 'one per usable core'}; {cores} usable)"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > cores - 0.5 and threads > 1:
        note += (f"; the load average is {load:.1f} on {cores} cores, so other jobs compete: --set threads=1 "
                 f"is faster under load")
    return threads, note

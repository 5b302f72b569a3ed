"""``python -m bench gpu-diagnose``: where a training step of the paper's model spends its time.

When ``bench gpu-check`` reports a small share of the card's bf16 peak, this separates the suspects,
one ``--variant`` per call (run each under ``timeout``: a compile can take minutes): the bare step (no
data pipeline) in eager mode with and without channels_last, a 4x larger batch (if img/s scales with
the batch, the step is bound by per-op launch and Python overhead, not by the GPU), torch.compile, and
a profiler table of the GPU kernels against the step's wall-clock time.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from landslide.models.backbones import create_backbone
from landslide.train.device import synchronize
from landslide.train.step import train_step


@dataclass(frozen=True)
class StepShape:
    size: int
    batch: int
    channels_last: bool


def step_rate(model, device, shape: StepShape, iters: int, warmup: int
              ) -> tuple[float, float]:
    """(images/s, CPU seconds per step) of a bf16 forward/backward/Adam step on random tensors."""
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    x = torch.randn(shape.batch, 12, shape.size, shape.size, device=device)
    if shape.channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.nn.functional.one_hot(torch.randint(0, 2, (shape.batch,), device=device), 2).float()

    def step():
        train_step(model, opt, x, y, device)

    for _ in range(warmup):
        step()
    synchronize(device)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(iters):
        step()
    synchronize(device)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return iters * shape.batch / wall, cpu / iters


def diagnose_command(args) -> None:
    torch.backends.cudnn.benchmark = True
    device = torch.device(args.device)
    channels_last = args.variant != "contiguous"
    batch = args.batch * 4 if args.variant == "big-batch" else args.batch
    model = create_backbone(args.model, 12, 2).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    t0 = time.perf_counter()
    if args.variant == "compile":
        model = torch.compile(model)
    if args.variant == "profile":
        _profile(model, device, args.size, batch, channels_last)
        return
    rate, cpu_per_step = step_rate(model, device, StepShape(args.size, batch, channels_last), args.iters, 5)
    print(f"{args.variant}: {args.model} batch {batch} channels_last {channels_last}: {rate:.0f} img/s, "
          f"{cpu_per_step * 1e3:.0f} ms CPU per step, {time.perf_counter() - t0:.0f} s incl. warm-up/compile")


def kernel_time(run, device) -> tuple[float, float, object]:
    """(wall seconds, seconds of device kernels, the profiler's events) of ``run()``, synchronised."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile
    kinds = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=kinds) as prof:
        wall = time.perf_counter()
        run()
        synchronize(device)
        wall = time.perf_counter() - wall
    events = prof.key_averages()
    # kernels only: user annotations (Optimizer.step#Adam.step ...) span kernels already counted,
    # so including them would count those kernels twice and overstate how busy the device is
    gpu_us = sum(e.self_device_time_total for e in events
                 if e.device_type != DeviceType.CPU and not e.is_user_annotation)
    return wall, gpu_us / 1e6, events


def _profile(model, device, size: int, batch: int, channels_last: bool) -> None:
    shape = StepShape(size, batch, channels_last)
    step_rate(model, device, shape, 2, 5)
    wall, gpu_s, events = kernel_time(lambda: step_rate(model, device, shape, 3, 0), device)
    print(f"3 steps: wall {wall * 1e3:.0f} ms, GPU kernels {gpu_s * 1e3:.0f} ms "
          f"({100 * gpu_s / wall:.0f} % busy)")
    print(events.table(sort_by="self_device_time_total" if device.type == "cuda" else "self_cpu_time_total",
                       row_limit=12, max_name_column_width=60))

"""``python -m bench gpu-check``: the prepared accelerator check (under 5 minutes on one H100).

Trains the paper profile's EfficientNetV2-L at 256 px through the real engine (in-memory data ->
on-device resize, normalisation, augmentation -> bf16 autocast, channels_last) for a few hundred
iterations, then prints train and eval images/s, FLOPs per image (the forward counted with
torch.utils.flop_counter, a training step taken as 3x that), the achieved TFLOP/s and its share of
the card's dense bf16 peak. Then times the SSIM neighbour search over ``--ssim-n`` random 64x64x12
patches on the same device. ``--tiny`` runs the same path with a tiny model on the CPU (what tests use).
"""
from __future__ import annotations

import time

import torch

from bench.perf.gpu_diagnose import kernel_time
from bench.perf.random_step import random_step
from landslide.augment.ssim import ssim_neighbours
from landslide.data.bands import channel_names
from landslide.profiles import profile_config
from landslide.train.device import autocast, pick_device, synchronize
from landslide.train.engine import eval_forward, model_input_size, predict

# Dense (no sparsity) bf16 tensor-core peaks, TFLOP/s, from the vendors' data sheets.
BF16_PEAK = {"H100 SXM": 989.0, "H100 PCIe": 756.0, "H100 NVL": 835.0, "H200": 989.0, "A100": 312.0, "L40S": 362.0}


def peak_for(name: str) -> float | None:
    for key in sorted(BF16_PEAK, key=len, reverse=True):
        if all(part in name for part in key.split()):
            return BF16_PEAK[key]
    if "H100" in name:
        return BF16_PEAK["H100 SXM"]
    return None


def flops_per_image(model, size: int, channels: int, device) -> tuple[float, float]:
    """(forward, training step) FLOPs of one image. The forward is counted by torch's FlopCounterMode;
    the step is taken as 3x the forward (backward = grad of inputs + grad of weights, each about one
    forward), because the counter charges a grouped convolution's weight gradient as a dense one
    (64x too much for a 64-channel depthwise 3x3), which would overstate EfficientNetV2-L's step about 5x."""
    from torch.utils.flop_counter import FlopCounterMode
    x = torch.randn(2, channels, size, size, device=device)
    with torch.no_grad(), FlopCounterMode(display=False) as fwd:
        with autocast(device):
            model(x)
    forward = fwd.get_total_flops() / 2
    return forward, 3 * forward


# The paper's Table 2 on the real data: 8 rows x 5 folds x 50 epochs over 4/5 of 7,147 patches, each
# fold's validation split (1,430 patches) scored every 3 iterations of batch 36.
TABLE2_ROWS, FOLDS, EPOCHS, TRAIN_PATCHES, VAL_PATCHES, BATCH = 8, 5, 50, 5718, 1430, 36


def projection_lines(train_rate: float, eval_rate: float) -> list[str]:
    """The share of wall time spent in evaluation at a cadence, and the projected Table 2 on one device."""
    out = []
    train_s = TABLE2_ROWS * FOLDS * EPOCHS * TRAIN_PATCHES / train_rate
    steps = TABLE2_ROWS * FOLDS * EPOCHS * -(-TRAIN_PATCHES // BATCH)
    cadences = (("every 3 iterations (the paper's)", steps / 3), ("once per epoch", TABLE2_ROWS * FOLDS * EPOCHS))
    for label, evals in cadences:
        eval_s = evals * VAL_PATCHES / eval_rate
        out.append(f"Table 2 (paper profile) on this device, validation {label}: {(train_s + eval_s) / 3600:.1f} h, "
                   f"evaluation {100 * eval_s / (train_s + eval_s):.0f} % of it")
    return out


def gpu_check_command(args) -> None:
    device = pick_device(args.device)
    if args.tiny:
        cfg = profile_config("smoke", device=str(device), batch_size=8)
    else:
        cfg = profile_config("paper", device=str(device), pretrained=False)  # throughput needs no weights
    size, names = model_input_size(cfg), channel_names(cfg.channels)
    torch.backends.cudnn.benchmark = True
    gen = torch.Generator().manual_seed(0)
    n = max(cfg.batch_size * 8, 256 if not args.tiny else 32)
    images = torch.randn(n, len(names), 64, 64, generator=gen) * 3 + 1  # raw 64 px patches, resized on device
    labels = (torch.rand(n, generator=gen) < 0.18).long()
    if device.type == "cuda":
        images = images.pin_memory()
    cfg = cfg.replace(compile=args.compile)
    timed = random_step(cfg, images, labels, device, gen, augment_cfg=cfg.replace(mixup=True, cutmix=True))
    model, prep = timed.model, timed.prep
    forward = eval_forward(cfg, device)

    def steps(count: int):
        for _ in range(count):
            timed.once()

    model.train()
    t0 = time.perf_counter()
    steps(args.warmup)
    synchronize(device)
    warm_s = time.perf_counter() - t0
    t0, cpu0 = time.perf_counter(), time.process_time()
    steps(args.iters)
    synchronize(device)
    wall, cpu_per_step = time.perf_counter() - t0, (time.process_time() - cpu0) / args.iters
    train_rate = args.iters * cfg.batch_size / wall
    busy = ""
    if device.type == "cuda":  # kernel times exist only on the device
        prof_wall, kernels_s, _ = kernel_time(lambda: steps(5), device)
        busy = f"; device kernels busy {100 * kernels_s / prof_wall:.0f} % of 5 profiled steps' wall"
    predict(model, prep, images, forward=forward)  # the shapes timed: autotuning and compilation come first
    t0 = time.perf_counter()
    evaluated = predict(model, prep, images, forward=forward)
    synchronize(device)
    eval_rate = len(evaluated) / (time.perf_counter() - t0)
    fwd, both = flops_per_image(model, size, len(names), device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    peak = peak_for(name)
    achieved = train_rate * both / 1e12
    print(f"device: {name}; torch {torch.__version__}; model {cfg.backbone} at {size} px, {len(names)} channels, "
          f"batch {cfg.batch_size}, bf16 autocast {device.type == 'cuda'}, compile {args.compile}")
    print(f"train: {train_rate:.1f} img/s over {args.iters} iterations (after {args.warmup} warm-up steps, "
          f"{warm_s:.0f} s{' with compilation' if args.compile else ''})")
    print(f"host: {cpu_per_step * 1e3:.0f} ms CPU per step against {wall / args.iters * 1e3:.0f} ms wall{busy}")
    print(f"eval:  {eval_rate:.1f} img/s")
    print(f"FLOPs per image: forward {fwd / 1e9:.2f} G, training step {both / 1e9:.2f} G (3x forward)")
    print(f"achieved: {achieved:.1f} TFLOP/s in training" +
          (f" = {100 * achieved / peak:.1f} % of the {peak:.0f} TFLOP/s dense bf16 peak" if peak else ""))
    if device.type == "cuda":
        print(f"peak GPU memory: {torch.cuda.max_memory_allocated(device) / 2**30:.1f} GiB")
    for line in projection_lines(train_rate, eval_rate):
        print(line)
    ssim_n = 40 if args.tiny else args.ssim_n
    patches = torch.rand(ssim_n, 12, 64, 64, generator=gen).to(device)
    ssim_neighbours(patches[:20], k=5)  # warm-up (kernel compilation, allocator)
    synchronize(device)
    t0 = time.perf_counter()
    ssim_neighbours(patches, k=5)
    synchronize(device)
    seconds = time.perf_counter() - t0
    print(f"SSIM neighbours of {ssim_n} patches (64x64x12, float32) on {device.type}: {seconds:.1f} s, "
          f"{ssim_n * (ssim_n - 1) / 2 / seconds:,.0f} pairs/s")


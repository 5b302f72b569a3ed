"""``python -m bench speed``: performance figures of one profile, measured side by side in one run.

- train and eval images/s through the full pipeline (in-memory store -> on-device normalisation and
  resize -> augmentation -> model) against the same model on pre-made tensors, and their ratio;
- the SSIM neighbour search over ``--ssim-n`` patches timed whole, against a loop over skimage on a
  sample of the same pairs, and the arithmetic rate against this machine's matmul rate;
- the training arithmetic achieved through the pipeline (FLOPs per image x images/s) against the matmul rate;
- embedding extraction images/s, SVM and LightGBM fit times on the embeddings;
- peak resident memory of each part (Linux: sampled from /proc while the part runs).
Timings are wall-clock on a shared machine: compare ratios from one run, not absolute numbers across runs.
"""
from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from bench.output import output_stem, to_markdown
from bench.perf.gpu_check import flops_per_image
from bench.perf.random_step import random_step
from landslide.atomic import write_text_atomic
from landslide.augment.ssim import scale_for_ssim, ssim_neighbours
from landslide.data.builtin import load_source
from landslide.errors import LandslideError
from landslide.models.heads import fit_lgbm, fit_svm
from landslide.options import config_from_args
from landslide.peak_memory import PeakSampler
from landslide.train.device import pick_device, synchronize
from landslide.train.engine import eval_forward, model_input_size, predict


def train_rates(cfg, images, labels, device, steps: int) -> dict:
    """Images/s of the full pipeline step and of the bare model step on pre-made tensors."""
    timed = random_step(cfg, images, labels, device, torch.Generator().manual_seed(0))
    model, prep, bs = timed.model, timed.prep, cfg.batch_size
    premade_x = prep(images[:bs]).detach()
    premade_y = torch.nn.functional.one_hot(labels[:bs], 2).float().to(device)

    out = {}
    model.train()
    for name, fn in (("bare", lambda: timed.step(premade_x, premade_y)), ("pipeline", timed.once)) * 2:
        fn()  # warm-up
        synchronize(device)
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        synchronize(device)
        out[name] = max(out.get(name, 0), steps * bs / (time.perf_counter() - t0))  # best of two rounds
    forward = eval_forward(cfg, device)
    predict(model, prep, images[: bs * steps], forward=forward)  # warm-up: compilation (compile=true) first
    t0 = time.perf_counter()
    probs = predict(model, prep, images[: bs * steps], forward=forward)
    out["eval_pipeline"] = len(probs) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    _, emb = predict(model, prep, images[: bs * steps], with_embeddings=True, forward=forward)
    out["embed"] = len(emb) / (time.perf_counter() - t0)
    return out, model, prep


def matmul_gflops(size: int = 1024, repeat: int = 5) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    t0 = time.perf_counter()
    for _ in range(repeat):
        a @ b
    return 2 * size ** 3 * repeat / (time.perf_counter() - t0) / 1e9


def ssim_flops_per_pair(c: int, h: int, w: int, k: int = 11) -> float:
    """Arithmetic of one pair in ssim_matrix: the product, two valid 1-D passes, the SSIM map."""
    hv, wv = h - k + 1, w - k + 1
    return c * (h * w + 2 * k * h * wv + 2 * k * hv * wv + 16 * hv * wv)


def ssim_rates(images: torch.Tensor, n: int, sk_pairs: int) -> dict:
    """The real all-pairs neighbour search over n patches, timed whole, and a loop over skimage on a
    random sample of the same pairs; n larger than the data cycles through it (timing only)."""
    try:
        from skimage.metrics import structural_similarity
    except ImportError:
        raise LandslideError("bench speed compares the SSIM search with scikit-image, which is not installed: "
                             "pip install 'landslide-bench[speed]'") from None
    picked = images[torch.arange(n) % len(images)].float()
    t0 = time.perf_counter()
    scaled, _, _ = scale_for_ssim(picked)
    ssim_neighbours(scaled, k=min(5, n - 1), progress=True)
    seconds = time.perf_counter() - t0
    ours = n * (n - 1) / 2 / seconds
    x = scaled.double().numpy()
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, n, (sk_pairs, 2))
    t0 = time.perf_counter()
    for i, j in pairs:
        structural_similarity(x[i], x[j], channel_axis=0, gaussian_weights=True, sigma=1.5,
                              use_sample_covariance=False, data_range=1.0)
    ref = sk_pairs / (time.perf_counter() - t0)
    return {"seconds": seconds, "pairs_per_s": ours, "skimage_pairs_per_s": ref, "speedup": ours / ref,
            "skimage_seconds": n * (n - 1) / 2 / ref,
            "gflops": ours * ssim_flops_per_pair(*images.shape[1:]) / 1e9}


def speed_command(args) -> None:
    cfg = config_from_args(args)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)  # as training does; the table's header names the count
    device = pick_device(cfg.device)
    ps = load_source(cfg.data, cfg.synth_n, cfg.synth_test_n, cfg.synth_seed, progress=False)
    images = torch.from_numpy(ps.train.images)
    labels = torch.from_numpy(ps.train.labels)
    rows = []

    def part(name, fn):
        t0 = time.perf_counter()
        with PeakSampler() as memory:
            res = fn()
        rows.append({"part": name, "seconds": time.perf_counter() - t0, "peak_rss_mb": memory.peak_mb})
        return res

    rates, model, prep = part("train/eval/embed", lambda: train_rates(cfg, images, labels, device, args.steps))
    threads = torch.get_num_threads()  # the SSIM search sets its own count
    every = torch.cat([images[labels == 1], images[labels == 0]])  # landslides first, as SMOTE sees them
    ssim = part("ssim", lambda: ssim_rates(every, args.ssim_n, args.sk_pairs))
    _, emb = predict(model, prep, images, with_embeddings=True)
    y = labels.numpy()
    svm_s = part("svm fit", lambda: _timed(lambda: fit_svm(emb, y, 1.0)))
    lgbm_s = part("lgbm fit", lambda: _timed(lambda: fit_lgbm(emb, y)))
    peak = {r["part"]: r["peak_rss_mb"] for r in rows}
    _, step_flops = flops_per_image(model, model_input_size(cfg), images.shape[1], device)
    matmul = matmul_gflops()
    achieved = rates["pipeline"] * step_flops / 1e9
    metrics = [
        ("train img/s, bare model on pre-made tensors", rates["bare"]),
        ("train img/s, full pipeline", rates["pipeline"]),
        ("pipeline overhead (bare / pipeline step time)", rates["bare"] / rates["pipeline"]),
        ("eval img/s, full pipeline", rates["eval_pipeline"]),
        ("embedding extraction img/s", rates["embed"]),
        (f"SSIM neighbours of {args.ssim_n} patches, s (ours, measured: scaling + all pairs + top-k)",
         ssim["seconds"]),
        (f"SSIM neighbours of {args.ssim_n} patches, s (skimage loop, projected from {args.sk_pairs} pairs)",
         ssim["skimage_seconds"]),
        ("SSIM pairs/s (ours, float32)", ssim["pairs_per_s"]),
        ("SSIM pairs/s (skimage loop)", ssim["skimage_pairs_per_s"]),
        ("SSIM speed-up over skimage", ssim["speedup"]),
        ("SSIM arithmetic rate, GFLOP/s", ssim["gflops"]),
        ("matmul rate of this machine, GFLOP/s", matmul),
        ("training GFLOP per image (3x the counted forward)", step_flops / 1e9),
        ("training GFLOP/s achieved through the pipeline", achieved),
        ("achieved share of the matmul rate", achieved / matmul),
        (f"SVM fit s ({len(y)} x {emb.shape[1]} embeddings)", svm_s),
        (f"LightGBM fit s ({len(y)} x {emb.shape[1]} embeddings)", lgbm_s),
        ("peak RSS MB, training part", peak["train/eval/embed"]),
        ("peak RSS MB, SSIM part", peak["ssim"]),
    ]
    machine = (f"{platform.node()} {platform.machine()} {os.cpu_count()} cores; torch {torch.__version__}; "
               f"device {device}; threads {threads}; profile {cfg.profile} ({cfg.backbone}, "
               f"{model_input_size(cfg)}px, batch {cfg.batch_size}, channels_last {cfg.channels_last}, "
               f"compile {cfg.compile})")
    # four significant figures: a smoke model's GFLOP per image is a few thousandths
    df = pd.DataFrame([{"metric": m, "value": float(f"{float(v):.4g}")} for m, v in metrics])
    out, stem = Path(args.out) / "tables", output_stem("speed", cfg)
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / f"{stem}.csv", df.to_csv(index=False))
    write_text_atomic(out / f"{stem}.md", f"> {machine}\n\n" + to_markdown(df))
    print(f"> {machine}\n")
    print(to_markdown(df))
    print(f"wrote {out / f'{stem}.csv'}, {out / f'{stem}.md'}")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0

"""Fit one fold: in-memory tensors -> on-device resize, normalisation and augmentation -> backbone -> KL loss.

The fold's scores come from the weights at the end of its fixed schedule (``model.pt``): choosing the
checkpoint with the best validation F1 and then reporting that F1 on the same fold reads high (the
maximum of a noisy history). Validation F1 is still scored every ``eval_every`` iterations (or once per
epoch) for the learning curve, and its maximum is kept as the paper's optimistic "best on validation"
number, labelled as such wherever it is shown.

The epoch's random draws come from generators seeded by (seed, fold, epoch), and a checkpoint is written
atomically after each epoch, so a killed fold resumes from its last epoch and ends with exactly the
metrics an uninterrupted run would have.
"""
from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from landslide.augment.freebies import FreebieConfig, colour, geometric
from landslide.augment.mix import cutmix, mixup
from landslide.config import ExperimentConfig
from landslide.data.bands import RGB_BANDS, channel_kind, channel_names
from landslide.data.normalize import ChannelScaler
from landslide.metrics import f1_at_half
from landslide.models.backbones import create_backbone, embed_and_logits
from landslide.models.registry import extra_kwargs, input_size, resolve
from landslide.train.checkpoint import load_checkpoint, save_checkpoint
from landslide.train.device import autocast, channels_last, to_device
from landslide.train.results import FoldResult
from landslide.train.seeds import epoch_seed, init_seed
from landslide.train.step import CapturedStep, LossWatch, compile_mode, train_step


@dataclass
class FoldData:
    train_x: torch.Tensor            # (N, C, H, W) raw channels, float32, CPU
    train_y: torch.Tensor            # (N,) int64
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor | None = None
    n_real_train: int | None = None  # leading rows of train_x that are real (the rest is SMOTE output)


def model_input_size(cfg: ExperimentConfig) -> int:
    return input_size(cfg.backbone, cfg.profile, cfg.image_size)


def build_model(cfg: ExperimentConfig, device: torch.device) -> torch.nn.Module:
    name, _ = resolve(cfg.backbone, cfg.profile)
    size = model_input_size(cfg)
    model = create_backbone(name, len(channel_names(cfg.channels)), 2, cfg.pretrained, cfg.weights or None,
                            cfg.drop_rate, size, **extra_kwargs(cfg.backbone, cfg.profile, size))
    model = model.to(device)
    if channels_last(device, cfg.channels_last):
        model = model.to(memory_format=torch.channels_last)
    return model


def eval_forward(cfg: ExperimentConfig, device: torch.device):
    """``embed_and_logits``, compiled when training is (CUDA graphs on a GPU; ``predict`` pads a pass's
    last batch, so one graph serves a fold)."""
    if not cfg.compile:
        return embed_and_logits
    return torch.compile(embed_and_logits, mode=compile_mode(device), dynamic=False)


def make_step(cfg: ExperimentConfig, model, opt, device: torch.device, total_steps: int | None = None):
    """(the training step ``cfg`` asks for: eager or captured, its schedule or None without
    ``total_steps``). The captured step's schedule runs on a shadow optimiser (see ``shadow_optimizer``)."""
    if cfg.compile:
        shadow = shadow_optimizer(opt)
        sched = make_schedule(cfg, shadow, total_steps) if total_steps else None
        return CapturedStep(model, opt, device, shadow, sched), sched
    sched = make_schedule(cfg, opt, total_steps) if total_steps else None
    return (lambda x, y: train_step(model, opt, x, y, device, sched)), sched


def make_optimizer(cfg: ExperimentConfig, model: torch.nn.Module, captured: bool = False
                   ) -> torch.optim.Optimizer:
    """Adam or AdamW. Eager on a GPU: the fused kernels (the H200 run of the paper profile was bound by
    host-side per-op overhead, not by the GPU). Captured (``CapturedStep``): the rate is a tensor on the
    parameters' device, so a schedule changes a value inside the graph instead of recompiling it."""
    device = next(model.parameters()).device
    lr: torch.Tensor | float
    if captured:
        # capturable keeps the step counters on the device (a CUDA graph cannot read host values)
        extra = {"capturable": True, "foreach": True} if device.type == "cuda" else {"foreach": False}
        lr = torch.tensor(cfg.lr, device=device)
    else:
        extra, lr = ({"fused": True} if device.type == "cuda" else {}), cfg.lr
    kind = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}.get(cfg.optimizer)
    if kind is None:
        raise ValueError(f"unknown optimizer {cfg.optimizer!r}; choose adam or adamw")
    return kind(model.parameters(), lr=lr, weight_decay=cfg.weight_decay, **extra)


def shadow_optimizer(opt: torch.optim.Optimizer) -> torch.optim.Optimizer:
    """An optimiser with ``opt``'s float rates over one dummy parameter: the schedule runs on it, exactly
    as in eager training, and ``CapturedStep`` copies its rates into ``opt``'s tensors."""
    if len(opt.param_groups) != 1:
        raise ValueError("the captured step schedules one parameter group")
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=float(opt.param_groups[0]["lr"]))


def make_schedule(cfg: ExperimentConfig, opt: torch.optim.Optimizer, total_steps: int):
    """Per-iteration schedules: 'step' divides the rate by 10 at 1/2 and 3/4 of training, 'cosine'
    anneals it to 0 (CosineAnnealingLR over all iterations), 'none' keeps it constant."""
    if cfg.lr_schedule == "none":
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda _step: 1.0)
    if cfg.lr_schedule == "step":
        return torch.optim.lr_scheduler.MultiStepLR(opt, [total_steps // 2, (3 * total_steps) // 4], 0.1)
    if cfg.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(total_steps, 1))
    raise ValueError(f"unknown lr_schedule {cfg.lr_schedule!r}; choose none, step or cosine")


class Preprocess:
    """Normalise (statistics of the training fold) and resize to the profile's size, on the device."""

    def __init__(self, scaler: ChannelScaler, size: int, device: torch.device, channels_last: bool = False):
        self.scaler, self.size, self.device, self.channels_last = scaler, size, device, channels_last

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = self.scaler(to_device(x, self.device, self.channels_last))
        if x.shape[-1] != self.size:
            x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False, antialias=True)
        return x


def augment(cfg: ExperimentConfig, x: torch.Tensor, y: torch.Tensor, gen: torch.Generator,
            names: tuple[str, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    fb = FreebieConfig(flips=cfg.flips)
    if cfg.geometric:
        x = geometric(x, fb, gen)
    if cfg.colour:
        optical = [i for i, n in enumerate(names) if channel_kind(n) == "optical"]
        visible = [i for i, n in enumerate(names) if n in RGB_BANDS]
        x = colour(x, optical, visible, fb, gen)
    # One uniform draw picks at most one mix per batch: CutMix on [0, p_cutmix), then Mixup on the next
    # p_mixup of the unit interval; neither on the rest.
    u = torch.rand((), generator=gen).item()
    p_cutmix = cfg.cutmix_prob if cfg.cutmix else 0.0
    if u < p_cutmix:
        x, y, _ = cutmix(x, y, gen)
    elif cfg.mixup and u < p_cutmix + cfg.mixup_prob:
        x, y, _ = mixup(x, y, gen, cfg.mixup_alpha)
    return x, y


def eval_batch(device: torch.device) -> int:
    # a GPU evaluates in large batches (one bf16 launch sequence per 512 images); the CPU keeps 128, the
    # size every committed number was made with (another size sums convolutions in another order)
    return 512 if device.type == "cuda" else 128


@torch.no_grad()
def predict(model, prep: Preprocess, x: torch.Tensor, batch: int | None = None, with_embeddings: bool = False,
            forward=embed_and_logits):
    """Landslide probabilities (and pooled embeddings) of (N, C, H, W) raw images, no augmentation. The
    scores stay on the device until the pass ends: one transfer, no host round trip per batch."""
    model.eval()
    batch = batch or eval_batch(prep.device)
    # a compiled forward has a graph per input shape: the last batch is padded to the full size (in eval
    # mode images do not interact) and the padding dropped, so a fold compiles one evaluation graph
    pad = forward is not embed_and_logits
    probs, embs = [], []
    for s in range(0, x.shape[0], batch):
        chunk = prep(x[s:s + batch])
        n = chunk.shape[0]
        if pad and n < batch:
            layout = torch.channels_last if channels_last(prep.device, prep.channels_last) else torch.contiguous_format
            chunk = torch.cat([chunk, chunk.new_zeros((batch - n, *chunk.shape[1:]))]).contiguous(memory_format=layout)
        with autocast(prep.device):
            feats, logits = forward(model, chunk)
        feats, logits = feats[:n], logits[:n]
        probs.append(torch.softmax(logits.float(), 1)[:, 1])
        if with_embeddings:
            # a copy: a CUDA graph (compile on a GPU) overwrites its outputs at the next replay
            embs.append(feats.to(torch.float32, copy=True))
    p = torch.cat(probs).cpu().numpy() if probs else np.zeros(0, np.float32)
    return (p, torch.cat(embs).cpu().numpy()) if with_embeddings else p


def fit_fold(cfg: ExperimentConfig, fold: int, data: FoldData, fold_dir: Path, device: torch.device,
             progress: bool = True, on_epoch=None) -> FoldResult:
    """Train one fold (resuming from ``fold_dir/last.pt``) and return its final weights' predictions and
    embeddings. The result's indices are positions in ``data``'s own arrays; the caller maps them.
    ``on_epoch(fold, epoch)``, if given, is called as each epoch (0-based) starts."""
    fold_dir.mkdir(parents=True, exist_ok=True)
    if cfg.compile:
        # a fold's graphs guard on its own model and optimiser: without a reset, each fold would add
        # graphs until dynamo's recompile limit, past which it runs eagerly without a word. The last
        # fold's captured step sits in a reference cycle (compiled bound methods): collect it first
        gc.collect()
        torch._dynamo.reset()
    if device.type == "cuda":
        # The whole fold lives on the device (7k x 12 x 64 x 64 float32 is 1.4 GB): no host copies in the loop.
        data = FoldData(data.train_x.to(device), data.train_y.to(device), data.val_x.to(device),
                        data.val_y.to(device), None if data.test_x is None else data.test_x.to(device),
                        data.n_real_train)
    n_real = data.n_real_train or data.train_x.shape[0]
    # Fit normalisation on the real training images of this fold only (never on validation or SMOTE output).
    scaler = ChannelScaler(cfg.norm).fit(data.train_x[:n_real])
    prep = Preprocess(scaler, model_input_size(cfg), device, cfg.channels_last)
    torch.manual_seed(init_seed(cfg.seed, fold))  # the initial weights, so a fold is reproducible
    model = build_model(cfg, device)
    opt = make_optimizer(cfg, model, captured=cfg.compile)
    loop = _Loop(cfg, fold, data, model, prep, opt, device, progress)
    state = loop.resume(fold_dir / "last.pt")
    for epoch in range(state["epoch"], cfg.epochs):
        if on_epoch:
            on_epoch(fold, epoch)
        loop.epoch(epoch, state)
        save_checkpoint({"model": model.state_dict(), "opt": opt.state_dict(),
                         "sched": loop.sched.state_dict(), "state": state, "scaler": scaler.state_dict()},
                        fold_dir / "last.pt")
    save_checkpoint({"model": model.state_dict(), "scaler": scaler.state_dict()}, fold_dir / "model.pt")
    return _final_predictions(model, prep, data, n_real, state, loop.forward)


def steps_per_epoch(n: int, batch_size: int, whole_batches: bool = False) -> int:
    # A last batch of a single image is left out of the epoch: BatchNorm cannot train on one sample.
    # The captured step has one batch shape, so it leaves out any partial last batch. Either way it is a
    # different set of images each epoch (the order is reshuffled), so no image is left out for good.
    if whole_batches:
        return max(1, n // batch_size)
    return max(1, n // batch_size + (n % batch_size >= 2))


class _Loop:
    """A fold's optimisation: schedule, augmentation, loss watch and the validation history."""

    def __init__(self, cfg, fold, data: FoldData, model, prep, opt, device, progress):
        self.cfg, self.fold, self.data, self.model, self.prep, self.opt = cfg, fold, data, model, prep, opt
        self.device, self.progress = device, progress
        self.n = data.train_x.shape[0]
        self.steps = steps_per_epoch(self.n, cfg.batch_size, whole_batches=cfg.compile)
        self.step, self.sched = make_step(cfg, model, opt, device, self.steps * cfg.epochs)
        self.forward = eval_forward(cfg, device)
        self.names = channel_names(cfg.channels)
        self.onehot = F.one_hot(data.train_y, 2).float().to(device)
        self.watch = LossWatch()
        self.hint = (f"lower the learning rate (--set lr=..., now {cfg.lr}) or check the data (`python -m "
                     f"landslide check`); the finished epochs are kept")

    def resume(self, last: Path) -> dict:
        if not last.exists():
            return {"epoch": 0, "step": 0, "best_f1": -1.0, "best_step": 0, "history": [],
                    "train_seconds": 0.0, "train_images": 0}
        ckpt = load_checkpoint(last)
        self.model.load_state_dict(ckpt["model"])
        if isinstance(self.step, CapturedStep):
            self.step.restore(ckpt["opt"], ckpt["sched"])
        else:
            self.opt.load_state_dict(ckpt["opt"])
            self.sched.load_state_dict(ckpt["sched"])
        state = ckpt["state"]
        state.pop("best_state", None)  # written by versions that scored the best checkpoint
        return state

    def evaluate(self, state: dict) -> None:
        scores = predict(self.model, self.prep, self.data.val_x, forward=self.forward)
        f1 = f1_at_half(self.data.val_y.cpu().numpy(), scores)
        state["history"].append((state["step"], f1))
        if f1 > state["best_f1"]:
            state.update(best_f1=f1, best_step=state["step"])
        self.model.train()

    def epoch(self, epoch: int, state: dict) -> None:
        cfg, where = self.cfg, f"within fold {self.fold} epoch {epoch + 1}"
        seed = epoch_seed(cfg.seed, self.fold, epoch)
        torch.manual_seed(seed)  # dropout and anything else drawing from the global generator
        gen = torch.Generator().manual_seed(seed)
        order = torch.randperm(self.n, generator=gen).to(self.data.train_x.device)
        self.model.train()
        bar = tqdm(range(self.steps), desc=f"fold {self.fold} epoch {epoch + 1}/{cfg.epochs}",
                   disable=not self.progress, leave=False)
        tick = time.perf_counter()
        for i in bar:
            idx = order[i * cfg.batch_size:(i + 1) * cfg.batch_size]
            x, y = augment(cfg, self.prep(self.data.train_x[idx]), self.onehot[idx].to(self.device), gen, self.names)
            self.watch.add(self.step(x, y), where, self.hint)
            state["step"] += 1
            state["train_images"] += len(idx)
            bar.set_postfix(loss=f"{self.watch.last_mean:.3f}", best_f1=f"{max(state['best_f1'], 0):.3f}",
                            refresh=False)
            if cfg.eval_every and state["step"] % cfg.eval_every == 0:
                state["train_seconds"] += time.perf_counter() - tick
                self.evaluate(state)
                tick = time.perf_counter()
        self.watch.check(where, self.hint)
        state["train_seconds"] += time.perf_counter() - tick
        if not cfg.eval_every:
            self.evaluate(state)
        state["epoch"] = epoch + 1


def _final_predictions(model, prep: Preprocess, data: FoldData, n_real: int, state: dict, forward) -> FoldResult:
    def embed(x):
        return predict(model, prep, x, with_embeddings=True, forward=forward)
    tick = time.perf_counter()
    train_p, train_e = embed(data.train_x[:n_real])
    eval_rate = n_real / (time.perf_counter() - tick)
    # SMOTE images are part of the training set a head is fitted on, as they were for the network
    n = data.train_x.shape[0]
    smote_e = embed(data.train_x[n_real:])[1] if n > n_real else None
    val_p, val_e = embed(data.val_x)
    test_p, test_e = embed(data.test_x) if data.test_x is not None else (None, None)
    return FoldResult(train_idx=np.arange(n_real), val_idx=np.arange(len(val_p)), train_probs=train_p,
                      train_emb=train_e, val_probs=val_p, val_emb=val_e, best_val_f1=state["best_f1"],
                      best_step=state["best_step"], history=np.asarray(state["history"], np.float64).reshape(-1, 2),
                      train_f1=f1_at_half(data.train_y[:n_real].cpu().numpy(), train_p),
                      train_img_s=state["train_images"] / max(state["train_seconds"], 1e-9), eval_img_s=eval_rate,
                      smote_emb=smote_e, test_probs=test_p, test_emb=test_e)

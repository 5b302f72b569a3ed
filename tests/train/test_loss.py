import pytest
import torch
import torch.nn.functional as F

from landslide.train.loss import soft_kl_loss


def test_kl_equals_cross_entropy_minus_target_entropy():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(32, 2, generator=g)
    t = torch.rand(32, generator=g)
    targets = torch.stack([t, 1 - t], 1)
    ce = -(targets * F.log_softmax(logits, 1)).sum(1).mean()
    ent = -(targets * targets.log()).sum(1).mean()
    assert soft_kl_loss(logits, targets).item() == pytest.approx((ce - ent).item(), abs=1e-6)
    onehot = F.one_hot(torch.randint(0, 2, (32,), generator=g), 2).float()
    assert soft_kl_loss(logits, onehot).item() == pytest.approx(F.cross_entropy(logits, onehot.argmax(1)).item(),
                                                                abs=1e-6)


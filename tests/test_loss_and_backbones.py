import pytest
import torch
import torch.nn.functional as F

from landslide.errors import LandslideError
from landslide.models.backbones import create_backbone, embed
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


@pytest.mark.parametrize("suffix", [".safetensors", ".pth"])
def test_local_weights_adapt_the_stem_like_timm(tmp_path, suffix):
    from timm.models._manipulate import adapt_input_conv
    src = create_backbone("test_efficientnet", in_chans=3, num_classes=1000)
    path = tmp_path / f"w{suffix}"
    if suffix == ".safetensors":
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in src.state_dict().items()}, path)
    else:
        torch.save(src.state_dict(), path)
    model = create_backbone("test_efficientnet", in_chans=12, num_classes=2, weights=path)
    w3 = src.state_dict()["conv_stem.weight"]
    assert torch.allclose(model.state_dict()["conv_stem.weight"], adapt_input_conv(12, w3))
    # the rest of the body is the file's; the 1000-class classifier is replaced by a fresh 2-class one
    body = [k for k in src.state_dict() if not k.startswith(("conv_stem", "classifier"))]
    assert body and all(torch.equal(model.state_dict()[k], src.state_dict()[k]) for k in body)
    assert model.get_classifier().out_features == 2
    assert embed(model, torch.zeros(2, 12, 32, 32)).shape == (2, model.num_features)


def test_missing_weight_file_says_what_to_do(tmp_path):
    with pytest.raises(LandslideError, match="--weights PATH"):
        create_backbone("test_efficientnet", in_chans=12, weights=tmp_path / "nope.safetensors")

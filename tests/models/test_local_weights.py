import pytest
import torch

from landslide.errors import LandslideError
from landslide.models.backbones import create_backbone, embed


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



def test_mean_rgb_stem_gives_every_band_the_mean_rgb_kernel(tmp_path):
    from safetensors.torch import save_file
    src = create_backbone("test_efficientnet", in_chans=3, num_classes=1000)
    path = tmp_path / "w.safetensors"
    save_file({k: v.contiguous() for k, v in src.state_dict().items()}, path)
    model = create_backbone("test_efficientnet", in_chans=12, num_classes=2, weights=path, stem_init="mean_rgb")
    w3 = src.state_dict()["conv_stem.weight"]                     # (out, 3, k, k)
    expected = (w3.mean(dim=1, keepdim=True) * 3 / 12).expand(-1, 12, -1, -1)
    assert torch.allclose(model.state_dict()["conv_stem.weight"], expected, atol=1e-7)
    # a constant image meets the same total stem response as an RGB one did
    assert torch.allclose(model.conv_stem.weight.sum(dim=1), w3.sum(dim=1), atol=1e-6)


def test_mean_rgb_stem_without_pretrained_weights_is_refused():
    from landslide.profiles import profile_config
    with pytest.raises(LandslideError, match="stem_init='mean_rgb'.*pretrained=true"):
        profile_config("smoke", stem_init="mean_rgb")

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


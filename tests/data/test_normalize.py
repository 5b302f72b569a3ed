
import numpy as np
import torch

from landslide.data.normalize import ChannelScaler


def test_scalers_against_numpy():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.gamma(2.0, 3.0, (10, 3, 8, 8)).astype(np.float32))
    flat = x.numpy().transpose(1, 0, 2, 3).reshape(3, -1).astype(np.float64)
    std = ChannelScaler("standard").fit(x)
    np.testing.assert_allclose(std(x).numpy().transpose(1, 0, 2, 3).reshape(3, -1),
                               (flat - flat.mean(1, keepdims=True)) / flat.std(1, keepdims=True), atol=1e-5)
    rob = ChannelScaler("robust").fit(x)
    q25, q50, q75 = np.percentile(flat, [25, 50, 75], axis=1)
    np.testing.assert_allclose(rob.center.numpy(), q50, rtol=1e-5)
    np.testing.assert_allclose(rob.scale.numpy(), q75 - q25, rtol=1e-5)
    again = ChannelScaler.from_state(rob.state_dict())
    assert torch.equal(again(x), rob(x))



def test_constant_channel_does_not_divide_by_zero():
    x = torch.zeros(4, 2, 5, 5)
    x[:, 1] = torch.randn(4, 5, 5)
    for kind in ("standard", "robust"):
        assert torch.isfinite(ChannelScaler(kind).fit(x)(x)).all()


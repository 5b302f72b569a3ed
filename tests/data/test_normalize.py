
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



def test_scaling_into_another_layout_changes_no_value_and_leaves_the_input_alone():
    # the training pipeline scales straight into channels_last: the same float32 values, bit for bit, as
    # the plain expression on a channels_last copy (every committed number was made that way)
    x = torch.randn(6, 4, 9, 9) * 7 + 3
    before = x.clone()
    scaler = ChannelScaler("standard").fit(x)
    plain = (x.contiguous(memory_format=torch.channels_last) - scaler.center.view(1, -1, 1, 1)) \
        / scaler.scale.view(1, -1, 1, 1)
    scaled = scaler(x, torch.channels_last)
    assert scaled.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(scaled, plain)
    assert torch.equal(x, before)
    assert torch.equal(scaler(x[1:3]), (x[1:3] - scaler.center.view(1, -1, 1, 1)) / scaler.scale.view(1, -1, 1, 1))

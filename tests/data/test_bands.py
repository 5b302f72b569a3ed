import numpy as np
import pytest
import torch

from landslide.data.bands import CHANNEL_SETS, DERIVED, RAW_BANDS, channel_names, expand_channels


def _pixel(**values):
    x = torch.zeros(1, 12, 1, 1, dtype=torch.float64)
    for k, v in values.items():
        x[0, RAW_BANDS.index(k)] = v
    return x


PIX = _pixel(red=1000, green=1500, blue=800, nir=3000, desc_vv=-8, desc_vh=-15, asc_vv=-10, asc_vh=-18,
             desc_diff_vv=3, desc_diff_vh=-4, asc_diff_vv=0, asc_diff_vh=2)


@pytest.mark.parametrize("name,expected", [
    ("ndvi", (3000 - 1000) / (3000 + 1000)),
    ("evi2", 2.5 * (0.3 - 0.1) / (0.3 + 2.4 * 0.1 + 1)),
    ("vari", (1500 - 1000) / (1500 + 1000 - 800)),
    ("redr", 1000 / (1000 + 1500 + 800)),
    ("ndwi", (1500 - 3000) / (1500 + 3000)),
    ("desc_cross_ratio", -15 - -8),
    ("asc_cross_ratio", -18 - -10),
    ("sar_change", np.sqrt((9 + 16 + 0 + 4) / 4)),
])
def test_index_matches_hand_value(name, expected):
    assert DERIVED[name].fn(PIX).item() == pytest.approx(expected, rel=1e-12)


def test_sobel_of_a_ramp():
    # nir rises by 10 per column: interior Sobel-x = 10 * (1+2+1) * 2 = 80, Sobel-y = 0
    x = torch.zeros(1, 12, 8, 8, dtype=torch.float64)
    x[0, RAW_BANDS.index("nir")] = torch.arange(8, dtype=torch.float64) * 10
    mag = DERIVED["sobel_nir"].fn(x)[0]
    assert torch.allclose(mag[2:-2, 2:-2], torch.full((4, 4), 80.0, dtype=torch.float64))


def test_canny_finds_a_step_edge_and_nothing_in_flat_regions():
    x = torch.full((1, 12, 32, 32), 100.0)
    x[0, RAW_BANDS.index("nir"), :, 16:] = 3000.0
    edges = DERIVED["canny_nir"].fn(x)[0]
    cols = torch.nonzero(edges)[:, 1].unique().tolist()
    assert edges.sum() > 0 and set(cols) <= {15, 16}


def test_channel_sets_sizes_and_finite_on_zero_patch():
    assert [len(channel_names(k)) for k in ("12", "20", "28")] == [12, 20, 28]
    assert len(set(CHANNEL_SETS["28"])) == 28
    for k in ("12", "20", "28"):
        out = expand_channels(torch.zeros(2, 12, 64, 64), k)
        assert out.shape == (2, len(channel_names(k)), 64, 64) and torch.isfinite(out).all()

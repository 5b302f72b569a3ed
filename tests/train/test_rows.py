"""A fold's images as Rows of the data set (issue 40's memory): every read gives what the copied fold gave."""
import numpy as np
import pytest
import torch

from landslide.data.bands import CHANNEL_SETS, RAW_BANDS, expand_channels
from landslide.data.normalize import ChannelScaler
from landslide.train.rows import CHUNK, Rows, fold_source


@pytest.fixture
def data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(50, 4, 6, 6, generator=g) * torch.tensor([1.0, 5.0, 0.1, 30.0]).view(1, 4, 1, 1)
    rows = np.random.default_rng(1).permutation(50)[:31]
    return x, rows


def test_rows_read_as_the_copied_fold(data):
    x, rows = data
    fold, copy = Rows(x, rows), x[rows]
    assert fold.shape == copy.shape and len(fold) == len(copy)
    batch = torch.tensor([3, 0, 30, 7])
    assert torch.equal(fold[batch], copy[batch])
    assert torch.equal(fold[5:17], copy[5:17])
    assert torch.equal(fold[:, 2], copy[:, 2])
    assert torch.equal(fold.to(torch.device("cpu")), copy)


@pytest.mark.parametrize("kind", ["standard", "robust"])
def test_the_scaler_fits_rows_as_it_fits_the_copy_and_the_formula(data, kind):
    x, rows = data
    on_rows, on_copy = ChannelScaler(kind).fit(Rows(x, rows)), ChannelScaler(kind).fit(x[rows])
    assert torch.equal(on_rows.center, on_copy.center) and torch.equal(on_rows.scale, on_copy.scale)
    per_channel = x[rows].transpose(0, 1).reshape(4, -1).double().numpy()
    if kind == "standard":
        center, scale = per_channel.mean(1), per_channel.std(1)
    else:
        q = np.quantile(per_channel, [0.25, 0.5, 0.75], axis=1)
        center, scale = q[1], q[2] - q[0]
    np.testing.assert_allclose(on_rows.center.numpy(), center, rtol=1e-6)
    np.testing.assert_allclose(on_rows.scale.numpy(), scale, rtol=1e-6)


def test_patch_statistics_in_chunks_are_the_whole_set_s():
    from landslide.tricks.tabular import CHUNK, band_statistics, distribution_statistics
    x = np.random.default_rng(2).normal(size=(CHUNK + 40, 3, 8, 8)).astype(np.float32)
    for stats in (band_statistics, distribution_statistics):
        chunked = np.concatenate([stats(x[i:i + CHUNK]) for i in range(0, len(x), CHUNK)])
        assert np.array_equal(chunked, stats(x))


@pytest.fixture
def bands():
    """12 raw bands at their units' scales (optical reflectance x 1e4, SAR in dB), with black pixels, so the
    derived indices take their zero-denominator branch too."""
    rng = np.random.default_rng(3)
    n = CHUNK + 37  # the scaler's per-channel pieces end mid-set
    optical = rng.uniform(0, 1e4, size=(n, 8, 16, 16))
    sar = rng.normal(-12, 4, size=(n, 4, 16, 16))
    x = torch.from_numpy(np.concatenate([optical, sar], 1).astype(np.float32))
    x[:5, :8] = 0.0
    assert x.shape[1] == len(RAW_BANDS)
    return x, rng.permutation(n)[:n - 60]


def test_derived_channels_per_read_have_the_bits_of_the_whole_set_expanded(bands):
    raw, rows = bands
    expanded = expand_channels(raw, "20")[rows]
    base, channels = fold_source(raw, "20")
    lazy = Rows(base, rows, channels)
    assert base is raw  # the 20-channel set is never held whole
    assert lazy.shape == expanded.shape
    batch = torch.tensor([7, 0, 400, 3, 3])
    assert torch.equal(lazy[batch], expanded[batch])
    assert torch.equal(lazy[10:45], expanded[10:45])
    assert torch.equal(lazy[2], expanded[2])
    for c in range(expanded.shape[1]):
        assert torch.equal(lazy[:, c], expanded[:, c])
    assert torch.equal(lazy.to(torch.device("cpu")), expanded)
    for kind in ("standard", "robust"):
        on_lazy, on_copy = ChannelScaler(kind).fit(lazy), ChannelScaler(kind).fit(expanded)
        assert torch.equal(on_lazy.center, on_copy.center) and torch.equal(on_lazy.scale, on_copy.scale)


def test_edge_channels_are_expanded_once_and_raw_bands_are_read_as_they_are(bands):
    raw, rows = bands
    base, channels = fold_source(raw, "28")  # convolutions and per-image quantiles: not per read
    assert channels is None and base.shape[1] == len(CHANNEL_SETS["28"])
    assert torch.equal(Rows(base, rows, channels)[:], expand_channels(raw, "28")[rows])
    base, channels = fold_source(raw, "12")
    assert base is raw and torch.equal(Rows(base, rows, channels)[:], raw[rows])


@pytest.mark.parametrize("channels", [None, "20"])
def test_smote_images_after_the_rows_read_as_the_concatenated_fold(bands, channels):
    raw, rows = bands
    base, lazy = fold_source(raw, channels or "12")
    made = torch.randn(45, 12 if channels is None else 20, 16, 16, generator=torch.Generator().manual_seed(4))
    fold = Rows(base, rows, lazy if channels else None, extra=made)
    copy = torch.cat([expand_channels(raw, channels or "12")[rows], made])
    assert len(fold) == len(copy) and fold.shape == copy.shape
    for batch in (torch.tensor([len(rows) + 3, 0, len(rows) - 1, len(copy) - 1, 5]), torch.arange(3),
                  torch.arange(len(rows), len(copy))):
        assert torch.equal(fold[batch], copy[batch])
    assert torch.equal(fold[len(rows) - 2:len(rows) + 2], copy[len(rows) - 2:len(rows) + 2])
    assert torch.equal(fold[len(rows):], made) and torch.equal(fold[len(rows) + 1], made[1])
    assert torch.equal(fold[:, 13 if channels else 3], copy[:, 13 if channels else 3])
    real = fold.of_base()  # what the scaler fits and the train F1 reads: the real rows only
    assert len(real) == len(rows) and torch.equal(real[:], copy[:len(rows)])


@pytest.mark.parametrize("channels", ["12", "20"])
def test_one_channel_of_a_fold_is_read_without_gathering_its_whole_rows(bands, channels, monkeypatch):
    """The scaler fits a fold one channel at a time: gathering every channel for each would hold the fold
    again (315 MB at 12 channels) once per channel."""
    raw, rows = bands
    base, lazy = fold_source(raw, channels)
    fold = Rows(base, rows, lazy)
    expected = expand_channels(raw, channels)[rows]
    monkeypatch.setattr(Rows, "_gather", lambda *a: pytest.fail("a channel read gathered whole rows"))
    for c in (0, 11, fold.shape[1] - 1):
        assert torch.equal(fold[:, c], expected[:, c])


@pytest.mark.parametrize("channels", ["12", "20"])
@pytest.mark.parametrize("smote", [False, True])
def test_every_index_form_reads_as_on_the_tensor(bands, channels, smote):
    raw, rows = bands
    base, lazy = fold_source(raw, channels)
    width = len(CHANNEL_SETS[channels])
    made = torch.randn(9, width, 16, 16, generator=torch.Generator().manual_seed(5)) if smote else None
    fold = Rows(base, rows, lazy, extra=made)
    copy = expand_channels(raw, channels)[rows]
    copy = torch.cat([copy, made]) if smote else copy
    last = len(copy) - 1
    for key in [(6, 2), (last, 13 % width), (1, slice(0, 2)), (torch.tensor([0, last]),), (-1,),
                (slice(3, 9), 2, slice(None), 4), (torch.tensor([last, 2]), -1), (slice(None), 3)]:
        got, want = fold[key], copy[key]
        assert got.shape == want.shape and torch.equal(got, want), key

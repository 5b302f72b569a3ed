import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from landslide.augment.smote import (
    CLIP,
    anchor_texture_mix,
    blur,
    count_for_share,
    linear_mix,
    smote_ssim,
    texture_preserving_mix,
)
from landslide.augment.ssim import scale_for_ssim, ssim, ssim_matrix, ssim_neighbours
from landslide.augment.ssim_pairs import folded_rows


def _sk(a, b):
    return structural_similarity(a, b, channel_axis=0, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, data_range=1.0)


@pytest.fixture(scope="module")
def patches(synth300):
    from landslide.data import load_patches
    ps = load_patches(synth300)
    pos = np.nonzero(ps.train.labels == 1)[0][:12]
    scaled, _, _ = scale_for_ssim(torch.from_numpy(ps.train.images[pos]).double())
    return scaled, [ps.train.ids[i] for i in pos], torch.from_numpy(ps.train.images[pos])


def test_float64_ssim_equals_skimage_on_random_and_synthetic(patches):
    rng = np.random.default_rng(0)
    a, b = rng.random((2, 4, 12, 32, 40))
    ours = ssim(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    ref = [_sk(a[i], b[i]) for i in range(4)]
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-10)
    s = patches[0].numpy()
    ours = ssim(patches[0][:-1], patches[0][1:]).numpy()
    np.testing.assert_allclose(ours, [_sk(s[i], s[i + 1]) for i in range(len(s) - 1)], rtol=0, atol=1e-10)


def test_float32_path_is_within_1e5(patches):
    s = patches[0]
    ref = ssim(s[:-1], s[1:]).numpy()
    fast = ssim(s[:-1].float(), s[1:].float()).numpy()
    np.testing.assert_allclose(fast, ref, atol=1e-5)
    for backend in ("numba", "torch"):
        m64 = ssim_matrix(s, backend=backend)
        m32 = ssim_matrix(s.float(), backend=backend)
        np.testing.assert_allclose(m32.numpy(), m64.numpy(), atol=1e-5)


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_ssim_matrix_equals_skimage_in_float64(backend):
    rng = np.random.default_rng(1)
    x = rng.random((7, 3, 24, 30))  # not square, not a multiple of any SIMD width
    got = ssim_matrix(torch.from_numpy(x), backend=backend).numpy()
    want = np.array([[_sk(x[i], x[j]) for j in range(7)] for i in range(7)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_folded_rows_visit_each_anchor_once_in_balanced_pairs():
    n = 11
    rows = folded_rows(n)
    assert sorted(rows) == list(range(n - 1))
    work = [n - 1 - r for r in rows]
    assert all(a + b == n for a, b in zip(work[0::2], work[1::2], strict=True))


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_neighbours_equal_brute_force_skimage(patches, backend):
    s = patches[0].numpy()
    n = len(s)
    brute = np.full((n, n), -np.inf)
    for i in range(n):
        for j in range(n):
            if i != j:
                brute[i, j] = _sk(s[i], s[j])
    expected = np.argsort(-brute, axis=1)[:, :5]
    got = ssim_neighbours(patches[0].float(), k=5, backend=backend, chunk_pairs=7)
    assert (np.sort(got, 1) == np.sort(expected, 1)).all()


def test_every_synthetic_image_is_the_stated_interpolation(patches):
    _, ids, raw = patches
    res = smote_ssim(raw, ids, per_anchor=5, k=5, alpha=0.5, beta=0.5, seed=1, mix="linear")
    assert len(res.images) == 5 * len(ids)
    lam = res.lambdas
    assert lam.min() >= CLIP[0] and lam.max() <= CLIP[1]
    assert np.isclose(lam, CLIP[0]).any() or np.isclose(lam, CLIP[1]).any()  # Beta(0.5, 0.5) hits the clips
    index = {pid: i for i, pid in enumerate(ids)}
    for m in range(len(res.images)):
        a, b = raw[index[res.anchor_ids[m]]].double(), raw[index[res.neighbour_ids[m]]].double()
        assert res.anchor_ids[m] != res.neighbour_ids[m]
        expected = lam[m] * a + (1 - lam[m]) * b
        torch.testing.assert_close(res.images[m].double(), expected, rtol=1e-6, atol=1e-3)
    nbrs = ssim_neighbours(scale_for_ssim(raw.float())[0], 5)
    for m in range(len(res.images)):
        assert index[res.neighbour_ids[m]] in nbrs[index[res.anchor_ids[m]]]


def test_same_seed_same_output_and_small_sets(patches):
    _, ids, raw = patches
    a = smote_ssim(raw, ids, 3, seed=7)
    b = smote_ssim(raw, ids, 3, seed=7)
    assert torch.equal(a.images, b.images) and a.provenance() == b.provenance()
    with pytest.warns(UserWarning, match="k=2"):
        smote_ssim(raw[:3], ids[:3], 2, k=5)
    from landslide.errors import LandslideError
    with pytest.raises(LandslideError, match="at least 2 landslide"):
        smote_ssim(raw[:1], ids[:1], 2)


def test_count_for_share_by_hand():
    assert count_for_share(10, 50, 0.5) == 30          # (10 + 30) / (50 + 30) = 0.5 exactly
    assert count_for_share(10, 50, 0.3) == 8           # 7.14 rounds up: 18 / 58 = 0.310, 17 / 57 = 0.298
    assert count_for_share(1255, 7147, 0.5) == 4637    # the real training set (zindi.json) balanced
    assert count_for_share(30, 50, 0.5) == 0           # already above the share
    from landslide.errors import LandslideError
    with pytest.raises(LandslideError, match="smote_share"):
        count_for_share(10, 50, 1.0)
    from landslide.profiles import profile_config
    with pytest.raises(LandslideError, match="smote_share"):  # refused before any run starts
        profile_config("smoke", smote_share=1.5)


def test_total_spreads_evenly_over_anchors(patches):
    _, ids, raw = patches                               # 12 anchors
    res = smote_ssim(raw, ids, per_anchor=5, total=30, seed=3)
    counts = np.array([res.anchor_ids.count(pid) for pid in ids])
    assert len(res.images) == 30 and counts.sum() == 30
    assert set(counts) == {2, 3} and (counts == 3).sum() == 6   # 30 = 12 * 2 + 6
    assert len(smote_ssim(raw, ids, total=0).images) == 0


def test_blur_equals_scipy_gaussian_filter():
    from scipy.ndimage import gaussian_filter
    x = np.random.default_rng(2).random((2, 3, 20, 17))
    ours = blur(torch.from_numpy(x)).numpy()
    # torch's "reflect" padding is scipy's "mirror"; radius 5 = int(3.5 * 1.5 + 0.5), as gaussian_taps
    ref = gaussian_filter(x, sigma=(0, 0, 1.5, 1.5), mode="mirror", truncate=3.5)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def ramps_with_speckle(n: int, seed: int):
    """Anchors (a ramp) and neighbours (twice the ramp), each with its own unit speckle; lambda 0.5."""
    gen = torch.Generator().manual_seed(seed)
    ramp = torch.linspace(0, 5, 64).view(1, 1, 1, 64).expand(n, 2, 64, 64)
    a = ramp + torch.randn(n, 2, 64, 64, generator=gen, dtype=torch.float64)
    b = 2 * ramp + torch.randn(n, 2, 64, 64, generator=gen, dtype=torch.float64)
    return ramp, a, b, torch.full((n,), 0.5, dtype=torch.float64)


def test_texture_preserving_mix_keeps_speckle_variance():
    ramp, a, b, lam = ramps_with_speckle(400, 0)

    def texture_var(x):
        return (x - blur(x))[..., 8:-8, 8:-8].var().item()

    plain, kept = linear_mix(a, b, lam), texture_preserving_mix(a, b, lam)
    assert texture_var(plain) / texture_var(a) == pytest.approx(0.5, rel=0.03)  # lambda^2 + (1 - lambda)^2
    assert texture_var(kept) / texture_var(a) == pytest.approx(1.0, rel=0.03)
    # the smooth part is Algorithm 1's: the ramps mix to 1.5 * ramp
    np.testing.assert_allclose(blur(kept).mean(0)[..., 8:-8, 8:-8], (1.5 * ramp[0])[..., 8:-8, 8:-8], atol=0.03)


def test_anchor_texture_mix_keeps_the_anchors_own_texture():
    ramp, a, b, lam = ramps_with_speckle(200, 1)
    mixed = anchor_texture_mix(a, b, lam)

    def texture(x):
        return (x - blur(x))[..., 8:-8, 8:-8]
    assert texture(mixed).var().item() / texture(a).var().item() == pytest.approx(1.0, rel=0.03)
    assert np.corrcoef(texture(mixed).ravel(), texture(a).ravel())[0, 1] > 0.95
    # the smooth part is Algorithm 1's: away from the borders the ramps mix to 1.5 * ramp
    np.testing.assert_allclose(blur(mixed).mean(0)[..., 20:-20, 20:-20], (1.5 * ramp[0])[..., 20:-20, 20:-20],
                               atol=0.06)
    torch.testing.assert_close(anchor_texture_mix(a, a, lam), a)  # an image mixed with itself is itself


def test_unknown_mix_is_refused(patches):
    _, ids, raw = patches
    with pytest.raises(Exception, match="unknown SMOTE mix"):
        smote_ssim(raw, ids, mix="cubic")


def test_the_ssim_search_leaves_torchs_thread_count_as_it_was():
    """numba's parallel loop shares OpenMP with torch: without care it left torch on every core, so a
    run with threads=1 trained its SMOTE folds on all of them."""
    import torch

    from landslide.augment.ssim import ssim_neighbours
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        ssim_neighbours(torch.rand(6, 2, 16, 16, generator=torch.Generator().manual_seed(0)), k=2)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)

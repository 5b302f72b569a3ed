import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from landslide.augment.smote import CLIP, smote_ssim
from landslide.augment.ssim import scale_for_ssim, ssim, ssim_matrix, ssim_neighbours


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
    m64 = ssim_matrix(s)
    m32 = ssim_matrix(s.float())
    np.testing.assert_allclose(m32.numpy(), m64.numpy(), atol=1e-5)


def test_neighbours_equal_brute_force_skimage(patches):
    s = patches[0].numpy()
    n = len(s)
    brute = np.full((n, n), -np.inf)
    for i in range(n):
        for j in range(n):
            if i != j:
                brute[i, j] = _sk(s[i], s[j])
    expected = np.argsort(-brute, axis=1)[:, :5]
    got = ssim_neighbours(patches[0].float(), k=5, chunk_pairs=7)
    assert (np.sort(got, 1) == np.sort(expected, 1)).all()


def test_every_synthetic_image_is_the_stated_interpolation(patches):
    _, ids, raw = patches
    res = smote_ssim(raw, ids, per_anchor=5, k=5, alpha=0.5, beta=0.5, seed=1)
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

import pytest
import torch
from scipy import stats

from landslide.augment.freebies import FreebieConfig, colour, geometric
from landslide.augment.mix import cutmix, mixup, sample_beta


def _batch(n=16, c=12, h=20, w=24, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, c, h, w).clone()  # sample i holds value i
    y = torch.nn.functional.one_hot(torch.randint(0, 2, (n,), generator=g), 2).float()
    return x, y


def test_cutmix_lambda_is_one_minus_pasted_area_and_labels_sum_to_one():
    x, y = _batch()
    for seed in range(20):
        mixed, ym, lam = cutmix(x, y, torch.Generator().manual_seed(seed))
        n, c, h, w = x.shape
        for i in range(n):
            own = (mixed[i, 0] == i).float().mean().item()
            if (mixed[i] == i).all():  # partner is itself: nothing visible was pasted, lambda still counts the box
                continue
            assert own == pytest.approx(lam[i].item(), abs=1e-6)
            assert (mixed[i] == mixed[i, 0]).all()  # the same rectangle in every band
        assert torch.allclose(ym.sum(1), torch.ones(n))
        assert ((lam > 0) & (lam < 1)).all()  # 0 <= x1 < x2 <= W: never empty, can be the whole image only if
        # both sides span fully, which leaves lambda = 0; strictly-inside draws dominate


def test_cutmix_rectangles_are_uniform_over_valid_corners():
    # Algorithm 2: x1 < x2 drawn uniformly among valid pairs, so E[x2 - x1] = (W + 2) / 3 for integers in 0..W
    w = 10
    x = torch.zeros(20000, 1, 1, w)
    x[:, 0, 0, :] = 0
    _, _, lam = cutmix(x, torch.zeros(20000, 2), torch.Generator().manual_seed(0))
    widths = (1 - lam) * w  # h = 1, so the pasted share is width / W
    assert widths.mean().item() == pytest.approx((w + 2) / 3, rel=0.03)


def test_mixup_mixes_images_and_labels_with_one_lambda():
    x, y = _batch(n=64)
    mixed, ym, lam = mixup(x, y, torch.Generator().manual_seed(1), alpha=0.4)
    assert torch.allclose(ym.sum(1), torch.ones(64))
    # each mixed image is lam * own + (1 - lam) * partner: partner value recovered, labels consistent
    partner = ((mixed[:, 0, 0, 0] - lam * torch.arange(64)) / (1 - lam)).round().long()
    assert torch.allclose(ym, lam.view(-1, 1) * y + (1 - lam.view(-1, 1)) * y[partner], atol=1e-5)


def test_beta_sampler_matches_scipy():
    s = sample_beta(20000, 2.0, 5.0, torch.Generator().manual_seed(0)).numpy()
    assert stats.kstest(s, stats.beta(2.0, 5.0).cdf).pvalue > 0.01
    s = sample_beta(20000, 0.4, 0.4, torch.Generator().manual_seed(0)).numpy()
    assert stats.kstest(s, stats.beta(0.4, 0.4).cdf).pvalue > 0.01


def test_geometric_moves_every_band_the_same_way():
    g = torch.Generator().manual_seed(0)
    base = torch.rand(8, 1, 32, 32, generator=g)
    x = base.expand(8, 12, 32, 32).clone()
    out = geometric(x, FreebieConfig(), torch.Generator().manual_seed(5))
    assert not torch.allclose(out, x)
    assert torch.allclose(out, out[:, :1].expand_as(out))


def test_colour_saturation_touches_only_visible_bands():
    x = torch.randn(4, 12, 8, 8)
    cfg = FreebieConfig(noise_std=0, brightness=0, contrast=0, saturation=0.5)
    out = colour(x, [0, 1, 2, 3], [0, 1, 2], cfg, torch.Generator().manual_seed(0))
    assert torch.equal(out[:, 3:], x[:, 3:])
    assert not torch.allclose(out[:, :3], x[:, :3])
    assert torch.allclose(out[:, :3].mean(1), x[:, :3].mean(1), atol=1e-6)  # grey level kept


def test_flips_and_quarter_turns_are_exact_pixel_permutations():
    x = torch.arange(4 * 2 * 6 * 6, dtype=torch.float32).view(4, 2, 6, 6)
    out = geometric(x, FreebieConfig(shift=0, shear_deg=0), torch.Generator().manual_seed(3))
    for i in range(4):
        images = (x[i], x[i].flip(2), x[i].flip(1), x[i].flip(1).flip(2))
        assert any(torch.equal(out[i], torch.rot90(f, k, (1, 2))) for f in images for k in range(4))

"""Known answers planted by generator v3 (landslide/data/synthetic.py): its two hard negatives carry a
landslide's change in every band, drawn from the same distributions, so that per-band statistics cannot
tell them from landslides while the spatial truth that defines each one can.
- displaced: the optical scar and the SAR change apart (oracle: their pixel co-location);
- patchwork: both together, but cut into 4 px fields scattered over the patch (oracle: whether the
  change forms one body)."""
import numpy as np
import pytest
from scipy import ndimage
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

from landslide.data.synthetic import SynthConfig, make_patch
from landslide.tricks.tabular import distribution_statistics

# Full visibility, clear sky, both orbits: the spatial truth is then in plain view in every patch.
CLEAR = SynthConfig(cloud_share=0.0, faint_share=0.0, one_orbit_share=0.0)
N = 80
KINDS = ("landslide", "displaced", "patchwork")


@pytest.fixture(scope="module")
def planted():
    out = {}
    for seed, kind in enumerate(KINDS):
        rng = np.random.default_rng(seed)
        label = int(kind == "landslide")
        out[kind] = np.stack([make_patch(rng, label, CLEAR, kind=None if label else kind)[0] for _ in range(N)])
    return out


def _change_maps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: the optical scar (NIR below the patch median) and the SAR change (|diff VV| off its median)."""
    nir = x[..., 3]
    optical = np.clip(np.median(nir, axis=(1, 2), keepdims=True) - nir, 0, None)
    sar = np.abs(x[..., 6] - np.median(x[..., 6], axis=(1, 2), keepdims=True))
    return optical, sar


def co_location(x: np.ndarray) -> np.ndarray:
    """Oracle: the pixel correlation of the optical scar with the SAR change."""
    o, s = (m.reshape(len(x), -1) for m in _change_maps(x))
    o, s = o - o.mean(1, keepdims=True), s - s.mean(1, keepdims=True)
    return (o * s).sum(1) / np.sqrt((o ** 2).sum(1) * (s ** 2).sum(1))


def one_body(x: np.ndarray) -> np.ndarray:
    """Oracle: the share of the (smoothed, thresholded) SAR change that lies in its largest connected region."""
    _, sar = _change_maps(x)
    out = []
    for w in sar:
        w = ndimage.gaussian_filter(w, 1.0)
        regions, n = ndimage.label(w > 0.5 * w.max())
        sizes = np.bincount(regions.ravel())[1:]
        out.append(sizes.max() / sizes.sum())
    return np.asarray(out)


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    return float(roc_auc_score(np.r_[np.ones(len(pos)), np.zeros(len(neg))], np.r_[pos, neg]))


def _statistics_auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Cross-validated AUC of a linear model on 13 distribution statistics per band, no spatial input."""
    feats = distribution_statistics(np.concatenate([pos, neg]).transpose(0, 3, 1, 2))
    feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-9)
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    p = cross_val_predict(LogisticRegression(C=0.1, max_iter=2000), feats, y, cv=4, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, p))


@pytest.mark.parametrize("decoy, oracle", [("displaced", co_location), ("patchwork", one_body)])
def test_per_band_statistics_are_near_chance_where_the_spatial_oracle_separates(planted, decoy, oracle):
    slides, decoys = planted["landslide"], planted[decoy]
    assert _statistics_auc(slides, decoys) < 0.65
    assert _auc(oracle(slides), oracle(decoys)) > 0.95


def test_the_two_truths_are_independent(planted):
    """A patchwork is co-located like a landslide, a displaced decoy is one body like a landslide: each
    decoy fails exactly one oracle, so a model must read both."""
    slides = planted["landslide"]
    assert _auc(co_location(slides), co_location(planted["patchwork"])) < 0.7
    assert _auc(one_body(slides), one_body(planted["displaced"])) < 0.7


def test_a_patchwork_keeps_the_scars_mask_values_exactly():
    """Same multiset of mask values: the histogram match holds by construction, not by tuning."""
    from landslide.data.synthetic import _patchwork, _scar
    rng = np.random.default_rng(3)
    m = _scar(rng).mask()
    cut = _patchwork(rng, m)
    assert np.array_equal(np.sort(cut.ravel()), np.sort(m.ravel()))
    assert not np.array_equal(cut, m)

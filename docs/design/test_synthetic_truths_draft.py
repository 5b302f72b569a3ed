"""Known answers planted by generator v3: its hard negatives carry a landslide's change in every band, so
per-band statistics cannot tell them from landslides, while the spatial truth that defines them can.
Displaced decoys move the SAR change away from the optical scar (co-location); tilled fields keep them
together but compact (elongation)."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

from landslide.data.synthetic import SynthConfig, make_patch
from landslide.tricks.tabular import distribution_statistics

# Full visibility, clear sky, both orbits: the spatial truth is then in plain view in every patch.
CLEAR = SynthConfig(cloud_share=0.0, faint_share=0.0, one_orbit_share=0.0)
N = 80


def _patches(kind: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    label = 1 if kind == "landslide" else 0
    return np.stack([make_patch(rng, label, CLEAR, kind=None if label else kind)[0] for _ in range(N)])


@pytest.fixture(scope="module")
def planted():
    return {kind: _patches(kind, seed) for seed, kind in enumerate(("landslide", "displaced", "tilled"))}


def _change_maps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: the optical scar's strength (NIR below the patch median) and the SAR change (|diff VV|)."""
    nir = x[..., 3]
    optical = np.clip(np.median(nir, axis=(1, 2), keepdims=True) - nir, 0, None)
    sar = np.abs(x[..., 6] - np.median(x[..., 6], axis=(1, 2), keepdims=True))
    return optical, sar


def co_location(x: np.ndarray) -> np.ndarray:
    """Oracle: the pixel correlation of the optical scar with the SAR change."""
    optical, sar = _change_maps(x)
    o = optical.reshape(len(x), -1) - optical.reshape(len(x), -1).mean(1, keepdims=True)
    s = sar.reshape(len(x), -1) - sar.reshape(len(x), -1).mean(1, keepdims=True)
    return (o * s).sum(1) / np.sqrt((o ** 2).sum(1) * (s ** 2).sum(1))


def elongation(x: np.ndarray) -> np.ndarray:
    """Oracle: the aspect ratio of the SAR change (both orbits, smoothed) from its second moments."""
    from scipy.ndimage import gaussian_filter
    _, sar = _change_maps(x)
    sar = sar + np.abs(x[..., 10] - np.median(x[..., 10], axis=(1, 2), keepdims=True))
    yy, xx = np.mgrid[0:x.shape[1], 0:x.shape[2]]
    out = []
    for w in sar:
        w = gaussian_filter(w, 1.5)
        w = np.where(w > 0.5 * w.max(), w, 0)
        cy, cx = (w * yy).sum() / w.sum(), (w * xx).sum() / w.sum()
        cov = np.cov(np.stack([yy.ravel() - cy, xx.ravel() - cx]), aweights=w.ravel())
        lo, hi = np.linalg.eigvalsh(cov)
        out.append(np.sqrt(hi / max(lo, 1e-9)))
    return np.asarray(out)


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    return float(roc_auc_score(y, np.r_[pos, neg]))


def _statistics_auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Cross-validated AUC of a linear model on 13 distribution statistics per band, no spatial input."""
    x = np.concatenate([pos, neg]).transpose(0, 3, 1, 2)
    feats = distribution_statistics(x)
    feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-9)
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    p = cross_val_predict(LogisticRegression(C=0.1, max_iter=2000), feats, y, cv=4, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, p))


@pytest.mark.parametrize("decoy, oracle", [("displaced", co_location), ("tilled", elongation)])
def test_per_band_statistics_are_near_chance_where_the_spatial_oracle_separates(planted, decoy, oracle):
    slides, decoys = planted["landslide"], planted[decoy]
    assert _statistics_auc(slides, decoys) < 0.65
    assert _auc(oracle(slides), oracle(decoys)) > 0.95


def test_the_two_truths_are_independent(planted):
    """A tilled field is co-located like a landslide, a displaced decoy elongated like one: each decoy
    fails exactly one oracle, so a model must learn both."""
    slides = planted["landslide"]
    assert _auc(co_location(slides), co_location(planted["tilled"])) < 0.7
    assert _auc(elongation(slides), elongation(planted["displaced"])) < 0.7

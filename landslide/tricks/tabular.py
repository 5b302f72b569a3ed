"""A tabular baseline: LightGBM on per-band statistics of each patch, no network. It trains in seconds
and says how much of the task a model that ignores spatial structure already solves."""
from __future__ import annotations

import numpy as np

PERCENTILES = (5, 25, 50, 75, 95)
RICH_PERCENTILES = (1, 5, 25, 50, 75, 95, 99)
CHUNK = 256  # patches whose statistics are computed at once


def band_statistics(images: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N, C * 7): per channel its mean, std and the PERCENTILES, channel by channel."""
    flat = np.asarray(images, np.float64).reshape(images.shape[0], images.shape[1], -1)
    parts = [flat.mean(2), flat.std(2), *np.percentile(flat, PERCENTILES, axis=2)]
    return np.stack(parts, axis=2).reshape(images.shape[0], -1)


def distribution_statistics(images: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N, C * 13): per channel mean, std, min, max, RICH_PERCENTILES, skewness and excess
    kurtosis. The scale-free ones (tails, shape) read a small bright region as well as a threshold would:
    the strongest model that ignores where pixels are, against which a CNN's spatial reading is measured."""
    from scipy.stats import kurtosis, skew
    flat = np.asarray(images, np.float64).reshape(images.shape[0], images.shape[1], -1)
    parts = [flat.mean(2), flat.std(2), flat.min(2), flat.max(2), *np.percentile(flat, RICH_PERCENTILES, axis=2),
             np.nan_to_num(skew(flat, axis=2)), np.nan_to_num(kurtosis(flat, axis=2))]
    return np.stack(parts, axis=2).reshape(images.shape[0], -1)


def fit_predict(train_x: np.ndarray, train_y: np.ndarray, others: list[np.ndarray], seed: int = 0) -> list:
    import lightgbm as lgb
    model = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.05, num_leaves=31, subsample=0.8, subsample_freq=1,
                               colsample_bytree=0.5, random_state=seed, n_jobs=1, verbose=-1)
    model.fit(train_x, train_y)
    return [np.asarray(model.predict_proba(x))[:, 1] for x in others]


STATISTICS = {"7": band_statistics, "13": distribution_statistics}


def cross_validated(cfg, seed: int, channels: str = "12", statistics: str = "13") -> dict:
    """The tabular model on ``cfg``'s data and folds for ``seed``: out-of-fold scores, each fold's model on the
    test split averaged (as a fold ensemble of networks is), labels. ``channels`` as a network's input
    (12 raw bands, or 20 with the derived indices), ``statistics`` "7" (mean, std, 5 percentiles) or "13".
    With ``cfg.folds_trained`` only those folds are fitted and only their validation rows returned."""
    import torch

    from landslide.data.bands import expand_channels
    from landslide.errors import LandslideError
    from landslide.train.cv import make_folds, training_set
    from landslide.train.seeds import split_seed
    ps = training_set(cfg)
    if ps.test is None or ps.test.labels is None or ps.train.labels is None:
        raise LandslideError(f"{cfg.data or 'the data'}: the tabular baseline needs a labelled test split "
                             f"(TestLabels.csv); without one, compare out-of-fold scores only")
    labels, test_labels, stats = ps.train.labels, ps.test.labels, STATISTICS[statistics]
    # a patch's statistics are its own: in chunks of patches they are the same numbers, without the whole
    # set in float64 and its sorted and centred copies at once (issue 40: 6.4 GB for 20 channels)
    train, test = (np.concatenate([stats(expand_channels(torch.from_numpy(s.images[i:i + CHUNK]), channels).numpy())
                                   for i in range(0, len(s.images), CHUNK)]) for s in (ps.train, ps.test))
    oof, fold_of, tests = np.zeros(len(labels)), np.full(len(labels), -1), []
    # the network's folds, and only those it trains (the preview's first fold): same rows scored, same cost saved
    for k, (tr, va) in enumerate(make_folds(labels, cfg.folds, split_seed(seed))[:cfg.folds_trained or None]):
        oof[va], test_p = fit_predict(train[tr], labels[tr], [train[va], test], seed)
        fold_of[va] = k
        tests.append(test_p)
    scored = fold_of >= 0
    return {"labels": labels[scored], "oof": oof[scored], "fold_of": fold_of[scored], "test": np.mean(tests, 0),
            "test_labels": test_labels}


# the variants tables print: the network's own 12 channels first (the fair comparison), then 20 beside it
VARIANTS = (("12", "13"), ("12", "7"), ("20", "7"))


def variant_name(channels: str, statistics: str) -> str:
    return f"tabular LightGBM, {statistics} statistics x {channels} channels"

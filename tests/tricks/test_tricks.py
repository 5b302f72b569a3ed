"""The challenge winners' tricks, each against a known answer."""
import numpy as np
import pytest
import torch

from landslide.tricks.ensemble import combine
from landslide.tricks.tabular import band_statistics
from landslide.tricks.threshold import best_threshold, cross_fitted, f1_at
from landslide.tricks.tta import dihedral, predict_tta


class PooledLinear(torch.nn.Module):
    """Global average pooling then a linear layer: exactly invariant to rotations and flips."""
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.fc = torch.nn.Linear(3, 2)

    def forward_features(self, x):
        return x

    def forward_head(self, x, pre_logits=False):
        pooled = x.mean(dim=(2, 3))
        return pooled if pre_logits else self.fc(pooled)

    def get_classifier(self):
        return self.fc


class Identity:
    device = torch.device("cpu")

    def __call__(self, x):
        return x


def test_tta_of_a_flip_invariant_model_changes_nothing():
    x = torch.randn(10, 3, 16, 16)
    model = PooledLinear()
    plain = predict_tta(model, Identity(), x, n=1)
    for n in (4, 8):
        np.testing.assert_allclose(predict_tta(model, Identity(), x, n=n), plain, atol=1e-6)


def test_the_dihedral_transforms_are_eight_distinct_ones():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    seen = {tuple(dihedral(x, k).flatten().tolist()) for k in range(8)}
    assert len(seen) == 8


def test_oof_threshold_by_hand():
    y = [0, 0, 1, 1, 1]
    s = [0.1, 0.4, 0.35, 0.8, 0.9]
    # candidates 0.5 and midpoints .225, .375, .6, .85 give F1 .8, .857, .667, .8, .5
    assert best_threshold(y, s) == pytest.approx(0.225)
    assert f1_at(y, s, 0.225) == pytest.approx(6 / 7)


def test_a_folds_threshold_never_saw_that_fold():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    oof = np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1)
    fold_of = np.arange(300) % 3
    thresholds, f1s = cross_fitted(y, oof, fold_of)
    assert thresholds[0] == best_threshold(y[fold_of != 0], oof[fold_of != 0])
    moved = oof.copy()
    moved[fold_of == 0] = rng.random(100)  # rewrite fold 0's own scores: its threshold must not move
    assert cross_fitted(y, moved, fold_of)[0][0] == thresholds[0]
    assert f1s[0] == pytest.approx(f1_at(y[fold_of == 0], oof[fold_of == 0], thresholds[0]))


def test_tabular_features_equal_numpy_statistics():
    x = np.random.default_rng(1).normal(size=(2, 3, 8, 8))
    feats = band_statistics(x)
    assert feats.shape == (2, 21)
    c = x[1, 2].ravel()
    expected = [c.mean(), c.std(), *np.percentile(c, [5, 25, 50, 75, 95])]
    np.testing.assert_allclose(feats[1, 14:21], expected)


def test_ensembles_by_mean_and_rank():
    a, b = np.array([0.1, 0.9, 0.5]), np.array([0.3, 0.5, 0.4])
    np.testing.assert_allclose(combine([a, b]), [0.2, 0.7, 0.45])
    np.testing.assert_allclose(combine([a, b], "rank"), [1 / 3, 1.0, 2 / 3])
    with pytest.raises(ValueError):
        combine([a], "median")


def test_backbone_row_with_members_equal_to_the_recipe_reads_as_the_row_above():
    """Known answer: averaging the recipe with copies of itself changes no score, so the backbone row's CV
    and test F1 equal the OOF-threshold row's; the seed row follows it."""
    from types import SimpleNamespace

    from bench.studies.tricks import build_rows
    rng = np.random.default_rng(0)
    y, y_test = rng.integers(0, 2, 90), rng.integers(0, 2, 60)
    fold_of = np.arange(90) % 3

    def seed():
        noisy = np.clip(y * 0.3 + rng.random(90) * 0.7, 0, 1)
        tests = [np.clip(y_test * 0.3 + rng.random(60) * 0.7, 0, 1) for _ in range(3)]
        return {"labels": y, "test_labels": y_test, "fold_of": fold_of, "oof": noisy, "test": tests,
                "oof_tta": noisy, "test_tta": tests}
    seeds = {0: seed(), 1: seed()}
    copies = {s: [SimpleNamespace(oof=d["oof_tta"], test=np.mean(d["test_tta"], 0), fold_of=fold_of)] * 2
              for s, d in seeds.items()}
    tab = {"tabular LightGBM": {s: {"labels": y, "oof": d["oof"], "fold_of": fold_of, "test": d["test"][0]}
                                for s, d in seeds.items()}}
    rows = {r["row"].split(" (")[0]: r for r in build_rows(seeds, tab, 8, (["a", "b"], copies))}
    assert list(rows) == ["recipe: SVM", "+ fold ensemble", "+ TTA x8", "+ OOF threshold", "+ backbones",
                          "+ ensemble of 2 seeds' networks", "tabular LightGBM"]
    assert rows["+ backbones"]["cv"] == rows["+ OOF threshold"]["cv"]
    assert rows["+ backbones"]["test_f1"] == pytest.approx(rows["+ OOF threshold"]["test_f1"])


def test_distribution_statistics_known_answer():
    """A channel holding 0..99 once each (uniform): mean 49.5, min 0, max 99, median 49.5, skewness 0,
    excess kurtosis -1.2 (a discrete uniform of 100 values: -6 (n^2 + 1) / (5 (n^2 - 1)) = -1.2002)."""
    from landslide.tricks.tabular import RICH_PERCENTILES, distribution_statistics
    x = np.arange(100, dtype=float).reshape(1, 1, 10, 10)
    f = distribution_statistics(np.concatenate([x, -x], axis=1))
    assert f.shape == (1, 2 * 13)
    mean, std, lo, hi, *pct = f[0, :11]
    assert (mean, lo, hi) == (49.5, 0.0, 99.0)
    assert std == pytest.approx(np.sqrt((100 ** 2 - 1) / 12))
    assert pct[RICH_PERCENTILES.index(50)] == 49.5
    assert f[0, 11] == pytest.approx(0.0, abs=1e-12)
    assert f[0, 12] == pytest.approx(-6 * (100 ** 2 + 1) / (5 * (100 ** 2 - 1)))
    assert f[0, 13 + 2] == -99.0  # the second channel's min: channel by channel


def test_a_first_fold_tabular_baseline_scores_that_folds_rows_as_the_full_run_does():
    """The preview trains the network's first fold only; its tabular line must be the same fold's model."""
    from landslide.profiles import profile_config
    from landslide.tricks.tabular import cross_validated
    cfg = profile_config("smoke", folds=3)
    full = cross_validated(cfg, 0, "12", "7")
    first = cross_validated(cfg.replace(folds_trained=1), 0, "12", "7")
    assert sorted(set(full["fold_of"])) == [0, 1, 2] and set(first["fold_of"]) == {0}
    in_first = full["fold_of"] == 0
    np.testing.assert_array_equal(first["labels"], full["labels"][in_first])
    np.testing.assert_allclose(first["oof"], full["oof"][in_first])
    assert first["test"].shape == full["test"].shape and not np.allclose(first["test"], full["test"])


@pytest.mark.parametrize("tta, label", [(1, "+ TTA x1 (no transform: the row above's scores)"), (4, "+ TTA x4"),
                                        (8, "+ TTA x8")])
def test_the_tta_row_is_named_by_the_transforms_it_averaged(tta, label):
    from bench.studies.tricks import build_rows
    rng = np.random.default_rng(1)
    y, y_test = rng.integers(0, 2, 30), rng.integers(0, 2, 20)
    scores = {0: {"labels": y, "test_labels": y_test, "fold_of": np.arange(30) % 3, "oof": rng.random(30),
                  "test": [rng.random(20)] * 3, "oof_tta": rng.random(30), "test_tta": [rng.random(20)] * 3}}
    assert [r["row"] for r in build_rows(scores, {}, tta)][2] == label

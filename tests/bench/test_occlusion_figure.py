"""Fig. 7 from a hand-made occlusion table: intervals over folds, planted bands marked, a plain caption."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from bench.figures.explain import occlusion_figure
from landslide.errors import LandslideError

METHODS = ["occlusion_prob", "occlusion_f1", "permutation_prob", "permutation_f1"]


def table(planted: bool) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for m in METHODS:
        for ch, sensor, signal in (("nir", "optical", 0.6), ("red", "optical", 0.4), ("desc_vh", "sar", np.nan),
                                   ("desc_diff_vv", "sar", 1.0)):
            folds = rng.random(3) * 0.1
            rows.append({"channel": ch, "sensor": sensor, "method": m, "importance": folds.mean(), "rank": 1,
                         "zero": "normalised", "fold_1": folds[0], "fold_2": folds[1], "fold_3": folds[2],
                         "planted": signal if planted else np.nan})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("planted", [True, False])
def test_intervals_over_folds_and_planted_bands_marked(tmp_path, monkeypatch, planted):
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    table(planted).to_csv(tmp_path / "occlusion.csv", index=False)
    paths = occlusion_figure(tmp_path / "occlusion.csv", tmp_path / "figures")
    assert sorted(p.name for p in paths) == ["occlusion.pdf", "occlusion.png", "occlusion.txt"]
    caption = (tmp_path / "figures" / "occlusion.txt").read_text()
    assert "3 held-out folds" in caption and "lowest and the highest fold" in caption
    assert "zero applied" not in caption and ("truth.json" in caption)
    fig = kept[0]
    assert "\n" not in fig._suptitle.get_text()
    ax = fig.axes[0]
    # whiskers from the lowest to the highest fold: one segment per channel
    from matplotlib.container import ErrorbarContainer
    err = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    whiskers = err.lines[2][0].get_segments()
    nir = table(planted).query("method == 'occlusion_prob' and channel == 'nir'").iloc[0]
    assert any(np.allclose(sorted(s[:, 0]), [min(nir.fold_1, nir.fold_2, nir.fold_3),
                                              max(nir.fold_1, nir.fold_2, nir.fold_3)]) for s in whiskers)
    ticks = {t.get_text() for t in ax.get_yticklabels()}
    assert ticks == ({"nir *", "red *", "desc_diff_vv *", "desc_vh"} if planted
                     else {"nir", "red", "desc_diff_vv", "desc_vh"})


def test_a_table_without_folds_is_refused(tmp_path):
    table(True).drop(columns=["fold_1", "fold_2", "fold_3"]).to_csv(tmp_path / "o.csv", index=False)
    with pytest.raises(LandslideError, match="per-fold"):
        occlusion_figure(tmp_path / "o.csv", tmp_path)

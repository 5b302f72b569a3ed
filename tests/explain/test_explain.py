"""Explainability against known truth: the synthetic set says which bands carry the signal."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from landslide.data.bands import RAW_BANDS
from landslide.data.builtin import builtin_store
from landslide.explain.occlusion import channel_importance
from landslide.profiles import profile_config
from landslide.train.cv import run_experiment
from landslide.train.trained import load_run

pytestmark = pytest.mark.slow
DIFF_BANDS = {"desc_diff_vv", "desc_diff_vh", "asc_diff_vv", "asc_diff_vh"}


def test_occlusion_and_permutation_rank_the_true_signal_bands_first(tmp_path):
    # a small model that learns: resnet10t at 32 px, 500 synthetic patches, 2 folds
    cfg = profile_config("quick", backbone="resnet10t", pretrained=False, lr=2e-3, synth_n=500, synth_test_n=20,
                         folds=2, epochs=6, dim_scale=0.125)
    metrics = run_experiment(cfg, tmp_path / "run", progress=False).metrics.as_json()
    assert metrics["cv_f1_mean"] > 0.5, metrics  # otherwise there is nothing to explain
    truth = json.loads((builtin_store(500, 20, 0).parent / "truth.json").read_text())
    assert DIFF_BANDS <= set(truth["signal_bands"]) and set(truth["no_signal_bands"]) == {"desc_vh", "asc_vh"}
    total = None
    for f in load_run(tmp_path / "run"):
        imp = channel_importance(f.model, f.prep, f.val_x, f.val_y, seed=f.fold)
        total = imp if total is None else {k: total[k] + imp[k] for k in imp}
    for method in ("occlusion_prob", "permutation_prob"):
        order = [RAW_BANDS[i] for i in np.argsort(-total[method])]
        # rank 1 is a post-minus-pre SAR band and at least 2 of ranks 1-3 are; the VH post-event bands,
        # which carry no class signal of their own (only VV's texture, through the VV/VH coupling), are
        # not in ranks 1-3
        assert order[0] in DIFF_BANDS, (method, order)
        assert len(DIFF_BANDS & set(order[:3])) >= 2, (method, order)
        assert not set(truth["no_signal_bands"]) & set(order[:3]), (method, order)


def test_zeroing_modes_differ_and_a_constant_model_has_no_importance():
    class Constant(torch.nn.Module):
        def forward_features(self, x):
            return x.mean(dim=(2, 3))

        def forward_head(self, x, pre_logits=False):
            return x if pre_logits else self.get_classifier()(x)

        def get_classifier(self):
            return lambda f: torch.zeros(f.shape[0], 2)

    from landslide.data.normalize import ChannelScaler
    from landslide.train.pipeline import Preprocess
    x = torch.randn(20, 12, 8, 8)
    prep = Preprocess(ChannelScaler().fit(x), 8, torch.device("cpu"))
    y = np.array([1, 0] * 10)
    imp = channel_importance(Constant(), prep, x, y)
    assert all(np.allclose(v, 0) for v in imp.values())
    with pytest.raises(ValueError):
        channel_importance(Constant(), prep, x, y, zero="before")


def test_umap_and_occlusion_commands_smoke(tmp_path):
    out = tmp_path / "o"
    for cmd in (["umap"], ["occlusion"]):
        r = subprocess.run([sys.executable, "-m", "bench", *cmd, "--profile", "smoke", "--out", str(out),
                            "--no-progress"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    umap_csv = pd.read_csv(out / "tables" / "umap_smoke.csv")
    assert umap_csv.panel.tolist() == ["a", "b"] and umap_csv.silhouette.between(-1, 1).all()
    # one network's space: the first fold's network on the smoke profile's 40 test patches
    assert umap_csv.points.tolist() == ["the test split"] * 2 and umap_csv.n.tolist() == [40, 40]
    occ = pd.read_csv(out / "tables" / "occlusion_smoke.csv")
    assert set(occ.method) == {"occlusion_prob", "occlusion_f1", "permutation_prob", "permutation_f1"}
    assert len(occ) == 48 and sorted(occ[occ.method == "occlusion_f1"]["rank"]) == list(range(1, 13))
    for f in ("umap_smoke.png", "umap_smoke.pdf", "occlusion_smoke.png", "occlusion_smoke.pdf"):
        assert (out / "figures" / f).exists()

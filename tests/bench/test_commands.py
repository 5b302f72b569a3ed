"""The other bench commands at smoke scale: they run, and write what they say they write."""
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from bench.grid.spec import load_grid

pytestmark = pytest.mark.slow


def bench(*args):
    r = subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_speed_table_has_its_columns(tmp_path):
    bench("speed", "--profile", "smoke", "--out", str(tmp_path), "--steps", "2", "--sk-pairs", "5",
          "--ssim-n", "12", "--set", "threads=1")
    df = pd.read_csv(tmp_path / "tables" / "speed_smoke.csv")
    assert list(df.columns) == ["metric", "value"]
    metrics = set(df.metric)
    for needle in ("train img/s, full pipeline", "pipeline overhead", "SSIM speed-up over skimage",
                   "SVM fit s", "LightGBM fit s", "SSIM neighbours of 12 patches", "peak RSS MB, training part",
                   "matmul rate"):
        assert any(m.startswith(needle) for m in metrics), needle
    assert (df.value > 0).all()
    value = dict(zip(df.metric, df.value, strict=True))
    achieved = value["train img/s, full pipeline"] * value["training GFLOP per image (3x the counted forward)"]
    assert abs(value["training GFLOP/s achieved through the pipeline"] - achieved) <= 2e-3 * achieved  # 4 digits each
    share = value["training GFLOP/s achieved through the pipeline"] / value["matmul rate of this machine, GFLOP/s"]
    assert abs(value["achieved share of the matmul rate"] - share) <= 2e-3 * share
    header = (tmp_path / "tables" / "speed_smoke.md").read_text().splitlines()[0]
    assert "torch" in header and "threads 1;" in header  # --set threads applies, as in training


def test_sweep_writes_a_grid_the_runner_accepts(tmp_path):
    out = bench("sweep", "--profile", "smoke", "--out", str(tmp_path), "--trials", "2", "--no-progress")
    assert "best trial" in out
    best = tmp_path / "tables" / "sweep_best.toml"
    grid = load_grid(best)
    assert grid.rows[0].name == "best" and "head" in grid.rows[0].fields
    assert tomllib.loads(best.read_text())["grid"]["name"] == "sweep_best"
    assert (tmp_path / "figures" / "sweep_history.png").exists()
    again = bench("sweep", "--profile", "smoke", "--out", str(tmp_path), "--trials", "2", "--no-progress")
    assert "2 trials finished, 0 to run" in again


def test_smote_figure_and_gpu_check_path(tmp_path):
    bench("smote", "--profile", "smoke", "--out", str(tmp_path), "--no-progress")
    # a profile other than quick carries its name: the committed (quick) outputs are never overwritten
    assert (tmp_path / "figures" / "smote_smoke.png").exists() and (tmp_path / "figures" / "smote_smoke.pdf").exists()
    marker = pd.read_csv(tmp_path / "tables" / "smote_marker_smoke.csv", comment="#")
    assert len(marker) == 4 and marker.auc_logistic_cv.between(0, 1).all()
    assert marker.compared.str.contains("linear").any() and marker.compared.str.contains("class information").any()
    out = bench("gpu-check", "--tiny", "--device", "cpu", "--iters", "2", "--warmup", "1")
    assert "train:" in out and "FLOPs per image" in out
    tiny = ("--model", "test_efficientnet", "--device", "cpu", "--iters", "2", "--batch", "4", "--size", "32")
    assert "img/s" in bench("gpu-diagnose", "--variant", "big-batch", *tiny)
    assert "% busy" in bench("gpu-diagnose", "--variant", "profile", *tiny)


def test_backbones_smoke_writes_table_and_figure_and_resumes(tmp_path):
    # two of the packaged families keep the test short; the full grid runs the same code. Its own name: a copy
    # named "backbones" that leaves rows out takes the custom names (test_grid), and this test compares the
    # default recipe's outputs with the custom ones
    grid = tmp_path / "b.toml"
    grid.write_text('[grid]\nname = "pair"\nbaseline = "resnet"\nfactors = ["backbone"]\n'
                    '[[row]]\nname = "resnet"\nbackbone = "@resnet"\n[[row]]\nname = "vit"\nbackbone = "@vit"\n')
    args = ("backbones", "--grid", str(grid), "--profile", "smoke", "--out", str(tmp_path), "--no-progress")
    bench(*args)
    df = pd.read_csv(tmp_path / "tables" / "pair_smoke.csv", comment="#")
    assert df.timm_model.tolist() == ["test_resnet", "test_vit"] and (df.params_m > 0).all()
    assert (tmp_path / "figures" / "pair_smoke.png").exists()
    # each family's rate is its best inner validation F1 among the profile's lr x 1/4, 1/2, 1, 2 (the
    # first of equals)
    lrs = pd.read_csv(tmp_path / "tables" / "pair_lr_smoke.csv", comment="#")
    assert lrs.lr.tolist() == [2.5e-4, 5e-4, 1e-3, 2e-3] * 2 and lrs.inner_val_f1.between(0, 1).all()
    for row, scores in lrs.groupby("row", sort=False):
        best = scores.lr[scores.inner_val_f1 == scores.inner_val_f1.max()].iloc[0]
        assert scores.lr[scores.chosen == "yes"].tolist() == [best]
        assert df.lr[df.row == row].item() == best
    assert "learning rate per family" in (tmp_path / "tables" / "pair_smoke.md").read_text()
    assert "data: synthetic" in (tmp_path / "tables" / "pair_lr_smoke.md").read_text()
    again = bench(*args)
    assert "8 done, 0 to run" in again and "2 done, 0 to run" in again
    # another recipe never overwrites the default's outputs: rates of one's own, or one rate for all
    bench(*args, "--lr-candidates", "3e-3,1e-3")
    assert (tmp_path / "tables" / "pair_lr_smoke_custom.csv").exists()
    own = (tmp_path / "tables" / "pair_smoke_custom.csv").read_text()
    one = bench(*args, "--one-lr", "--set", "lr=3e-3")
    assert "inner split" not in one
    one_lr = pd.read_csv(tmp_path / "tables" / "pair_one_lr_smoke_custom.csv", comment="#")
    assert one_lr.lr.tolist() == [3e-3] * 2
    assert (tmp_path / "tables" / "pair_smoke_custom.csv").read_text() == own
    assert pd.read_csv(tmp_path / "tables" / "pair_smoke.csv", comment="#").lr.tolist() == df.lr.tolist()


def test_tricks_table_and_a_submission_from_its_runs(tmp_path):
    bench("tricks", "--profile", "smoke", "--out", str(tmp_path), "--seeds", "0", "--tta", "4", "--no-progress")
    df = pd.read_csv(tmp_path / "tables" / "tricks_smoke.csv", comment="#")
    assert len(df) == 7 and df.test_f1.between(0, 1).all() and df.row.str.contains("tabular").iloc[-3:].all()
    # the tabular rows stand alone (no change against the row above) and start with the network's 12 channels
    assert df.row.iloc[-3].endswith("13 statistics x 12 channels") and df.delta_test.iloc[-3:].isna().all()
    assert (tmp_path / "tables" / "tricks_smoke.md").exists() and (tmp_path / "tables" / "tricks_smoke.tex").exists()
    run = next((tmp_path / "runs").iterdir())
    r = subprocess.run([sys.executable, "-m", "landslide", "predict", "--run", str(run), "--tta", "4", "--threshold",
                        "oof", "--out", str(tmp_path / "sub.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    sub = pd.read_csv(tmp_path / "sub.csv")
    assert list(sub.columns) == ["ID", "label"] and len(sub) == 40 and set(sub.label) <= {0, 1}
    assert "TTA x4" in r.stdout and "from out-of-fold scores" in r.stdout


def test_thresholds_table_reads_the_runs_at_0_5_as_the_metrics_do(tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text('[grid]\nname = "g"\nbaseline = "a"\nfactors = ["mixup"]\n'
                    '[[row]]\nname = "a"\nmixup = false\n[[row]]\nname = "b"\nmixup = true\n')
    bench("table2", "--seeds", "0", "--grid", str(grid), "--profile", "smoke", "--out", str(tmp_path), "--no-progress")
    bench("thresholds", "--seeds", "0", "--grid", str(grid), "--profile", "smoke", "--out", str(tmp_path),
          "--no-progress")
    table = pd.read_csv(tmp_path / "tables" / "g_smoke.csv", comment="#")
    th = pd.read_csv(tmp_path / "tables" / "g_thresholds_smoke.csv", comment="#")
    assert th.row.tolist() == ["a", "b"]
    # it reads the grid's runs, so it states their baseline's regime (and any collapsed fold, whether or not
    # this smoke run has one) as the grid's own table does
    own = (tmp_path / "tables" / "g_smoke.csv").read_text().splitlines()
    drawn = (tmp_path / "tables" / "g_thresholds_smoke.csv").read_text().splitlines()
    regime = next(line for line in own if "regime:" in line)
    assert regime in drawn
    assert [line for line in own if "collapsed:" in line] == [line for line in drawn if "collapsed:" in line]
    at_half = [float(v.split(" ± ")[0]) for v in th["CV F1 at 0.5"]]
    assert at_half == pytest.approx(table.cv_f1.tolist(), abs=5e-5)  # the same folds, the same 0.5 scores
    assert all(0 <= float(v.split(" ± ")[0]) <= 1 for v in th["CV F1 at OOF threshold"])

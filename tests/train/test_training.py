"""End-to-end smoke training: determinism, resume after a kill, outputs. Each run takes seconds."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

import landslide.train.engine as engine
from landslide.profiles import profile_config
from landslide.train import checkpoint
from landslide.train.cv import run_experiment

pytestmark = pytest.mark.slow


def smoke(**kw):
    return profile_config("smoke", **{"epochs": 2, **kw})


def run_cv(cfg, run_dir, progress=False):
    return run_experiment(cfg, run_dir, progress).metrics.as_json()


def test_cli_train_writes_run_and_same_seed_gives_identical_metrics(tmp_path):
    outs = []
    for name in ("a", "b"):
        r = subprocess.run([sys.executable, "-m", "landslide", "train", "--profile", "smoke", "--out",
                            str(tmp_path / name), "--no-progress"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        outs.append((tmp_path / name / "metrics.json").read_bytes())
    assert outs[0] == outs[1]
    run = tmp_path / "a"
    m = json.loads(outs[0])
    assert {"train_f1", "cv_f1_mean", "cv_f1_std", "cv_f1_folds", "test_f1"} <= set(m)
    assert len(m["cv_f1_folds"]) == 2
    # which CPU trained it: another model would train the same configuration to other numbers
    from landslide.train.device import cpu_model
    assert m["trained_on"] == [f"cpu {torch.backends.cpu.get_cpu_capability()} {cpu_model()}"]
    sub = pd.read_csv(run / "submission.csv")
    assert list(sub.columns) == ["ID", "label"] and set(sub.label) <= {0, 1} and len(sub) == 40
    for f in ("config.json", "oof.csv", "log.txt", "fold_0/model.pt", "fold_1/result.npz"):
        assert (run / f).exists(), f


@pytest.mark.parametrize("ema_decay", [0.0, 0.9], ids=["final", "averaged"])
def test_killed_run_resumes_to_the_same_metrics(tmp_path, monkeypatch, ema_decay):
    # averaged: the weight average is in last.pt too, so a resumed fold scores the same average
    cfg = smoke(ema_decay=ema_decay)
    reference = run_cv(cfg, tmp_path / "ref", progress=False)

    real_save = checkpoint.save_checkpoint
    saves = {"n": 0}

    def dying_save(obj, path):
        real_save(obj, path)
        # die right after fold 1 wrote its first epoch checkpoint: fold 0 done, fold 1 half-way
        if path.name == "last.pt" and path.parent.name == "fold_1":
            saves["n"] += 1
            if saves["n"] == 1:
                raise KeyboardInterrupt
    monkeypatch.setattr(engine, "save_checkpoint", dying_save)
    with pytest.raises(KeyboardInterrupt):
        run_cv(cfg, tmp_path / "killed", progress=False)
    assert (tmp_path / "killed" / "fold_0" / "result.npz").exists()
    assert not (tmp_path / "killed" / "metrics.json").exists()
    monkeypatch.setattr(engine, "save_checkpoint", real_save)
    resumed = run_cv(cfg, tmp_path / "killed", progress=False)
    assert {k: v for k, v in resumed.items() if k != "wall_s"} == {k: v for k, v in reference.items() if k != "wall_s"}


def test_a_different_config_in_the_same_folder_is_refused(tmp_path):
    from landslide.errors import LandslideError
    run_cv(smoke(epochs=1), tmp_path / "r", progress=False)
    with pytest.raises(LandslideError, match="different configuration"):
        run_cv(smoke(epochs=1, lr=0.5), tmp_path / "r", progress=False)


def test_smote_never_uses_validation_images(tmp_path):
    from landslide.data.builtin import load_source
    cfg = smoke(smote=True, epochs=1)
    run_cv(cfg, tmp_path / "r", progress=False)
    ids = load_source("", cfg.synth_n, cfg.synth_test_n, cfg.synth_seed, False).train.ids
    for fold in range(cfg.folds):
        val = {ids[i] for i in np.load(tmp_path / "r" / f"fold_{fold}" / "result.npz")["val_idx"]}
        prov = json.loads((tmp_path / "r" / f"fold_{fold}" / "smote.json").read_text())
        used = {p["anchor"] for p in prov} | {p["neighbour"] for p in prov}
        assert prov and used and not used & val


def test_missing_weights_stop_the_run_before_it_writes_anything(tmp_path):
    r = subprocess.run([sys.executable, "-m", "landslide", "train", "--profile", "smoke", "--out", str(tmp_path / "r"),
                        "--weights", str(tmp_path / "absent.safetensors")], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--weights PATH" in r.stderr and "absent.safetensors" in r.stderr
    assert not (tmp_path / "r").exists()


def test_smote_share_balances_each_training_fold(tmp_path):
    cfg = smoke(smote=True, smote_share=0.5, epochs=1)
    run_cv(cfg, tmp_path / "r", progress=False)
    for fold in range(cfg.folds):
        n_fold = cfg.synth_n - len(np.load(tmp_path / "r" / f"fold_{fold}" / "result.npz")["val_idx"])
        prov = json.loads((tmp_path / "r" / f"fold_{fold}" / "smote.json").read_text())
        n_pos = len({p["anchor"] for p in prov})  # every landslide is an anchor at least once here
        assert (n_pos + len(prov)) / (n_fold + len(prov)) == pytest.approx(0.5, abs=1 / n_fold)


def test_fields_added_later_keep_old_keys_at_their_old_value():
    import hashlib
    cfg = smoke(smote_mix="linear")  # the mix every run used before the field existed
    added = ("smote_share", "smote_mix", "data_fingerprint", "threads", "channels_last", "folds_trained",
             "profile_file", "ema_decay", "warmup_epochs", "stem_init", "inner_of_fold", "cpu_fused_optimizer")
    before = {k: v for k, v in cfg.resolved().items() if k not in ("head", "svm_c", "device", "compile", *added)}
    old_key = hashlib.sha1(json.dumps(before, sort_keys=True).encode()).hexdigest()[:12]  # as stores made it
    assert cfg.training_key() == old_key
    assert cfg.replace(smote_share=0.5).training_key() != old_key
    assert cfg.replace(smote_mix="anchor_texture").training_key() != old_key
    assert cfg.replace(threads=1).training_key() != cfg.replace(threads=2).training_key()
    # the captured step trains whole batches only: a run of its own, while compile=false keeps the old key
    for change in ({"compile": True}, {"channels_last": True}, {"folds_trained": 1}, {"ema_decay": 0.99},
                   {"warmup_epochs": 0.5}, {"cpu_fused_optimizer": True}):
        assert cfg.replace(**change).training_key() != old_key
    assert cfg.replace(folds_trained=cfg.folds).training_key() == old_key  # every fold, as 0 trains


def test_a_run_folder_from_before_the_new_fields_is_resumed_not_refused(tmp_path):
    from landslide.errors import LandslideError
    from landslide.train.rundir import RunDir
    cfg = smoke(smote_mix="linear")
    saved = {k: v for k, v in cfg.resolved().items() if k not in ("smote_share", "smote_mix")}
    saved["smote_keep_texture"] = False  # as the previous version wrote it
    (tmp_path / "config.json").write_text(json.dumps(saved))
    assert RunDir(tmp_path).check(cfg)
    with pytest.raises(LandslideError, match="smote_share"):
        RunDir(tmp_path).check(cfg.replace(smote_share=0.5))


def test_a_preview_run_scores_its_trained_fold_and_is_refused_where_every_fold_is_needed(tmp_path):
    from landslide.errors import LandslideError
    from landslide.tricks.predict import run_scores
    cfg = smoke(folds=3, folds_trained=1, epochs=1)
    run_cv(cfg, tmp_path / "r", progress=False)
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert len(metrics["cv_f1_folds"]) == 1 and not (tmp_path / "r" / "fold_1").exists()
    oof = pd.read_csv(tmp_path / "r" / "oof.csv")
    assert oof.score.notna().sum() == len(np.load(tmp_path / "r" / "fold_0" / "result.npz")["val_idx"])
    with pytest.raises(LandslideError, match="trains 1 of its 3 folds.*--profile quick"):
        run_scores(tmp_path / "r")


def test_output_names_carry_the_profile_and_any_setting_that_differs_from_it():
    from bench.output import output_stem
    quick = profile_config("quick")
    assert output_stem("table2", quick) == "table2"
    # the data, seeds and where it runs make the profile's own table (a user's real-data tables)
    assert output_stem("table2", quick.replace(data="/d", seed=3, device="cpu", threads=1)) == "table2"
    assert output_stem("table2", quick.replace(compile=True)) == "table2_custom"
    assert output_stem("table2", profile_config("preview")) == "table2_preview"
    assert output_stem("tricks", profile_config("smoke", epochs=3)) == "tricks_smoke_custom"

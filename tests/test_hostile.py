"""A hostile or careless user: planted pickles, edited data, killed grids, bad values and bad files. Every
case ends in one clear message (exit 2, no traceback) and loses nothing."""
import os
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from landslide.data import load_patches
from landslide.data.fingerprint import fingerprint
from landslide.errors import DataError, LandslideError
from landslide.train.checkpoint import load_checkpoint


class Planted:
    """Unpickling this runs a shell command: what a crafted last.pt/model.pt would do."""
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def plant(path, marker):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps({"model": Planted(marker)}))


def cli(*args, module="landslide"):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


# 1. no code from run folders ------------------------------------------------------------------------

def test_a_planted_checkpoint_does_not_run(tmp_path):
    marker = tmp_path / "pwned"
    plant(tmp_path / "last.pt", marker)
    with pytest.raises(LandslideError, match="not a checkpoint this tool wrote"):
        load_checkpoint(tmp_path / "last.pt")
    assert not marker.exists()


def test_train_resuming_from_a_planted_last_pt_refuses_it(tmp_path):
    out, marker = tmp_path / "run", tmp_path / "pwned"
    rc, _ = cli("train", "--profile", "smoke", "--out", out, "--set", "epochs=2", "--no-progress")
    assert rc == 0
    shutil.rmtree(out / "fold_1")
    plant(out / "fold_1" / "last.pt", marker)
    rc, text = cli("train", "--profile", "smoke", "--out", out, "--set", "epochs=2", "--no-progress")
    assert rc == 2 and "Traceback" not in text and "last.pt: not a checkpoint" in text
    assert not marker.exists()
    # explaining the run loads model.pt: a planted one is refused too
    from landslide.train.trained import load_run
    plant(out / "fold_0" / "model.pt", marker)
    with pytest.raises(LandslideError, match="model.pt: not a checkpoint"):
        list(load_run(out))
    assert not marker.exists()
    # a truncated checkpoint gets the same message
    (out / "fold_1" / "last.pt").write_bytes(b"PK\x03\x04 truncated")
    rc, text = cli("train", "--profile", "smoke", "--out", out, "--set", "epochs=2", "--no-progress")
    assert rc == 2 and "Traceback" not in text and "damaged" in text


# 2. edited data is a new run -------------------------------------------------------------------------

def test_editing_the_data_changes_its_fingerprint_and_the_run_is_refused(folder, tmp_path):
    from landslide.config import profile_config
    from landslide.train.rundir import RunDir
    before = fingerprint(str(folder))
    assert fingerprint(str(folder)) == before
    cfg = profile_config("smoke", data=str(folder), data_fingerprint=before)
    run = RunDir(tmp_path / "run")
    run.path.mkdir()
    run.config_path.write_text(__import__("json").dumps(cfg.resolved()))
    train = pd.read_csv(folder / "Train.csv")
    train.loc[:39, "label"] = 1 - train.loc[:39, "label"]
    train.to_csv(folder / "Train.csv", index=False)
    after = fingerprint(str(folder))
    assert after != before
    with pytest.raises(LandslideError, match="changed since"):
        run.check(cfg.replace(data_fingerprint=after))
    assert cfg.replace(data_fingerprint=after).key() != cfg.key()  # a results-store cell is new too
    os.utime(next((folder / "train_data").iterdir()), ns=(1, 1))  # a touched patch file counts too
    assert fingerprint(str(folder)) != after


# 3. grids never stick --------------------------------------------------------------------------------

def test_cells_queued_or_running_for_a_dead_worker_are_reclaimed(tmp_path, monkeypatch):
    import optuna

    from bench.grid import store
    from bench.grid.runner import expand
    from bench.grid.spec import Grid, Row
    from landslide.config import profile_config
    monkeypatch.setattr(store, "GRACE_S", 1)
    monkeypatch.setattr(store, "HEARTBEAT_S", 1)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    grid = Grid("g", "g", "a", ["epochs"], [Row("a", "a", {}), Row("b", "b", {"epochs": 2})])
    cells = expand(grid, profile_config("smoke"), [0])
    study = store.open_study(url, "grid-g")
    assert store.enqueue_missing(study, cells)["queued"] == 2
    # a worker on another machine took cell a, beat once and died; cell b stays queued by a dead process
    trial, attrs = store.pop_cell(study)
    trial.set_user_attr("worker", "elsewhere:1")
    import time
    time.sleep(2.5)
    study = store.open_study(url, "grid-g")
    counts = store.enqueue_missing(study, cells)
    assert counts == {"done": 0, "queued": 2, "running": 0, "failed": 0}
    states = [t.state for t in study.get_trials(deepcopy=False)]
    waiting = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))
    assert states.count(optuna.trial.TrialState.FAIL) == 1 and len(waiting) == 2


def test_a_cell_whose_worker_died_between_ask_and_claim_is_reclaimed(tmp_path, monkeypatch):
    """Killed between Optuna's ask and its first write, a worker left a RUNNING cell with no heartbeat, which
    Optuna never calls stale: the resumed grid waited for it for ever (CI's 90-minute timeout)."""
    import sqlite3
    import time

    import optuna

    from bench.grid import store
    from bench.grid.runner import expand
    from bench.grid.spec import Grid, Row
    from landslide.config import profile_config
    monkeypatch.setattr(store, "GRACE_S", 1)
    monkeypatch.setattr(store, "_UNCLAIMED", {})
    url = f"sqlite:///{tmp_path / 'r.db'}"
    cells = expand(Grid("g", "g", "a", [], [Row("a", "a", {})]), profile_config("smoke"), [0])
    study = store.open_study(url, "grid-g")
    store.enqueue_missing(study, cells)
    trial = study.ask()  # the pop's first step, and nothing after it
    # started an hour ago by the asking machine's clock (another time zone, a skewed clock): first seen
    # unclaimed now, its worker may still claim it. The grace is timed on this process's own clock
    with sqlite3.connect(tmp_path / "r.db") as db:
        db.execute("UPDATE trials SET datetime_start = datetime(datetime_start, '-1 hour') WHERE trial_id = ?",
                   (trial._trial_id,))
    assert store.enqueue_missing(study, cells)["running"] == 1
    time.sleep(1.5)
    assert store.enqueue_missing(study, cells)["queued"] == 1
    assert len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))) == 1


def test_a_zombie_worker_counts_as_dead():
    """An orphan whose new parent never reaps it still answers kill(pid, 0)."""
    import os
    import socket
    import subprocess
    import sys

    from bench.grid.store import _alive
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    worker = f"{socket.gethostname()}:{child.pid}"
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, left unreaped: a zombie
    assert open(f"/proc/{child.pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
    assert not _alive(worker)
    child.wait()
    assert not _alive(worker) and _alive(f"{socket.gethostname()}:{os.getpid()}")
    assert _alive("another-machine:1")


# 4. configuration values: refused before anything is written -----------------------------------------

@pytest.mark.parametrize("bad", ["lr_schedule=linear", "norm=foo", "channels=13", "folds=1", "batch_size=0",
                                 "backbone=x", "epochs=-1"])
def test_a_bad_value_claims_no_folder(tmp_path, bad):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", bad)
    assert rc == 2 and "Traceback" not in text and bad.split("=")[0] in text
    assert not (tmp_path / "r").exists()


def test_a_bad_device_claims_no_folder(tmp_path):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--device", "banana")
    assert rc == 2 and "banana" in text and not (tmp_path / "r").exists()


def test_set_on_a_factor_the_grid_varies_is_refused(tmp_path):
    rc, text = cli("table2", "--profile", "smoke", "--out", tmp_path, "--set", "mixup=true", module="bench")
    assert rc == 2 and "mixup" in text and "--grid PATH" in text
    rc, text = cli("table2", "--profile", "smoke", "--out", tmp_path, "--workers", "0", module="bench")
    assert rc == 2 and "--workers" in text and "Traceback" not in text


# 5. validation gaps ----------------------------------------------------------------------------------

def test_values_beyond_float32_are_refused(folder):
    pid = pd.read_csv(folder / "Train.csv").ID[0]
    x = np.load(folder / "train_data" / f"{pid}.npy")
    x[0, 0, 5] = 1e39
    np.save(folder / "train_data" / f"{pid}.npy", x)
    with pytest.raises(DataError, match="out-of-float32-range"):
        load_patches(folder)


def test_a_packed_store_is_checked_like_a_folder(folder, tmp_path):
    import h5py

    from landslide.data.packed import write_store
    ps = load_patches(folder)
    store = write_store(tmp_path / "d.h5", ps.train, ps.test)
    assert len(load_patches(store)) == 300
    with h5py.File(store, "a") as f:
        f["train/labels"][3] = 2
        f["train/images"][5, 0, 0, 0] = np.nan
    rc, text = cli("check", "--data", store)
    assert rc == 2 and "row 3" in text and "not 0 or 1" in text and "row 5" in text and "NaN" in text


def test_an_empty_train_csv_is_a_problem(folder):
    (folder / "Train.csv").write_text("ID,label\n")
    rc, text = cli("check", "--data", folder)
    assert rc == 2 and "no usable rows" in text


def test_too_few_landslides_for_the_folds_does_not_advise_what_is_already_set():
    from landslide.train.cv import make_folds
    with pytest.raises(LandslideError) as err:
        make_folds(np.array([1, 0, 0, 0, 0]), 2, 0)
    assert "folds=2" not in str(err.value) and "more labelled data" in str(err.value)
    with pytest.raises(LandslideError, match="folds=2"):
        make_folds(np.array([1, 1, 0, 0, 0, 0]), 3, 0)


# 6. pack: the pair is atomic, a full disk is a message -----------------------------------------------

def test_a_failed_pack_leaves_the_existing_store_and_index_intact(folder, tmp_path, monkeypatch):
    from landslide.data import packed as hdf5
    ps = load_patches(folder)
    out = hdf5.write_store(tmp_path / "d.h5", ps.train, ps.test)
    before = (out.read_bytes(), out.with_suffix(".index.csv").read_bytes())

    def full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(hdf5, "_write_h5", full)
    with pytest.raises(OSError):
        hdf5.write_store(out, ps.train, None)
    assert (out.read_bytes(), out.with_suffix(".index.csv").read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    monkeypatch.setattr(hdf5.shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10, 10, 1000))
    with pytest.raises(LandslideError, match="GB free"):
        hdf5.write_store(out, ps.train, ps.test)


# 7. messages, not tracebacks -------------------------------------------------------------------------

def _first_id(folder):
    return pd.read_csv(folder / "Train.csv").ID[0]


def test_bad_files_and_names_each_get_one_line(folder):
    train = pd.read_csv(folder / "Train.csv")
    long_id = "L" * 300
    npz = train.ID[1]
    np.savez(folder / "train_data" / f"{npz}.npy", a=np.zeros(3))
    os.replace(folder / "train_data" / f"{npz}.npy.npz", folder / "train_data" / f"{npz}.npy")
    train.loc[2, "ID"] = "../../etc/passwd"
    train.loc[3, "ID"] = long_id
    train.to_csv(folder / "Train.csv", index=False)
    rc, text = cli("check", "--data", folder)
    assert rc == 2 and "Traceback" not in text
    assert "npz archive" in text and "not a plain file name" in text and "300 characters" in text
    assert "row 4" in text and "row 5" in text  # the CSV rows of the traversal and the long ID


def test_csv_encodings(folder):
    text = (folder / "Train.csv").read_text()
    (folder / "Train.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())  # Excel's UTF-8 with BOM
    assert len(load_patches(folder)) == 300
    (folder / "Train.csv").write_bytes(text.replace("ID,label", "ID,label\u00e9").encode("latin-1"))
    rc, out = cli("check", "--data", folder)
    assert rc == 2 and "UTF-8" in out and "Traceback" not in out
    (folder / "Train.csv").unlink()
    (folder / "Train.csv").mkdir()
    rc, out = cli("check", "--data", folder)
    assert rc == 2 and "is a folder" in out


def test_weights_files_that_cannot_be_loaded(tmp_path):
    from safetensors.torch import save_file
    bad = tmp_path / "w.safetensors"
    bad.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00garbage!")
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--weights", bad)
    assert rc == 2 and "Traceback" not in text and "cannot be loaded" in text and not (tmp_path / "r").exists()
    import timm
    state = timm.create_model("test_efficientnet", num_classes=2).state_dict()
    key = next(k for k in state if k.endswith("conv_head.weight"))
    state[key] = torch.zeros(3, 3, 1, 1)
    save_file(state, str(tmp_path / "shape.safetensors"))
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--weights", tmp_path / "shape.safetensors")
    assert rc == 2 and "conv_head.weight" in text and "Traceback" not in text


def test_outputs_that_cannot_be_written(tmp_path):
    (tmp_path / "file").write_text("x")
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "file")
    assert rc == 2 and "is a file" in text
    rc, text = cli("table2", "--profile", "smoke", "--out", tmp_path / "file" / "sub", module="bench")
    assert rc == 2 and "Traceback" not in text


def test_a_failed_train_leaves_no_config_behind(tmp_path):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", "folds=200")
    assert rc == 2 and "200 stratified folds" in text and "--skip-bad" not in text
    assert not (tmp_path / "r").exists()
    rc, _ = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", "epochs=1", "--no-progress")
    assert rc == 0  # the corrected command is not refused as "a different configuration"


def test_a_non_finite_loss_is_a_message(tmp_path):
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--set", "lr=1e30", "--no-progress")
    assert rc == 2 and "loss is" in text and "Traceback" not in text


def test_workers_are_placed_one_per_gpu():
    from bench.grid.runner import worker_devices
    assert worker_devices("auto", 4, 4) == ["cuda:0", "cuda:1", "cuda:2", "cuda:3"]
    assert worker_devices("cuda", 3, 2) == ["cuda:0", "cuda:1", "cuda:0"]
    assert worker_devices("auto", 2, 0) == ["auto", "auto"]      # no GPU: each worker picks the CPU
    assert worker_devices("cuda:1", 2, 4) == ["cuda:1", "cuda:1"]  # an explicit device is kept


def test_a_failed_write_keeps_its_own_error_and_the_old_file(tmp_path, monkeypatch):
    """A full or read-only folder: the error raised is the write's, not one from cleaning up after it."""
    from landslide import atomic
    target = tmp_path / "metrics.json"
    target.write_text("old")

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    def unlink_fails(*a, **k):  # Path.unlink(self, missing_ok=...)
        raise OSError(30, "Read-only file system")
    monkeypatch.setattr(atomic.os, "replace", full)
    monkeypatch.setattr(atomic.Path, "unlink", unlink_fails)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_text_atomic(target, "new")
    assert target.read_text() == "old"


def test_a_command_takes_only_its_own_queued_cells(tmp_path):
    from bench.grid import store
    from bench.grid.runner import expand
    from bench.grid.spec import Grid, Row
    from landslide.config import profile_config
    grid = Grid("g", "g", "a", ["epochs"], [Row("a", "a", {}), Row("b", "b", {"epochs": 2})])
    cells = expand(grid, profile_config("smoke"), [0])
    study = store.open_study(f"sqlite:///{tmp_path / 'r.db'}", "grid-g")
    store.enqueue_missing(study, cells)
    trial, attrs = store.pop_cell(study, {cells[1].key})
    assert attrs["row"] == "b"
    assert store.pop_cell(study, {cells[1].key}) is None
    waiting = study.get_trials(deepcopy=False, states=(store.TrialState.WAITING,))
    assert [t.user_attrs["row"] for t in waiting] == ["a"]  # still queued for the command it belongs to

"""Reliability, round 3 (issue 22): no silent wrong submissions, grids and CSVs validated, a user's own
profile file; and from issue 23, one precedence of configuration sources and errors for unknown grid rows.
Each case ends in one clear message (exit 2, no traceback) or, for good input, in what it did before."""
import shutil
import subprocess
import sys

import pytest

from landslide.data import load_patches
from landslide.errors import DataError


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


# 3. a CSV's header: no repeated or unknown columns -------------------------------------------------------

@pytest.mark.parametrize("header, said", [("ID,label,label", "repeats column(s) ['label']"),
                                          ("ID,label,notes", "column(s) ['notes'] this reader does not use")])
def test_a_train_csv_with_a_repeated_or_extra_column_is_refused(folder, header, said):
    lines = (folder / "Train.csv").read_text().splitlines()
    body = [f"{line},{line.rsplit(',', 1)[1]}" for line in lines[1:]]  # the new column repeats the label
    (folder / "Train.csv").write_text("\n".join([header] + body) + "\n")
    with pytest.raises(DataError, match="row 1") as err:
        load_patches(folder)
    assert said in str(err.value) and "Train.csv" in str(err.value) and "expected exactly ID,label" in str(err.value)


def test_a_row_longer_than_the_header_is_refused(folder):
    lines = (folder / "Test.csv").read_text().splitlines()
    lines[3] += ",0"
    (folder / "Test.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"Test.csv row 4: more values than the header"):
        load_patches(folder)


# 7. an ID in both Train.csv and Test.csv -------------------------------------------------------------------

def test_an_id_in_both_splits_is_refused_with_where(folder):
    train_id = (folder / "Train.csv").read_text().splitlines()[1].split(",")[0]
    shutil.copy(folder / "train_data" / f"{train_id}.npy", folder / "test_data" / f"{train_id}.npy")
    with open(folder / "Test.csv", "a") as fh:
        fh.write(f"{train_id}\n")
    with open(folder / "TestLabels.csv", "a") as fh:
        fh.write(f"{train_id},0\n")
    rc, out = cli("check", "--data", folder)
    assert rc == 2 and "Traceback" not in out
    assert f"1 ID(s) also in {folder / 'Train.csv'} ({train_id})" in out and "leaks" in out


# a finished smoke run on a folder, shared by the commands that read a finished run ---------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory, synth300):
    from landslide.cli import main
    root = tmp_path_factory.mktemp("trained")
    data = root / "data"
    shutil.copytree(synth300, data)
    assert main(["train", "--profile", "smoke", "--data", str(data), "--out", str(root / "run"),
                 "--set", "max_train=120", "--no-progress"]) == 0
    return root / "run", data


def predict(*argv):
    from landslide.cli import main
    return main(["predict", *map(str, argv)])


def edited_copy(trained, tmp_path, edit):
    """The finished run, pointed at a copy of its data that ``edit`` changes (as if edited after training)."""
    import json
    run, data = trained
    shutil.copytree(run, tmp_path / "run")
    shutil.copytree(data, tmp_path / "data", copy_function=shutil.copy2)  # same times: only ``edit`` differs
    edit(tmp_path / "data")
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    (tmp_path / "run" / "config.json").write_text(json.dumps({**config, "data": str(tmp_path / "data")}))
    return tmp_path / "run"


# 1. a finished run read against data changed since ------------------------------------------------------

def _reverse_test_rows(data):
    lines = (data / "Test.csv").read_text().splitlines()
    (data / "Test.csv").write_text("\n".join(lines[:1] + lines[:0:-1]) + "\n")


def test_a_copy_with_the_same_data_still_predicts(trained, tmp_path):
    run = edited_copy(trained, tmp_path, lambda _: None)
    assert predict("--run", run, "--out", tmp_path / "s.csv") == 0
    assert len((tmp_path / "s.csv").read_text().splitlines()) == 61


@pytest.mark.parametrize("edit, changed", [
    (_reverse_test_rows, "Test.csv differs"),
    (lambda data: (data / "Train.csv").write_text("\n".join((data / "Train.csv").read_text().splitlines()[:-9]) + "\n"),
     "Train.csv, "),
])
def test_predict_refuses_a_run_whose_data_changed_and_names_the_file(trained, tmp_path, capsys, edit, changed):
    run = edited_copy(trained, tmp_path, edit)
    assert predict("--run", run, "--head", "svm", "--threshold", "oof", "--out", tmp_path / "s.csv") == 2
    err = capsys.readouterr().err
    assert f"{run} was trained on data that has changed since" in err and changed in err
    assert "Traceback" not in err and not (tmp_path / "s.csv").exists()


def test_the_thresholds_and_explain_paths_refuse_it_too(trained, tmp_path):
    from landslide.errors import LandslideError
    from landslide.train.trained import load_run
    from landslide.tricks.predict import run_scores
    run = edited_copy(trained, tmp_path, _reverse_test_rows)
    with pytest.raises(LandslideError, match="Test.csv differs"):
        run_scores(run)
    with pytest.raises(LandslideError, match="Test.csv differs"):
        next(load_run(run))


# b. a finished run, its configuration and its data are read once -------------------------------------

def test_scoring_with_tta_reads_the_configuration_and_the_data_once(trained, monkeypatch):
    import landslide.train.cv as cv
    from landslide.train.rundir import RunDir
    from landslide.tricks.predict import run_scores
    reads = {"config": 0, "data": 0}

    def counted(name, fn):
        def wrapper(*a, **k):
            reads[name] += 1
            return fn(*a, **k)
        return wrapper
    monkeypatch.setattr(RunDir, "read_config", counted("config", RunDir.read_config))
    monkeypatch.setattr(cv, "load_source", counted("data", cv.load_source))
    scores = run_scores(trained[0], tta=4)
    assert reads == {"config": 1, "data": 1}
    assert scores.tta_images > 0 and len(scores.test_by_fold) == 2


# 4 and 7. predict's options --------------------------------------------------------------------------

@pytest.mark.parametrize("argv, said", [
    (["--threshold", "nan"], "--threshold nan: give a number strictly between 0 and 1"),
    (["--threshold", "-5"], "--threshold -5: give a number strictly between 0 and 1"),
    (["--threshold", "1"], "strictly between 0 and 1"),
    (["--svm-c", "0", "--head", "svm"], "--svm-c 0: the SVM's C must be a number > 0"),
    (["--svm-c", "-1", "--head", "svm"], "--svm-c -1: the SVM's C must be a number > 0"),
])
def test_predict_refuses_options_that_label_everything_alike_or_fail_late(trained, tmp_path, capsys, argv, said):
    assert predict("--run", trained[0], *argv, "--out", tmp_path / "s.csv") == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and not (tmp_path / "s.csv").exists()


def test_the_same_run_twice_is_not_an_ensemble(trained, tmp_path, capsys):
    run = trained[0]
    assert predict("--run", run, "--run", f"{run}/", "--out", tmp_path / "s.csv") == 2
    assert f"--run {run}/ is given twice" in capsys.readouterr().err


def test_a_rank_ensemble_takes_its_threshold_from_out_of_fold_ranks(trained, tmp_path, capsys):
    assert predict("--run", trained[0], "--ensemble", "rank", "--out", tmp_path / "s.csv") == 0
    assert "(from out-of-fold scores)" in capsys.readouterr().out


def test_predict_into_a_folder_names_the_folder_not_a_hidden_file(trained, tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    assert predict("--run", trained[0], "--out", tmp_path / "subs") == 2
    err = capsys.readouterr().err
    assert f"--out {tmp_path / 'subs'} is a folder" in err and ".tmp" not in err


def test_a_failed_atomic_write_names_the_final_file(tmp_path):
    from landslide.atomic import write_text_atomic
    (tmp_path / "table.md").mkdir()
    with pytest.raises(OSError) as err:
        write_text_atomic(tmp_path / "table.md", "x")
    assert err.value.filename == str(tmp_path / "table.md")
    assert list(tmp_path.iterdir()) == [tmp_path / "table.md"]


# 5. check and train agree on what a folder holds ---------------------------------------------------------

def test_a_file_no_csv_names_changes_nothing(folder):
    from landslide.data.fingerprint import fingerprint
    before = fingerprint(str(folder))
    (folder / "train_data" / "ID_GONE.npy").symlink_to(folder / "nowhere.npy")  # dangling
    (folder / "test_data" / "notes.txt").write_text("mine")
    assert cli("check", "--data", folder)[0] == 0
    assert fingerprint(str(folder)) == before


def test_a_dangling_patch_a_csv_names_is_reported_by_the_reader(folder):
    from landslide.data.fingerprint import fingerprint
    first = (folder / "Train.csv").read_text().splitlines()[1].split(",")[0]
    (folder / "train_data" / f"{first}.npy").unlink()
    (folder / "train_data" / f"{first}.npy").symlink_to(folder / "nowhere.npy")
    fingerprint(str(folder))  # no stat() error blaming --out
    with pytest.raises(DataError, match=f"ID {first} has no file"):
        load_patches(folder)


# 6. the cache's location -----------------------------------------------------------------------------------

def test_an_empty_cache_variable_means_the_default(monkeypatch):
    from pathlib import Path

    from landslide.data.builtin import cache_dir
    monkeypatch.setenv("LANDSLIDE_CACHE", "")
    assert cache_dir() == Path.home() / ".cache" / "landslide-bench"


def test_an_unusable_cache_is_named_as_the_cache(tmp_path):
    import os
    (tmp_path / "a-file").write_text("")
    env = {**os.environ, "LANDSLIDE_CACHE": str(tmp_path / "a-file" / "cache")}
    rc, out = cli("train", "--profile", "smoke", "--out", tmp_path / "run", "--no-progress", env=env)
    assert rc == 2 and "Traceback" not in out
    assert f"LANDSLIDE_CACHE={tmp_path / 'a-file' / 'cache'}: cannot write" in out and "--out" not in out
    assert not (tmp_path / "run").exists()


# 2 and a. grid files are validated when loaded; an unknown row is a message ----------------------------

def _grid_copy(tmp_path, edit):
    from bench.grid.spec import GRID_DIR
    path = tmp_path / "mine.toml"
    path.write_text(edit((GRID_DIR / "table2.toml").read_text()))
    return path


@pytest.mark.parametrize("edit, said", [
    (lambda t: t.replace('name = "dim384"', 'name = "baseline"'), "row 2 is named 'baseline' like row 1"),
    (lambda t: t[:t.index("[[row]]")], "no rows"),
    (lambda t: t.replace('baseline = "baseline"', 'baseline = "base"'), "baseline = 'base' names no row"),
    (lambda t: t.replace("factors = [", 'factors = ["smoot", '), "factors ['smoot'] are not configuration fields"),
    (lambda t: t + "\n[[row\n", "not a valid TOML file"),
    (lambda t: t + '\n[[row]]\nlabel = "x"\n', "has no name"),
])
def test_a_grid_file_is_checked_when_loaded(tmp_path, edit, said):
    from bench.grid.spec import load_grid
    from landslide.errors import LandslideError
    path = _grid_copy(tmp_path, edit)
    with pytest.raises(LandslideError, match="mine.toml") as err:
        load_grid(path)
    assert said in str(err.value)


def test_the_packaged_grids_load(tmp_path):
    from bench.grid.spec import GRID_DIR, load_grid
    assert all(load_grid(p).rows for p in GRID_DIR.glob("*.toml"))
    assert len(load_grid(_grid_copy(tmp_path, lambda t: t)).rows) == len(load_grid("table2").rows)
    # the baseline grid is Table 2's first row, so its cells are Table 2's baseline cells
    assert [r.fields for r in load_grid("baseline").rows] == [load_grid("table2").rows[0].fields]


def test_a_grid_with_a_repeated_row_name_is_refused_by_bench(tmp_path):
    path = _grid_copy(tmp_path, lambda t: t.replace('name = "dim384"', 'name = "baseline"'))
    rc, out = cli("table2", "--grid", path, "--profile", "smoke", "--out", tmp_path / "o", module="bench")
    assert rc == 2 and "Traceback" not in out and "like row 1" in out and not (tmp_path / "o" / "tables").exists()


def test_an_unknown_row_or_grid_is_one_line(tmp_path, capsys):
    from bench.cli import main
    assert main(["umap", "--best-row", "x", "--profile", "smoke", "--out", str(tmp_path)]) == 2
    assert "grid table2 has no row 'x'; choose one of" in capsys.readouterr().err
    rc, out = cli("table2", "--grid", "nosuch", "--profile", "smoke", "--out", tmp_path, module="bench")
    assert rc == 2 and "no grid 'nosuch'" in out and "Traceback" not in out


# c. one precedence, --set parsed once, the data fingerprinted after resolving --------------------------

def parse(*argv):
    import argparse

    from landslide.train.run import add_train_arguments
    p = argparse.ArgumentParser()
    add_train_arguments(p)
    return p.parse_args(["--out", "x", *map(str, argv)])


def test_the_precedence_of_configuration_sources(tmp_path):
    """landslide/config.py's docstring: defaults < profile (a file over its base) < flags < --set < grid base
    < grid row, and --set on a field the grid sets is refused."""
    from bench.grid.runner import expand
    from bench.grid.spec import load_grid
    from bench.grid.tables import refuse_sets_on_grid_factors
    from landslide.config import ExperimentConfig
    from landslide.errors import LandslideError
    from landslide.options import config_from_args
    own = tmp_path / "mine.toml"
    own.write_text('base = "smoke"\nepochs = 2\nseed = 3\nlr = 0.01\nbatch_size = 8\n')
    assert ExperimentConfig().folds == 3 and config_from_args(parse("--profile", "smoke")).folds == 2  # profile
    cfg = config_from_args(parse("--profile", own))
    assert (cfg.folds, cfg.epochs, cfg.seed) == (2, 2, 3)                   # the file over its base
    cfg = config_from_args(parse("--profile", own, "--seed", 4))
    assert (cfg.seed, cfg.lr) == (4, 0.01)                                  # a flag over the file
    cfg = config_from_args(parse("--profile", own, "--seed", 4, "--set", "seed=5", "--set", "lr=0.02"))
    assert (cfg.seed, cfg.lr, cfg.batch_size) == (5, 0.02, 8)               # --set over the flag
    grid = load_grid("table3")                                              # base = "table2.smote"
    cells = expand(grid, cfg, [cfg.seed])
    assert all(c.cfg.smote for c in cells) and cells[-1].cfg.head == "svm"  # grid base row, then the row
    with pytest.raises(LandslideError, match="--set head: grid table3 sets it"):
        refuse_sets_on_grid_factors(grid, {"head": "fc"})


def test_set_data_is_fingerprinted_like_data(folder):
    from landslide.data.fingerprint import fingerprint
    from landslide.options import config_from_args
    by_flag = config_from_args(parse("--data", folder))
    by_set = config_from_args(parse("--set", f"data={folder}"))
    assert by_set.data_fingerprint == by_flag.data_fingerprint == fingerprint(str(folder))
    assert by_set.key() == by_flag.key()


def test_reading_the_flags_touches_no_data(tmp_path):
    from landslide.options import flag_overrides
    assert flag_overrides(parse("--data", tmp_path / "not-yet")) == {"data": str(tmp_path / "not-yet")}


def test_a_grid_command_parses_set_once(monkeypatch, tmp_path):
    import bench.grid.tables as tables
    import landslide.config as config
    from bench.cli import build_parser
    calls = []
    real = config.coerce
    monkeypatch.setattr(config, "coerce", lambda name, text: calls.append(name) or real(name, text))
    monkeypatch.setattr(tables, "run_grid", lambda *a, **k: ([], {}, []))
    args = build_parser().parse_args(["table2", "--profile", "smoke", "--out", str(tmp_path), "--set", "epochs=2"])
    run = tables.run_from_args("table2", args)
    assert calls == ["epochs"] and run.base.epochs == 2


# 9. a profile file of one's own -------------------------------------------------------------------------

def test_a_profile_file_is_a_profile(tmp_path):
    import json

    from bench.output import output_stem
    from landslide.config import profile_config
    from landslide.options import config_from_args
    from landslide.train.rundir import RunDir
    own = tmp_path / "my_gpu.toml"
    own.write_text('# my machine\nbase = "smoke"\nepochs = 2\nbatch_size = 8\n')
    cfg = config_from_args(parse("--profile", own))
    assert (cfg.profile, cfg.profile_file, cfg.epochs, cfg.batch_size) == ("smoke", str(own), 2, 8)
    # its values are the identity: the same values through --set are the same run and the same cell
    same = config_from_args(parse("--profile", "smoke", "--set", "epochs=2", "--set", "batch_size=8"))
    assert cfg.key() == same.key() and cfg.training_key() == same.training_key()
    assert profile_config("smoke").key() == profile_config("smoke", profile_file="").key()
    assert output_stem("table2", cfg) == "table2_my_gpu"
    assert output_stem("table2", cfg.replace(lr=0.5)) == "table2_my_gpu_custom"
    with RunDir(tmp_path / "run").session(cfg):
        pass
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["profile_file"] == str(own) and saved["epochs"] == 2


@pytest.mark.parametrize("text, said", [
    ("epochs = 2\nepoch = 3\n", "unknown key(s) ['epoch']"),
    ('epochs = "ten"\n', "epochs='ten' must be an integer"),
    ("epochs = 0\n", "epochs=0 must be >= 1"),
    ("lr = -1.0\n", "lr=-1.0 must be > 0"),
    ('backbone = 3\n', "backbone=3 must be text"),
    ('base = "fast"\n', "base = 'fast' is not a built-in profile"),
    ('profile = "paper"\n', "key(s) ['profile'] are set by the tool"),
    ("epochs = \n", "not a valid TOML file"),
])
def test_a_bad_profile_file_is_one_message_naming_the_file_and_key(tmp_path, capsys, text, said):
    from landslide.cli import main
    own = tmp_path / "mine.toml"
    own.write_text(text)
    assert main(["train", "--profile", str(own), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert f"error: {own}: " in err and said in err and not (tmp_path / "run").exists()


@pytest.mark.parametrize("profile, said", [("fast", "unknown profile 'fast'; choose one of"),
                                           ("gone.toml", "--profile gone.toml: no such file"),
                                           ("SMOKE/smoke.toml", "")])
def test_an_unknown_profile_is_one_message(tmp_path, capsys, profile, said):
    from landslide.cli import main
    if profile.startswith("SMOKE"):
        profile = str(tmp_path / "smoke.toml")
        (tmp_path / "smoke.toml").write_text("epochs = 2\n")
        said = "may not share a built-in profile's name (smoke)"
    assert main(["train", "--profile", profile, "--out", str(tmp_path / "run")]) == 2
    assert said in capsys.readouterr().err


# 8. grids: two commands on one --out, a full disk --------------------------------------------------------

def _grid_and_store(tmp_path):
    from bench.grid import store
    from bench.grid.runner import expand
    from bench.grid.spec import Grid, Row
    from landslide.config import profile_config
    grid = Grid("g", "g", "a", ["epochs"], [Row("a", "a", {}), Row("b", "b", {"epochs": 2})])
    base = profile_config("smoke", threads=1)  # as run_grid keys its cells
    url = f"sqlite:///{tmp_path / 'results.db'}"
    return grid, base, expand(grid, base, [0]), url, store.open_study(url, "grid-g")


def _finish(study, trial, score=0.5):
    import json
    trial.set_user_attr("metrics", json.dumps({"cv_f1_mean": score, "test_f1": None}))
    study.tell(trial, score)


def test_a_grid_waits_for_its_cells_another_process_is_running(tmp_path, monkeypatch):
    import socket
    import threading

    from bench.grid import runner, store
    monkeypatch.setattr(runner, "WAIT_POLL_S", 0.2)
    grid, base, cells, url, study = _grid_and_store(tmp_path)
    store.enqueue_missing(study, cells)
    other = subprocess.Popen(["sleep", "60"])  # the other `bench table2`, alive while it trains
    try:
        for _ in cells:  # it took both cells; one finishes now, the other a moment after we look
            trial, _attrs = store.pop_cell(study)
            trial.set_user_attr("worker", f"{socket.gethostname()}:{other.pid}")
            if _attrs["row"] == "a":
                _finish(study, trial)
            else:
                later = threading.Timer(1.0, _finish, (study, trial, 0.6))
        later.start()
        _, metrics, failed = runner.run_grid(grid, base, [0], tmp_path, url, progress=False)
    finally:
        other.kill()
    assert sorted(m["cv_f1_mean"] for m in metrics.values()) == [0.5, 0.6] and not failed


def test_a_cell_finished_twice_is_stored_once(tmp_path, monkeypatch):
    import json

    from optuna.trial import TrialState

    from bench.grid import runner, store
    grid, base, cells, url, study = _grid_and_store(tmp_path)

    def trained_while_a_twin_finished(cfg, *_):
        """Another machine queued the same cell and finished it first."""
        other = store.open_study(url, "grid-g")
        other.enqueue_trial({}, user_attrs=next(c for c in cells if c.key == cfg.key()).attrs())
        twin = other.get_trials(deepcopy=False, states=(TrialState.WAITING,))[-1]
        other._storage.set_trial_state_values(twin._trial_id, TrialState.RUNNING)
        other._storage.set_trial_user_attr(twin._trial_id, "metrics", json.dumps({"cv_f1_mean": 0.5}))
        other._storage.set_trial_state_values(twin._trial_id, TrialState.COMPLETE, [0.5])
        return {"cv_f1_mean": 0.9, "cv_f1_std": 0.0, "test_f1": None}
    monkeypatch.setattr(runner, "run_cell", trained_while_a_twin_finished)
    runner.run_grid(grid, base, [0], tmp_path, url, progress=False)
    complete = [t.user_attrs["key"] for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    assert sorted(complete) == sorted(c.key for c in cells)


def test_a_full_disk_stops_the_grid_and_its_cell_runs_again_without_retry(tmp_path, monkeypatch):
    import errno

    from bench.grid import runner
    from landslide.errors import LandslideError
    grid, base, cells, url, study = _grid_and_store(tmp_path)
    tried = []

    def full(cfg, out, *_):
        tried.append(cfg.key())
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "runs" / "x" / "last.pt"))
    monkeypatch.setattr(runner, "run_cell", full)
    with pytest.raises(LandslideError, match="the disk is full .*last.pt.* Free some space and run the same"):
        runner.run_grid(grid, base, [0], tmp_path, url, progress=False)
    assert len(tried) == 1  # the second cell is not trained only to fail at its first write
    monkeypatch.setattr(runner, "run_cell", lambda *_: {"cv_f1_mean": 0.5, "cv_f1_std": 0.0, "test_f1": None})
    _, metrics, failed = runner.run_grid(grid, base, [0], tmp_path, url, progress=False)  # no --retry-failed
    assert len(metrics) == 2 and not failed

"""`landslide predict` on a finished run: data changed since training, options that fail late, ensembles."""
import shutil

import pytest

from landslide.errors import LandslideError


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

"""bench/grid/store.py: a results store that cannot be read (truncated, not a database, a newer schema, a
folder) or a finished cell whose stored metrics are damaged is one message, at once, and is left as it was."""
import json
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from bench.grid.store import finished_metrics, open_study
from landslide.errors import LandslideError


@pytest.fixture
def good_db(tmp_path):
    open_study(f"sqlite:///{tmp_path / 'good.db'}", "grid-x")
    return tmp_path / "good.db"


def _damage(good, kind, out):
    """Put a damaged results.db of ``kind`` into the folder ``out``."""
    out.mkdir()
    db = out / "results.db"
    if kind == "truncated":
        db.write_bytes(good.read_bytes()[:3000])
    elif kind == "text":
        db.write_text("key,value\n" * 50)
    elif kind == "folder":
        db.mkdir()
    elif kind == "newer schema":
        shutil.copy(good, db)
        with sqlite3.connect(db) as con:
            con.execute("update alembic_version set version_num = 'v99.0.0.a'")
    return db


def _snapshot(folder):
    return {p: (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("kind, said", [("truncated", "truncated or not a database"),
                                        ("text", "truncated or not a database"),
                                        ("folder", "cannot be opened as the results store"),
                                        ("newer schema", "another Optuna version's schema")])
def test_a_damaged_results_db_is_one_message_at_once(good_db, tmp_path, kind, said):
    out = tmp_path / "out"
    _damage(good_db, kind, out)
    before = _snapshot(out)
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bench", "table2", "--profile", "smoke", "--seeds", "0", "--out",
                           str(out), "--no-progress"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and said in done.stderr and "results.db" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert time.monotonic() - t0 < 60  # no ten retries
    assert _snapshot(out) == before


@pytest.mark.parametrize("stored, said", [("{not json", "are not JSON"), ('[1, 2]', "are not a JSON object"),
                                          (json.dumps({"cv_f1_mean": 0.9}), "lack ['head'")])
def test_a_cell_with_damaged_metrics_is_refused(good_db, stored, said):
    study = open_study(f"sqlite:///{good_db}", "grid-x")
    study.enqueue_trial({}, user_attrs={"key": "abc", "row": "baseline", "seed": 0})
    trial = study.ask()
    trial.set_user_attr("metrics", stored)
    study.tell(trial, 0.9)
    with pytest.raises(LandslideError, match=r"cell baseline seed 0 \(trial 0\): its stored metrics") as caught:
        finished_metrics(study)
    assert said in str(caught.value) and str(good_db) in str(caught.value)


def test_metrics_stored_before_a_field_with_a_default_was_added_are_read(good_db):
    # a field added to Metrics with a default (trained_on, a default_factory) is not required of cells
    # finished before it: a store of yesterday's cells stays readable
    import dataclasses

    from landslide.train.results import Metrics
    optional = [f.name for f in dataclasses.fields(Metrics) if f.default_factory is not dataclasses.MISSING]
    assert "trained_on" in optional
    old = {f.name: 0.0 for f in dataclasses.fields(Metrics) if f.name not in optional}
    study = open_study(f"sqlite:///{good_db}", "grid-x")
    study.enqueue_trial({}, user_attrs={"key": "abc", "row": "baseline", "seed": 0})
    trial = study.ask()
    trial.set_user_attr("metrics", json.dumps(old))
    study.tell(trial, 0.9)
    assert finished_metrics(study)["abc"] == old

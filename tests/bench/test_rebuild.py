"""A smoke grid's tables rebuilt from its score archive, without training, equal the ones its run wrote."""
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

GRID = """[grid]
name = "g"
title = "two rows"
paper_table = 2
baseline = "baseline"
factors = ["mixup"]

[[row]]
name = "baseline"
label = "Baseline"
mixup = false

[[row]]
name = "mix"
label = "Mixup"
parent = "baseline"
mixup = true
"""


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory) -> Path:
    """2 rows x 2 seeds of the smoke profile, trained once for this module."""
    out = tmp_path_factory.mktemp("grid")
    (out / "g.toml").write_text(GRID)
    r = bench("table2", "--grid", str(out / "g.toml"), "--seeds", "0,1", "--profile", "smoke", "--out", str(out),
              "--no-progress")
    assert r.returncode == 0, r.stderr
    return out


def test_the_rebuild_from_the_archive_equals_the_tables_the_run_wrote(smoke_run, tmp_path):
    r = bench("rebuild", "--tables", str(smoke_run / "tables"), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    for ext in ("csv", "md", "tex"):
        ours, theirs = (d / "tables" / f"g_smoke.{ext}" for d in (tmp_path, smoke_run))
        assert ours.read_text() == theirs.read_text(), ext
    assert (tmp_path / "figures" / "g_smoke_effects.png").stat().st_size > 0


def test_the_archive_is_read_by_pandas_alone_and_holds_every_cell_fold_and_split(smoke_run):
    scores = pd.read_csv(smoke_run / "tables" / "scores" / "g_smoke.csv.gz", dtype={"id": str})
    assert list(scores.columns) == ["grid", "row", "seed", "fold", "split", "id", "label", "score"]
    cells = scores.groupby(["row", "seed", "split"]).fold.nunique()
    assert len(cells) == 2 * 2 * 2 and (cells == 2).all()  # rows x seeds x splits, each with both folds
    oof = scores[scores.split == "oof"]
    assert not oof.duplicated(["row", "seed", "id"]).any()  # every training patch held out once


def test_the_markdown_is_nine_columns_under_a_verdict_summary_and_the_csv_keeps_the_rest(smoke_run):
    md = (smoke_run / "tables" / "g_smoke.md").read_text().splitlines()
    table = [ln for ln in md if ln.startswith("|")]
    assert len(table[0].strip("|").split("|")) <= 9
    assert md[md.index(table[0]) - 2].startswith("> verdicts on AP against each row's parent (1 row): ")
    csv = pd.read_csv(smoke_run / "tables" / "g_smoke.csv", comment="#")
    mix = csv.set_index("row").loc["mix"]
    assert mix.parent == "baseline" and mix.verdict in ("better", "worse", "equivalent", "undecided")
    for c in ("test_ap", "test_auc", "test_log_loss", "test_f1_oof", "test_f1_05", "d_ap_lo", "train_auc",
              "p_better_ap", "plateau_delta"):
        assert c in csv, c


def test_a_damaged_archive_is_one_clear_error_that_writes_nothing(smoke_run, tmp_path):
    tables = tmp_path / "tables"
    (tables / "scores").mkdir(parents=True)
    (tables / "scores" / "g_smoke.json").write_text((smoke_run / "tables" / "scores" / "g_smoke.json").read_text())
    r = bench("rebuild", "--tables", str(tables), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "has no scores beside it" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_the_thresholds_table_is_remade_from_the_archive_as_its_command_wrote_it(smoke_run, tmp_path):
    r = bench("thresholds", "--grid", str(smoke_run / "g.toml"), "--seeds", "0,1", "--profile", "smoke",
              "--out", str(smoke_run), "--no-progress")  # the store's networks: nothing is trained
    assert r.returncode == 0, r.stderr
    r = bench("rebuild", "--tables", str(smoke_run / "tables"), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    for ext in ("csv", "md"):
        ours, theirs = (d / "tables" / f"g_thresholds_smoke.{ext}" for d in (tmp_path, smoke_run))
        assert ours.read_text() == theirs.read_text(), ext
    assert "cross-fitted threshold against 0.5, CV F1: changes" in ours.read_text()


def test_a_thresholds_table_of_other_seeds_than_its_archive_is_kept_and_said_so(smoke_run, tmp_path):
    import shutil
    r = bench("thresholds", "--grid", str(smoke_run / "g.toml"), "--seeds", "0,1", "--profile", "smoke",
              "--out", str(smoke_run), "--no-progress")
    assert r.returncode == 0, r.stderr
    tables = tmp_path / "tables"
    shutil.copytree(smoke_run / "tables", tables)
    table = tables / "g_thresholds_smoke.csv"
    table.write_text(table.read_text().replace("seeds 0,1)", "seeds 0)", 1))  # as `--seeds 0` would have named it
    r = bench("rebuild", "--tables", str(tables), "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert f"kept {table} as it is: it reads other seeds" in r.stdout
    assert not (tmp_path / "out" / "tables" / "g_thresholds_smoke.csv").exists()

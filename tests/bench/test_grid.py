"""The harness end to end at smoke scale: tables, the store's resume, Table 3's reuse, two workers."""
import json
import re
import subprocess
import sys
import time

import optuna
import pandas as pd
import pytest
import torch

pytestmark = pytest.mark.slow


def bench(*args, **kw):
    return subprocess.run([sys.executable, "-m", "bench", *args, "--no-progress"], capture_output=True, text=True,
                          **kw)


def test_table2_then_table3_smoke(tmp_path):
    out = tmp_path / "o"
    r = bench("table2", "--seeds", "0", "--profile", "smoke", "--out", str(out))
    assert r.returncode == 0, r.stderr
    csv = out / "tables" / "table2_smoke.csv"  # a profile other than quick carries its name
    df = pd.read_csv(csv, comment="#")
    assert df.row.tolist() == ["baseline", "dim384", "ch20", "mix", "step", "cosine", "robust", "smote"]
    assert df.paper_test_f1.tolist() == [0.8370, 0.7866, 0.8163, 0.8606, 0.8379, 0.8729, 0.8845, 0.8915]
    assert df.cv_f1.notna().all() and df.train_f1.between(0, 1).all()
    assert df.image_px.tolist() == [32, 48, 32, 32, 32, 32, 32, 32]
    head = csv.read_text().splitlines()[:5]
    assert "profile: smoke" in head[1]
    # every grid table states its baseline's regime, and Table 2 the model without a network beside it
    assert "regime: under-fit (baseline train F1" in head[2] and "gap" in head[2]
    assert "without a network" in head[3] and "13 statistics x 12 channels" in head[3]
    # and what its cells trained on: another CPU model trains the same cells to other numbers
    from landslide.train.device import kernels
    assert f"# trained on: {kernels(torch.device('cpu'))} (8 cells)" in csv.read_text().splitlines()
    for ext in ("md", "tex"):
        assert (out / "tables" / f"table2_smoke.{ext}").exists()
    assert "\\toprule" in (out / "tables" / "table2_smoke.tex").read_text()
    runs_before = sorted(p.name for p in (out / "runs").iterdir())
    written = {p: p.stat().st_mtime_ns for p in (out / "runs").rglob("*") if p.is_file()}

    again = bench("table2", "--seeds", "0", "--profile", "smoke", "--out", str(out))
    assert again.returncode == 0 and "8 done, 0 to run" in again.stdout
    assert pd.read_csv(csv, comment="#").cv_f1.tolist() == df.cv_f1.tolist()
    # a finished grid trains nothing again: no run file is rewritten
    assert {p: p.stat().st_mtime_ns for p in (out / "runs").rglob("*") if p.is_file()} == written

    r3 = bench("table3", "--seeds", "0", "--profile", "smoke", "--out", str(out))
    assert r3.returncode == 0, r3.stderr
    t3 = pd.read_csv(out / "tables" / "table3_smoke.csv", comment="#")
    assert t3.row.tolist() == ["baseline", "lgbm", "svm_c1.0", "svm_c0.75", "svm_c0.5", "svm_c0.1"]
    assert t3.cv_f1.notna().all()
    # Table 3 trained nothing new: its cells reuse Table 2's last row, whose FC row it reproduces exactly
    assert sorted(p.name for p in (out / "runs").iterdir()) == runs_before
    assert t3.cv_f1[0] == pytest.approx(df.cv_f1.iloc[-1])


def test_killed_grid_resumes_its_interrupted_cell_first_where_it_stopped(tmp_path):
    """Killed mid-cell, the same command resumes that cell first, at the epoch after its last finished one,
    says so in its header, prints a plain progress line per finished epoch when its output is piped, and
    ends with the table an uninterrupted run writes."""
    import torch
    grid = tmp_path / "g.toml"
    grid.write_text('[grid]\nname = "g"\nbaseline = "a"\nfactors = ["lr"]\n' + "".join(
        f'[[row]]\nname = "{n}"\nlr = {lr}\nepochs = 2\nbatch_size = 4\n' for n, lr in (("a", 1e-3), ("b", 2e-3))))
    full, killed = tmp_path / "full", tmp_path / "killed"
    assert bench("table2", "--seeds", "0", "--grid", str(grid), "--profile", "smoke", "--out",
                 str(full)).returncode == 0
    p = subprocess.Popen([sys.executable, "-m", "bench", "table2", "--seeds", "0", "--grid", str(grid), "--profile",
                          "smoke", "--out", str(killed), "--no-progress", "--workers", "1"],  # in-process
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and not list(killed.glob("runs/*/fold_*/last.pt")):
        time.sleep(0.02)
    p.kill()
    p.wait()
    # where the killed cell stopped, read from its run folder: folds finished, epochs of the next one
    (run,) = {path.parents[1] for path in killed.glob("runs/*/fold_*/*")}
    folds_done = sum((run / f"fold_{k}" / "result.npz").exists() for k in range(2))
    assert folds_done < 2, "the cell finished before the kill: nothing to resume"
    last = run / f"fold_{folds_done}" / "last.pt"
    epochs_done = torch.load(last, weights_only=True)["state"]["epoch"] if last.exists() else 0
    assert not any((run / f"fold_{k}" / "last.pt").exists() for k in range(folds_done))  # a finished fold drops it
    row = json.loads((run / "config.json").read_text())["lr"]
    name = {1e-3: "a", 2e-3: "b"}[row]

    r = subprocess.run([sys.executable, "-m", "bench", "table2", "--seeds", "0", "--grid", str(grid), "--profile",
                        "smoke", "--out", str(killed), "--workers", "1"],  # one worker: the order shows
                       capture_output=True, text=True)  # piped: plain lines
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert (f"2 cells: 0 done, 1 partly trained ({name} seed 0 resuming at fold {folds_done + 1}, epoch "
            f"{epochs_done + 1}), 1 to run") in lines[0]
    progress = [line for line in lines if "validation F1" in line]
    assert progress[0].startswith(f"  g/{name} seed 0: fold {folds_done + 1}/2, epoch {epochs_done + 1}/2,")
    assert "elapsed" in progress[0] and "left" in progress[0]
    # the resumed cell ran first, and each of its remaining epochs had a line before the cell's result
    ended = next(i for i, line in enumerate(lines) if "seed 0: CV F1" in line)
    assert f"g/{name} seed 0: CV F1" in lines[ended]
    peak = float(re.search(r"peak (\d+\.\d+) GiB\)", lines[ended]).group(1))  # the cell's, in its worker
    assert 0.1 < peak < 20
    assert sum(f"g/{name} seed 0: fold" in line for line in lines[:ended]) == (2 - folds_done) * 2 - epochs_done
    for other in {"a", "b"} - {name}:  # and the cells that had not started: a line per epoch each
        assert sum(f"g/{other} seed 0: fold" in line for line in lines) == 4
    a = pd.read_csv(full / "tables" / "g_smoke.csv", comment="#")
    b = pd.read_csv(killed / "tables" / "g_smoke.csv", comment="#")
    assert a.cv_f1.tolist() == b.cv_f1.tolist() and b.cv_f1.notna().all()


def test_two_workers_on_one_storage_run_every_cell_once(tmp_path):
    grid = tmp_path / "g.toml"
    rows = [("a", 1e-3), ("b", 2e-3), ("c", 3e-3), ("d", 4e-3)]
    grid.write_text('[grid]\nname = "g"\nbaseline = "a"\nfactors = ["lr"]\n' +
                    "".join(f'[[row]]\nname = "{n}"\nlr = {lr}\n' for n, lr in rows))
    out = tmp_path / "o"
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    cmd = [sys.executable, "-m", "bench", "table2", "--seeds", "0", "--grid", str(grid), "--profile", "smoke",
           "--out", str(out), "--storage", storage, "--no-progress"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    study = optuna.load_study(study_name="grid-g", storage=storage)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    keys = [t.user_attrs["key"] for t in complete]
    assert len(keys) == len(set(keys)) == 4
    # each cell's network was trained exactly once (fold logs are appended per training)
    for run in (out / "runs").iterdir():
        log = (run / "log.txt").read_text()
        assert log.count("fold 0:") == 1 and log.count("fold 1:") == 1
    ran = sum(line.count("seed 0: CV F1") for o, _ in outs for line in o.splitlines())
    assert ran == 4


def test_an_edited_copy_of_a_packaged_grid_does_not_take_its_table_names(tmp_path):
    from bench.grid.spec import GRID_DIR, changes_packaged, load_grid
    from bench.output import output_stem
    from landslide.profiles import profile_config
    copy = tmp_path / "table2.toml"
    copy.write_text((GRID_DIR / "table2.toml").read_text().replace("lr_schedule = \"step\"", "lr_schedule = \"none\""))
    assert not changes_packaged(load_grid("table2")) and changes_packaged(load_grid(copy))
    assert output_stem("table2", profile_config("quick"), custom=changes_packaged(load_grid(copy))) == "table2_custom"
    # a copy with rows left out is a change (it would overwrite the full table with a part of it) ...
    subset = tmp_path / "sub" / "table2.toml"
    subset.parent.mkdir()
    text = (GRID_DIR / "table2.toml").read_text()
    subset.write_text(text[:text.index("[[row]]", text.index('name = "dim384"') - 40)])
    assert [r.name for r in load_grid(subset).rows] == ["baseline"] and changes_packaged(load_grid(subset))
    # ... but the families the backbone command drops itself (no member at the profile) are not
    from dataclasses import replace
    full = load_grid("backbones")
    assert changes_packaged(replace(full, rows=full.rows[:2]))
    assert not changes_packaged(replace(full, rows=full.rows[:2], dropped=tuple(r.name for r in full.rows[2:])))


def test_a_seed_queues_its_longest_cells_first_and_seeds_stay_in_order():
    from bench.grid.cells import expand, queue_order, relative_cost
    from bench.grid.spec import load_grid
    from landslide.profiles import profile_config
    base = profile_config("quick")
    cells = queue_order(expand(load_grid("table2"), base, [0, 1]))
    assert [c.seed for c in cells] == [0] * 8 + [1] * 8
    # quick scales 384 px to 96 and 256 to 64: 96^2 / 64^2 = 2.25 beats SMOTE's 1 + 0.1756 x 5 = 1.878
    assert [c.row for c in cells[:3]] == ["dim384", "smote", "baseline"]
    assert relative_cost(cells[1].cfg) / relative_cost(cells[2].cfg) == pytest.approx(1 + 0.1756 * 5)
    # the other 64-px rows keep the file's order
    assert [c.row for c in cells[2:8]] == ["baseline", "ch20", "mix", "step", "cosine", "robust"]
    share = base.replace(smote=True, smote_share=0.5)
    assert relative_cost(share) / relative_cost(base) == pytest.approx((1 - 0.1756) / 0.5)


def test_no_train_writes_the_finished_cells_and_trains_or_queues_nothing(tmp_path):
    """--no-train: a grid stopped half-way (here: a row added after it ran) gets its table from the store's
    finished cells, the others as not run; no run folder or queued cell appears, and the numbers are the
    full run's."""
    rows = [("a", 1e-3), ("b", 2e-3)]

    def grid_file(rows) -> str:
        path = tmp_path / "g.toml"
        path.write_text('[grid]\nname = "g"\nbaseline = "a"\nfactors = ["lr"]\n' + "".join(
            f'[[row]]\nname = "{n}"\nlr = {lr}\nepochs = 1\nbatch_size = 4\n' for n, lr in rows))
        return str(path)
    out = tmp_path / "o"
    args = ("table2", "--seeds", "0", "--profile", "smoke", "--out", str(out), "--workers", "1")
    assert bench(*args, "--grid", grid_file(rows)).returncode == 0
    full = pd.read_csv(out / "tables" / "g_smoke.csv", comment="#")
    runs = sorted(p.name for p in (out / "runs").iterdir())
    r = bench(*args, "--grid", grid_file([*rows, ("c", 3e-3)]), "--no-train")
    assert r.returncode == 0, r.stderr
    assert "3 cells: 2 finished in the store, 0 failed, 1 not run (--no-train: nothing trains)" in r.stdout
    # the table says at its top that it is partial, and which cells it lacks
    head = (out / "tables" / "g_smoke.md").read_text().splitlines()[:6]
    assert any("partial: 2 of 3 cells finished; not run: c (seed 0)" in line for line in head), head
    part = pd.read_csv(out / "tables" / "g_smoke.csv", comment="#").set_index("row")
    assert part.loc[["a", "b"], "cv_f1"].tolist() == full.set_index("row").cv_f1.tolist()
    assert pd.isna(part.loc["c", "cv_f1"])
    assert sorted(p.name for p in (out / "runs").iterdir()) == runs
    study = optuna.load_study(study_name="grid-g", storage=f"sqlite:///{out / 'results.db'}")
    assert len(study.trials) == 2  # nothing queued for c

"""No command writes over what it reads (landslide/overwrite.py), and a killed write leaves no temporary."""
import signal
import subprocess
import sys
import time

import pytest

from landslide.cli import main


def test_pack_refuses_to_write_over_the_data_it_packs(folder, snapshot, capsys):
    before = snapshot(folder)
    assert main(["pack", "--data", str(folder), "--out", str(folder / "Train.csv")]) == 2
    assert "which this command reads" in capsys.readouterr().err
    assert main(["pack", "--data", str(folder), "--out", str(folder / "train_data" / "x.h5")]) == 0  # a new file
    (folder / "train_data" / "x.h5").unlink()
    (folder / "train_data" / "x.index.csv").unlink()
    assert snapshot(folder) == before


def test_pack_without_h5_is_refused_before_reading(folder, tmp_path, capsys):
    assert main(["pack", "--data", str(folder), "--out", str(tmp_path / "store")]) == 2
    assert "ends in .h5" in capsys.readouterr().err and not (tmp_path / "store").exists()


def test_train_into_the_data_folder_is_refused(folder, snapshot, capsys):
    before = snapshot(folder)
    assert main(["train", "--profile", "smoke", "--data", str(folder), "--out", str(folder), "--no-progress"]) == 2
    assert "which this command reads" in capsys.readouterr().err and snapshot(folder) == before


def test_synth_over_a_data_set_needs_overwrite_and_leaves_no_strays(tmp_path, snapshot, capsys):
    out = tmp_path / "d"
    assert main(["synth", "--out", str(out), "--n", "20"]) == 0
    before = snapshot(out)
    assert main(["synth", "--out", str(out), "--n", "12", "--seed", "1"]) == 2
    assert "--overwrite" in capsys.readouterr().err and snapshot(out) == before
    (out / "notes.txt").write_text("mine")
    assert main(["synth", "--out", str(out), "--n", "12", "--seed", "1", "--overwrite"]) == 0
    assert len(list((out / "train_data").iterdir())) == 12  # the 20 old patches are gone
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no temporary folder left


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_killed_command_leaves_no_temporary_and_the_old_file(tmp_path, signum):
    """Both command lines unwind on SIGTERM as on Ctrl-C (run_cli), so atomic writes clean up."""
    target = tmp_path / "store.h5"
    target.write_text("old")
    script = f"""
import argparse, time
from landslide.atomic import atomic_path
from landslide.run_cli import run_cli
def slow(args):
    with atomic_path({str(target)!r}) as tmp:
        tmp.write_text("half")
        print("ready", flush=True)
        time.sleep(60)
p = argparse.ArgumentParser()
p.set_defaults(fn=slow)
raise SystemExit(run_cli(p, [], "nothing kept"))
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signum)
    assert proc.wait(timeout=30) == 130
    time.sleep(0.1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.h5"] and target.read_text() == "old"

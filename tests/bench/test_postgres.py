"""Many workers on one shared PostgreSQL results store: a real server (a throwaway cluster made with
initdb in a temporary folder, on a local socket), two worker processes of a smoke grid, one killed in
the middle of a cell. The other drains the grid, reclaiming the dead worker's cell; no cell is trained
twice; the table equals a single-worker run's."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

GRID = """
[grid]
name = "pg"
title = "shared-store check"
baseline = "a"
factors = ["epochs"]

[[row]]
name = "a"
label = "a"
epochs = 3

[[row]]
name = "b"
label = "b"
epochs = 4
"""


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def postgres_url():
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    pytest.importorskip("psycopg2")
    # not under pytest's folders: those are private to root, and the server must run as postgres
    root = Path(tempfile.mkdtemp(prefix="landslide-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(_as_postgres([str(pg / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres([str(pg / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                                 f"-k {sock} -p {port} -c listen_addresses=''", "start"]), check=True,
                   capture_output=True)
    try:
        yield f"postgresql+psycopg2://postgres@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run(_as_postgres([str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _bench(out: Path, url: str, grid: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench", "table2", "--grid", str(grid), "--profile", "smoke",
                             "--seeds", "0,1", "--storage", url, "--out", str(out), "--workers", "1", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_two_workers_one_killed_mid_cell_drain_the_grid(postgres_url, tmp_path):
    import optuna
    grid = tmp_path / "pg.toml"
    grid.write_text(GRID)
    out = tmp_path / "shared"
    first, second = _bench(out, postgres_url, grid), _bench(out, postgres_url, grid)
    # kill the first worker once it is inside a cell (an epoch checkpoint of its run exists)
    study = None
    deadline = time.time() + 300
    while time.time() < deadline:
        if study is None:
            try:
                study = optuna.load_study(study_name="grid-pg", storage=postgres_url)
            except KeyError:
                time.sleep(0.5)
                continue
        mine = [t for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
                if t.user_attrs.get("worker", "").endswith(f":{first.pid}")]
        if mine and list(out.glob("runs/*/fold_0/last.pt")):
            os.killpg(first.pid, signal.SIGKILL)
            killed_key = mine[0].user_attrs["key"]
            break
        time.sleep(0.2)
    else:
        pytest.fail("the first worker never started a cell")
    first.wait()
    log, _ = second.communicate(timeout=480)  # under the 600 s per-test limit, so this message shows
    assert second.returncode == 0, log[-3000:]
    trials = study.get_trials(deepcopy=False)
    complete = [t.user_attrs["key"] for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == len(set(complete)) == 4, log[-3000:]          # every cell once, none twice
    assert killed_key in complete                                            # the dead worker's cell too
    shared = pd.read_csv(out / "tables" / "pg_smoke.csv", comment="#")
    single = tmp_path / "single"
    rc = subprocess.run([sys.executable, "-m", "bench", "table2", "--grid", str(grid), "--profile", "smoke",
                         "--seeds", "0,1", "--out", str(single), "--no-progress"], capture_output=True, text=True)
    assert rc.returncode == 0, rc.stderr[-3000:]
    alone = pd.read_csv(single / "tables" / "pg_smoke.csv", comment="#")
    cols = ["row", "train_f1", "cv_f1", "cv_f1_std", "best_val_f1", "test_f1"]
    pd.testing.assert_frame_equal(shared[cols], alone[cols])


def test_a_password_in_the_storage_url_is_in_no_output_file_or_log(postgres_url, tmp_path):
    """issue 39.2: the server trusts local logins, so any password opens it; the password must be shown
    nowhere: not in what the commands print, nor in any file they write."""
    secret = "Sup3rSecretPW"
    url = postgres_url.replace("://postgres@", f"://postgres:{secret}@")
    grid = tmp_path / "one.toml"
    grid.write_text(GRID.split("[[row]]")[0] + '[[row]]\nname = "a"\nlabel = "a"\nepochs = 2\n')
    out = tmp_path / "out"
    said = ""
    for command in (["table2", "--grid", str(grid), "--seeds", "0", "--workers", "1"], ["sweep", "--trials", "1"]):
        done = subprocess.run([sys.executable, "-m", "bench", *command, "--profile", "smoke", "--storage", url,
                               "--out", str(out), "--no-progress"], capture_output=True, text=True, timeout=400)
        assert done.returncode == 0, done.stderr[-3000:]
        said += done.stdout + done.stderr
    assert "postgres:***@" in said and secret not in said
    written = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".csv" for p in written) and not [p for p in written if secret.encode() in p.read_bytes()]

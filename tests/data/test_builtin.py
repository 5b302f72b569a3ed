"""The built-in synthetic set's cache location."""
import os
import subprocess
import sys


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


def test_an_empty_cache_variable_means_the_default(monkeypatch):
    from pathlib import Path

    from landslide.data.builtin import cache_dir
    monkeypatch.setenv("LANDSLIDE_CACHE", "")
    assert cache_dir() == Path.home() / ".cache" / "landslide-bench"


def test_an_unusable_cache_is_named_as_the_cache(tmp_path):
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

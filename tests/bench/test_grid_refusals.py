"""Grid commands refuse what they would ignore."""
import subprocess
import sys


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


def test_set_on_a_factor_the_grid_varies_is_refused(tmp_path):
    rc, text = cli("table2", "--profile", "smoke", "--out", tmp_path, "--set", "mixup=true", module="bench")
    assert rc == 2 and "mixup" in text and "--grid PATH" in text
    rc, text = cli("table2", "--profile", "smoke", "--out", tmp_path, "--workers", "0", module="bench")
    assert rc == 2 and "--workers" in text and "Traceback" not in text

"""No code runs from a run folder: planted or truncated checkpoints are refused."""
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from landslide.errors import LandslideError
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

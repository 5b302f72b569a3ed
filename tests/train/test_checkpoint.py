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


def test_packed_weights_come_back_bit_for_bit_in_order_and_smaller(tmp_path):
    import torch

    from landslide.train.checkpoint import pack_weights, save_checkpoint
    g = torch.Generator().manual_seed(0)
    conv = (torch.randn(64, 12, 3, 3, generator=g) * 0.05).contiguous(memory_format=torch.channels_last)
    state = {"stem.weight": conv, "bn.running_var": torch.rand(64, generator=g),
             "bn.num_batches_tracked": torch.tensor(1234), "head.weight": torch.randn(2, 368, generator=g) * 0.1,
             "half": torch.randn(8, generator=g).half()}
    save_checkpoint({"model_packed": pack_weights(state), "scaler": {"kind": "standard"}}, tmp_path / "packed.pt")
    save_checkpoint({"model": state, "scaler": {"kind": "standard"}}, tmp_path / "plain.pt")  # before 2026-12-08
    for name in ("packed.pt", "plain.pt"):
        back = load_checkpoint(tmp_path / name)
        assert list(back["model"]) == list(state) and back["scaler"] == {"kind": "standard"}
        for k, v in state.items():
            assert back["model"][k].dtype == v.dtype and torch.equal(back["model"][k], v), (name, k)
    assert (tmp_path / "packed.pt").stat().st_size < 0.95 * (tmp_path / "plain.pt").stat().st_size


def test_damaged_packed_weights_are_refused_with_what_to_do(tmp_path):
    import torch

    from landslide.train.checkpoint import pack_weights, save_checkpoint
    packed = pack_weights({"w": torch.randn(100)})
    packed["blob"] = packed["blob"][:50]  # a truncated blob
    save_checkpoint({"model_packed": packed}, tmp_path / "model.pt")
    with pytest.raises(LandslideError, match="packed weights are damaged.*delete it"):
        load_checkpoint(tmp_path / "model.pt")

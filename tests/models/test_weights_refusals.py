"""Weights files that cannot be loaded are one message."""
import subprocess
import sys

import torch


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


def test_weights_files_that_cannot_be_loaded(tmp_path):
    from safetensors.torch import save_file
    bad = tmp_path / "w.safetensors"
    bad.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00garbage!")
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--weights", bad)
    assert rc == 2 and "Traceback" not in text and "cannot be loaded" in text and not (tmp_path / "r").exists()
    import timm
    state = timm.create_model("test_efficientnet", num_classes=2).state_dict()
    key = next(k for k in state if k.endswith("conv_head.weight"))
    state[key] = torch.zeros(3, 3, 1, 1)
    save_file(state, str(tmp_path / "shape.safetensors"))
    rc, text = cli("train", "--profile", "smoke", "--out", tmp_path / "r", "--weights", tmp_path / "shape.safetensors")
    assert rc == 2 and "conv_head.weight" in text and "Traceback" not in text

"""Refactoring keeps every number: two smoke runs' metrics.json and out-of-fold scores equal those the code
wrote before the typed run layer (tests/golden/, command in machine.json). Bitwise float results depend on
the CPU's model, its vector unit and the torch build, so on another kind of machine the test is skipped, not
loosened (two AVX512 machines of different models train the same smoke run to different numbers)."""
import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from landslide.profiles import profile_config
from landslide.train.cv import run_experiment
from landslide.train.device import cpu_model

GOLDEN = Path(__file__).parent / "golden"
MACHINE = json.loads((GOLDEN / "machine.json").read_text())
FULL = {"smote": True, "mixup": True, "cutmix": True, "head": "svm", "lr_schedule": "cosine"}

HERE = (torch.backends.cpu.get_cpu_capability(), torch.__version__, cpu_model())
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    HERE != (MACHINE["cpu_capability"], MACHINE["torch"], MACHINE["cpu"]),
    reason=f"golden numbers were written on {MACHINE['cpu']} ({MACHINE['cpu_capability']}) with torch "
           f"{MACHINE['torch']}; this machine: {HERE}")]


@pytest.mark.parametrize("name, fields", [("plain", {}), ("full", FULL)])
def test_smoke_run_reproduces_the_numbers_written_before_the_refactor(tmp_path, name, fields):
    cfg = profile_config("smoke", threads=1, **fields)
    metrics = run_experiment(cfg, tmp_path / name, progress=False).metrics
    suffix = "-svm-c1" if fields else ""
    golden = json.loads((GOLDEN / name / f"metrics{suffix}.json").read_text())
    # the key carries the data fingerprint; trained_on (which CPU) is newer than the golden files
    assert metrics.as_json() == {**golden, "config_key": cfg.key(), "trained_on": metrics.trained_on}
    ours = pd.read_csv(tmp_path / name / f"oof{suffix}.csv")
    theirs = pd.read_csv(GOLDEN / name / f"oof{suffix}.csv")
    assert ours.ID.tolist() == theirs.ID.tolist() and ours.label.tolist() == theirs.label.tolist()
    assert ours.score.to_numpy() == pytest.approx(theirs.score.to_numpy(), abs=1e-12)

"""Refactoring keeps every number: two smoke runs' metrics.json and out-of-fold scores equal those the code
wrote before the typed run layer (tests/golden/, command in machine.json). Bitwise float results depend on
the CPU's vector unit and the torch build, so on another kind of machine the test is skipped, not loosened."""
import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from landslide.config import profile_config
from landslide.train.cv import run_experiment

GOLDEN = Path(__file__).parent / "golden"
MACHINE = json.loads((GOLDEN / "machine.json").read_text())
FULL = {"smote": True, "mixup": True, "cutmix": True, "head": "svm", "lr_schedule": "cosine"}

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    (torch.backends.cpu.get_cpu_capability(), torch.__version__) != (MACHINE["cpu_capability"], MACHINE["torch"]),
    reason=f"golden numbers were written on {MACHINE['cpu_capability']} with torch {MACHINE['torch']}")]


@pytest.mark.parametrize("name, fields", [("plain", {}), ("full", FULL)])
def test_smoke_run_reproduces_the_numbers_written_before_the_refactor(tmp_path, name, fields):
    cfg = profile_config("smoke", threads=1, **fields)
    _, _, metrics, _ = run_experiment(cfg, tmp_path / name, progress=False)
    suffix = "-svm-c1" if fields else ""
    golden = json.loads((GOLDEN / name / f"metrics{suffix}.json").read_text())
    assert metrics.as_json() == {**golden, "config_key": cfg.key()}  # the key carries the data fingerprint
    ours = pd.read_csv(tmp_path / name / f"oof{suffix}.csv")
    theirs = pd.read_csv(GOLDEN / name / f"oof{suffix}.csv")
    assert ours.ID.tolist() == theirs.ID.tolist() and ours.label.tolist() == theirs.label.tolist()
    assert ours.score.to_numpy() == pytest.approx(theirs.score.to_numpy(), abs=1e-12)

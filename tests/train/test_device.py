"""The device a run asks for (refused when this machine lacks it) and the torch thread count it sets: explicit,
from the cores the process may use, never torch's guess."""
import os

import pytest

from landslide.train import device


def test_zero_means_one_thread_per_usable_core(monkeypatch):
    monkeypatch.setattr(device, "usable_cores", lambda: 3)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert device.torch_threads(0) == (3, "torch threads: 3 (one per usable core; 3 usable)")
    assert device.torch_threads(1)[0] == 1


def test_a_busy_machine_is_named_but_the_count_is_kept(monkeypatch):
    """Two runs of one configuration use one count whatever the load; the line says what to do."""
    monkeypatch.setattr(device, "usable_cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.7, 3.0, 2.0))
    threads, note = device.torch_threads(0)
    assert threads == 2 and "load average is 3.7 on 2 cores" in note and "--set threads=1" in note
    assert "load" not in device.torch_threads(1)[1]  # one thread cannot oversubscribe


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux affinity")
def test_usable_cores_follow_the_affinity_mask():
    assert device.usable_cores() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("name, said", [("cuda", "torch sees no CUDA GPU"), ("cuda:3", "torch sees no CUDA GPU")])
def test_a_gpu_this_machine_lacks_is_one_message(monkeypatch, name, said):
    from landslide.errors import LandslideError
    monkeypatch.setattr(device.torch.cuda, "is_available", lambda: False)
    with pytest.raises(LandslideError, match=said):
        device.pick_device(name)


def test_a_gpu_index_past_the_last_is_named(monkeypatch):
    from landslide.errors import LandslideError
    monkeypatch.setattr(device.torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(device.torch.cuda, "device_count", lambda: 2)
    with pytest.raises(LandslideError, match="has 2 GPU"):
        device.check_device("cuda:3")
    device.check_device("cuda:1")


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="needs a machine without a GPU")
def test_train_on_a_missing_gpu_refuses_before_writing(tmp_path):
    from landslide.cli import main
    assert main(["train", "--profile", "smoke", "--device", "cuda:3", "--out", str(tmp_path / "run")]) == 2
    assert not (tmp_path / "run").exists()

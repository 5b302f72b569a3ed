"""The torch thread count a run sets: explicit, from the cores the process may use, never torch's guess."""
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

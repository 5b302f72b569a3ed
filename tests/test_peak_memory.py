"""The peak memory mark: it sees an allocation made and freed, and a reset starts it again from what is in use."""
from pathlib import Path

import numpy as np
import pytest

from landslide.peak_memory import peak_mb, reset_peak


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="the mark resets on Linux only")
def test_a_freed_allocation_stays_in_the_peak_until_a_reset():
    reset_peak()
    before = peak_mb()
    block = np.ones(300 * 2**20, dtype=np.uint8)  # 300 MiB, touched
    del block
    assert peak_mb() >= before + 290
    reset_peak()
    assert peak_mb() < before + 100

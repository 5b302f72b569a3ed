"""The peak memory readings: a block's sampled peak sees an allocation made and freed inside it, and the
process's own mark, which /usr/bin/time reports, is left as the kernel keeps it."""
import time
from pathlib import Path

import numpy as np
import pytest

from landslide.peak_memory import PeakSampler


def kernel_mark_mb() -> float:
    line = next(li for li in Path("/proc/self/status").read_text().splitlines() if li.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="sampled from /proc (Linux)")
def test_a_block_s_peak_sees_a_freed_allocation_and_the_process_mark_stays():
    with PeakSampler(interval=0.01) as before:
        time.sleep(0.05)
    with PeakSampler(interval=0.01) as block:
        chunk = np.ones(300 * 2**20, dtype=np.uint8)  # 300 MiB, touched
        time.sleep(0.1)
        del chunk
    assert block.peak_mb >= before.peak_mb + 290
    with PeakSampler(interval=0.01) as after:
        time.sleep(0.05)
    assert after.peak_mb < before.peak_mb + 100  # the next block starts from what is in use
    assert kernel_mark_mb() > block.peak_mb - 8  # nothing reset the kernel's mark (its counters lag by pages)

"""A process's peak resident memory over a stretch of its work (one grid cell in a long-lived worker, one
part of ``bench speed``), sampled. The kernel's own mark (VmHWM, what ``/usr/bin/time -v`` reports) holds
the process's life and is never reset here: a reset would make that tool report only the last stretch."""
from __future__ import annotations

import threading
from pathlib import Path


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class PeakSampler:
    """``with PeakSampler() as s: ...`` then ``s.peak_mb``: the largest resident memory seen while the block
    ran, read every ``interval`` seconds from /proc (Linux; NaN elsewhere). A peak shorter than the interval
    can be missed: 0.1 s catches a fold's start (the scaler's float64 copy lasts about a second)."""

    def __init__(self, interval: float = 0.1):
        self.interval, self._most = interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def peak_mb(self) -> float:
        return self._most or float("nan")

    def _read(self) -> bool:
        now = _status_mb("VmRSS")
        if now is not None:
            self._most = max(self._most, now)
        return now is not None

    def _sample(self) -> None:
        while self._read() and not self._stop.wait(self.interval):
            pass

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._read()  # the block's end, which the last interval may not have seen

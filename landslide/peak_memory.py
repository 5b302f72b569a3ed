"""A process's peak resident memory over a stretch of its work: one part of ``bench speed``, one grid cell
in a long-lived worker. Linux keeps the mark (VmHWM) and resets it on request; elsewhere the reading is
the process's peak since it started (``ru_maxrss``) and nothing resets it."""
from __future__ import annotations

from pathlib import Path


def reset_peak() -> None:
    """Start a new peak from the memory now in use (Linux; a no-op where the kernel refuses)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float:
    """The peak resident memory, in MiB, since the last ``reset_peak`` (or since the process started)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    import sys
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KiB elsewhere
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)

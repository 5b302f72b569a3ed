"""Write a file under a temporary name and rename it into place, so a killed process never leaves a
half-written file under the final name (the rename is atomic on one file system)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path`` (same suffix, so writers that infer the format from it
    still work); on success it replaces ``path``, on failure it is removed."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if exc.filename in (str(tmp), tmp):  # the user chose ``path``; the temporary name means nothing to them
            exc.filename = str(path)
        raise
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # a read-only or vanished folder: keep the error that got us here, not this one
            pass


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)

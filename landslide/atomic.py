"""Write a file under a temporary name and rename it into place, so a killed process never leaves a
half-written file under the final name (the rename is atomic on one file system).

Files are created without following symbolic links: a link planted at a temporary name or at a run
folder's own file (``ln -s victim RUN/.lock``) would otherwise send our writes to its target. The final
rename replaces a link at ``path`` itself, never what it points to."""
from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path

from landslide.errors import LandslideError


def open_own(path: str | Path, append: bool = False) -> int:
    """A file descriptor for writing one of the tool's own files (created if missing, never truncated:
    a lock file is shared), refusing a symbolic link at ``path``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_APPEND if append else 0)
    try:
        return os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LandslideError(f"{path} is a symbolic link (to {os.readlink(path)}); this file is the tool's "
                                 f"own and is never written through a link. Remove the link and run the "
                                 f"command again") from None
        raise


def _claim_temporary(tmp: Path) -> None:
    """Create ``tmp`` as a new empty file of ours: whatever sits at that name (a link planted there, a
    temporary left by a killed process of the same pid) is removed first, never written through."""
    try:
        if tmp.is_symlink() or tmp.is_file():
            tmp.unlink()
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644))
    except FileExistsError:  # planted again between the two calls: refuse rather than write through it
        raise LandslideError(f"{tmp} appeared while it was being created; something else writes in "
                             f"{tmp.parent}. Stop it and run the command again") from None


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path`` (same suffix, so writers that infer the format from it
    still work); on success it replaces ``path``, on failure it is removed."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    try:
        _claim_temporary(tmp)
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

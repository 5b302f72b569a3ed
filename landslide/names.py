"""Names that become file names (grid, row, profile and study names, patch IDs, table stems) are plain
file names: one name inside the folder it is written to or read from, never a path that leads out of it
(``../../x``, ``/abs/x``)."""
from __future__ import annotations

from landslide.errors import LandslideError

MAX_NAME = 200  # file systems refuse names of 255 bytes; a suffix and a profile's name are added to some


def plain_name_problem(name: object) -> str | None:
    """What keeps ``name`` from being a plain file name, or None."""
    if not isinstance(name, str) or not name.strip():
        return f"{name!r} is not a name (give non-empty text)"
    if len(name) > MAX_NAME:
        return f"a name of {len(name)} characters (at most {MAX_NAME})"
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("~") or "\x00" in name:
        return f"{name!r} is not a plain file name (no folders, no '..', no leading '~')"
    return None


def require_plain_name(name: object, where: str) -> str:
    """``name`` itself, or one error naming ``where`` it came from (``FILE: row 3 name``) and the fix."""
    problem = plain_name_problem(name)
    if problem:
        raise LandslideError(f"{where}: {problem}; names become file names inside --out, so give a plain one "
                             f"such as \"my_grid\"")
    return str(name)

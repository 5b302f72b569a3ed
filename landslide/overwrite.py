"""No command writes over what it reads: one rule for every output a command is given (``--out`` of
``train``, ``predict``, ``pack`` and the bench commands) against every input it reads (the data, a run
folder, weights, a profile file).

An output is refused when it *is* an input, or lies inside an input folder and already exists there
(``predict --out RUN/config.json``, ``pack --out DATA/Train.csv``). A new file beside a folder's own
(``pack --out DATA/data.h5``) overwrites nothing and is allowed. Paths are compared resolved, so
``./d``, the absolute path and a link to it are the same place."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from landslide.errors import LandslideError


def refuse_overwriting_inputs(outputs: Iterable[str | Path], inputs: Iterable[str | Path | None],
                              option: str = "--out") -> None:
    """Raise before anything is written when an output would replace an input (or a file inside one)."""
    read = [(Path(i), Path(i).resolve()) for i in inputs if i]
    for out in outputs:
        target = Path(out).resolve()
        for given, source in read:
            inside = source.is_dir() and target.is_relative_to(source) and target.exists()
            if target == source or inside:
                what = "is" if target == source else "is inside"
                raise LandslideError(f"{option} {out} {what} {given}, which this command reads; writing there "
                                     f"would replace what it is reading. Choose an {option} outside it")


def refuse_filled_folder(out: str | Path, overwrite: bool, option: str = "--out") -> None:
    """A command that writes a whole folder (``synth``) does so into a missing or empty one, unless told
    to replace what is there."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise LandslideError(f"{option} {out} is a file; choose a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise LandslideError(f"{option} {out} is not empty; choose a new or empty folder, or pass --overwrite "
                             f"to replace the data set there")

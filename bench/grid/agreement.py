"""The results store against the run folders its figures came from: a finished cell's stored metrics
must be its run folder's ``metrics.json``, key for key, or the tables would print numbers no run made
(a store edited by hand, or restored from another copy of the runs)."""
from __future__ import annotations

import json
from pathlib import Path

from bench.grid.cells import run_dir_for
from landslide.errors import LandslideError
from landslide.train.rundir import RunDir


def _defaults() -> dict:
    import dataclasses

    from landslide.train.results import Metrics
    return {f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
            for f in dataclasses.fields(Metrics)
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}


_DEFAULTS = _defaults()


def _same(a, b) -> bool:
    # compared as JSON text: NaN equals NaN there, and floats round-trip exactly
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def disagreements(cells: list, metrics: dict[str, dict], out: Path) -> list[str]:
    """One line per finished cell whose stored metrics differ from its run folder's ``metrics.json`` (the
    fields that differ). A cell whose run folder has no ``metrics.json`` has nothing to compare here."""
    lines = []
    for c in cells:
        stored = metrics.get(c.key)
        path = RunDir(run_dir_for(out, c.cfg)).output_path(c.cfg, "metrics", ".json")
        if stored is None or not path.is_file():
            continue
        try:
            ran = json.loads(path.read_text())
        except (OSError, ValueError):
            lines.append(f"{c.grid}/{c.row} seed {c.seed}: {path} is not readable JSON")
            continue
        # a field added to the metrics since the cell was stored reads as its default there (a run folder
        # scored again writes trained_on [] for folds that predate it)
        differ = sorted(k for k in ran if not _same(stored.get(k, _DEFAULTS.get(k)), ran[k]))
        if differ:
            k = differ[0]
            lines.append(f"{c.grid}/{c.row} seed {c.seed}: {', '.join(differ)} differ from {path} (e.g. {k}: "
                         f"store {json.dumps(stored.get(k))[:40]}, run {json.dumps(ran[k])[:40]})")
    return lines


def refuse_disagreeing(cells: list, metrics: dict[str, dict], out: Path) -> None:
    """Refuse, before any table is written, a store whose figures are not those of the runs they name."""
    lines = disagreements(cells, metrics, out)
    if lines:
        raise LandslideError("the results store disagrees with the run folders its cells came from:\n  "
                             + "\n  ".join(lines) + "\nThe store was edited or copied from other runs. Delete "
                             "this grid's study from the store (the default store is OUT/results.db; deleting "
                             "it is safe) and run the same command again: every cell is then scored afresh "
                             "from its run folder's finished folds, without retraining")

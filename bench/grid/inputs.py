"""The one entry of every grid command: ``GridInputs``, built and checked once from the command line, and
``GridResult``, what ``run_grid`` returns. A command that sets a grid up by hand would drift from the
others (a refusal run in two commands of five), so each goes through ``grid_inputs``."""
from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.grid.spec import Grid
from landslide.config import ExperimentConfig
from landslide.errors import LandslideError
from landslide.options import parse_sets

if TYPE_CHECKING:
    from bench.grid.cells import Cell


@dataclass(frozen=True)
class GridInputs:
    """What a grid run needs: the grid, the configuration its rows start from, the seeds, where results go
    (``out``, the store's URL or None for ``OUT/results.db``) and how to run (local workers, whether failed
    cells run again, the progress display)."""
    grid: Grid
    base: ExperimentConfig
    seeds: tuple[int, ...]
    out: Path
    storage: str | None = None
    workers: int = 1
    retry_failed: bool = False
    progress: bool = True
    sets: frozenset[str] = frozenset()  # the fields --set gave: a grid drawn from these inputs must not set them
    train: bool = True  # False (--no-train): only read what the store has finished

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise LandslideError(f"--workers must be 1 or more, got {self.workers}")
        if not self.seeds:
            raise LandslideError("no seeds: give at least one with --seeds, e.g. --seeds 0")

    def with_grid(self, grid: Grid, seeds: tuple[int, ...] | None = None) -> GridInputs:
        """The same inputs for another grid drawn from this one (a subset of its rows, an inner split)."""
        refuse_sets_on_grid_factors(grid, self.sets)
        return dataclasses.replace(self, grid=grid, seeds=self.seeds if seeds is None else seeds)

    def one_seed(self, command: str) -> int:
        """The seed of a command that draws one seed's networks: more than one given is refused, not cut."""
        if len(self.seeds) > 1:
            raise LandslideError(f"--seeds {','.join(map(str, self.seeds))}: {command} draws one seed's "
                                 f"networks; give one, e.g. --seeds {self.seeds[0]}")
        return self.seeds[0]


@dataclass(frozen=True)
class GridResult:
    """A grid run: its cells, key -> metrics of the finished cells in the store, and the failures of its
    cells that did not finish."""
    cells: list[Cell]
    metrics: dict[str, dict]
    failed: list[dict]

    def finished(self) -> list[tuple[Cell, dict]]:
        """The cells that finished, with their metrics, in the grid's order."""
        return [(c, self.metrics[c.key]) for c in self.cells if c.key in self.metrics]


def grid_inputs(grid: Grid, args) -> GridInputs:
    """A grid command's inputs from its parsed arguments (``bench.args.add_grid_arguments``). Refused here,
    before anything trains: ``--set`` on a field the grid's rows set, and ``--set seed`` (seeds are
    ``--seeds``'); the configuration's own checks run as it is made."""
    from bench.args import parse_seeds
    from landslide.options import config_from_args
    sets = parse_sets(args.set)
    if "seed" in sets:
        raise LandslideError(f"--set seed={sets['seed']}: a grid's cells take their seeds from --seeds; "
                             f"give --seeds {sets['seed']} instead")
    refuse_sets_on_grid_factors(grid, sets)
    return GridInputs(grid, config_from_args(args, sets), tuple(parse_seeds(args)), Path(args.out), args.storage,
                      args.workers, args.retry_failed, not args.no_progress, frozenset(sets),
                      not getattr(args, "no_train", False))


def refuse_sets_on_grid_factors(grid: Grid, sets: Collection[str]) -> None:
    """A grid row sets its factors after --set (the precedence: ``landslide.config``), so --set on a field
    the grid's rows set is refused rather than silently ignored."""
    varied = {name for row in grid.rows for name in row.fields}
    clash = sorted(varied & set(sets))
    if clash:
        raise LandslideError(f"--set {', '.join(clash)}: grid {grid.name} sets {'it' if len(clash) == 1 else 'them'} "
                             f"row by row, so the override would be ignored. Edit a copy of the grid file and "
                             f"pass it with --grid PATH instead")

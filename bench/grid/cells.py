"""A grid's cells: one configuration each, the order they are queued in, their cost and their run folder.

A cell is a (grid, row, configuration); its seed is the configuration's own. Expansion applies the one
rule every cell's identity shares: torch's results depend on its thread count, so the count is part of
each cell's key, and one thread per cell keeps the keys the same whatever ``--workers`` says.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bench.grid.spec import Grid
from landslide.config import ExperimentConfig
from landslide.data.synthetic import SynthConfig


@dataclass
class Cell:
    grid: str
    row: str
    cfg: ExperimentConfig

    @property
    def seed(self) -> int:
        return self.cfg.seed

    @property
    def key(self) -> str:
        return self.cfg.key()

    def attrs(self) -> dict:
        return {"key": self.key, "grid": self.grid, "row": self.row, "seed": self.seed,
                "config": json.dumps(self.cfg.resolved(), sort_keys=True)}


def expand(grid: Grid, base: ExperimentConfig, seeds: list[int]) -> list[Cell]:
    # seed-major: a grid stopped early has whole tables for its first seeds, not every row half-done
    base = base.replace(threads=base.threads or 1)
    return [Cell(grid.name, row.name, base.replace(**row.fields, seed=seed)) for seed in seeds for row in grid.rows]


# The synthetic default's landslide share, the real data's too (1,255 of 7,147): how much SMOTE grows a fold.
LANDSLIDE_SHARE = SynthConfig().landslide_share


def relative_cost(cfg: ExperimentConfig) -> float:
    """A cell's training work up to a constant: pixels per image x images per epoch x epochs. It ignores
    the architecture, so it orders the cells of one grid that share a network (Table 2), not backbones."""
    growth = 1.0
    if cfg.smote:
        growth = ((1 - LANDSLIDE_SHARE) / (1 - cfg.smote_share) if cfg.smote_share
                  else 1 + LANDSLIDE_SHARE * cfg.smote_per_anchor)
    return cfg.image_size ** 2 * cfg.epochs * growth


def queue_order(cells: list[Cell]) -> list[Cell]:
    """Seed-major, and within a seed the longest cells first (the longest-processing-time rule): in the
    grid's order Table 2's SMOTE cell (1.9x the images, 23 minutes) started last and ran alone for
    about 20 of a seed's 71 minutes on 2 workers."""
    seeds = list(dict.fromkeys(c.seed for c in cells))
    return sorted(cells, key=lambda c: (seeds.index(c.seed), -relative_cost(c.cfg)))  # stable: file order on ties


def run_dir_for(out: Path, cfg: ExperimentConfig) -> Path:
    return out / "runs" / cfg.training_key()

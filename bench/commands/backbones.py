"""``python -m bench backbones``: the paper's Fig. 5, F1 against parameter count."""
from __future__ import annotations

from bench.args import add_grid_arguments

HELP = ('Fig. 5: F1 against parameter count for the compared backbones. Writes '
        'tables/backbones[_PROFILE].{csv,md,tex}, tables/backbones_lr[_PROFILE].{csv,md,tex} (the rate per '
        'family), figures/backbones[_PROFILE].{png,pdf}, the runs under OUT/runs and the store OUT/results.db. '
        'Quick profile on a 2-core CPU, --seeds 0: not measured at 20 epochs (about 2 h 16 min estimated from the '
        "16-epoch run's 1 h 49 min, of which 55 min the inner split; --one-lr skips it; docs/performance.md)")


def add_arguments(p) -> None:
    from bench.grid.family_lr import DEFAULT_SCALES
    add_grid_arguments(p)
    p.add_argument("--grid", default="backbones", help="grid name or TOML path (default backbones)")
    p.add_argument("--lr-candidates", default=None, metavar="LR,LR,...",
                   help="learning rates each family tries on an inner split of fold 0's training part; the "
                        "best inner validation F1 trains the table's cells (default: the profile's lr x "
                        f"{', '.join(f'{s:g}' for s in DEFAULT_SCALES)}; others write *_custom outputs)")
    p.add_argument("--one-lr", action="store_true",
                   help="every family at the profile's learning rate (the recipe of Table 2), no inner split; "
                        "writes *_custom outputs")


def run(args) -> None:
    from bench.figures.backbones import backbones_command
    backbones_command(args)

"""``python -m bench occlusion``: the paper's Fig. 7, band importance by occlusion and permutation."""
from __future__ import annotations

from bench.args import add_grid_arguments

HELP = ('Fig. 7: band importance by occlusion and by permutation. Writes '
        'OUT/figures/occlusion[_PROFILE].{png,pdf} and OUT/tables/occlusion[_PROFILE].csv. quick profile on a '
        "2-core CPU: 59 s with Table 2's networks in the store (measured at 20 epochs, 2026-12-04 or later, "
        'docs/performance.md)')


def add_arguments(p) -> None:
    add_grid_arguments(p)
    p.add_argument("--row", default="baseline", help="Table 2 row whose fold models are explained (default baseline)")
    p.add_argument("--zero", default="normalised", choices=["normalised", "raw"],
                   help="zero the channel after normalisation (its training mean; default) or its raw value "
                        "(the paper's literal reading)")


def run(args) -> None:
    from bench.figures.explain import occlusion_command
    occlusion_command(args)

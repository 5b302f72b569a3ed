"""``python -m bench speed``: performance figures of one profile, measured side by side."""
from __future__ import annotations

from landslide.options import add_config_arguments

HELP = ('throughput, pipeline overhead, SSIM neighbours, head fits, peak memory. Writes '
        'OUT/tables/speed[_PROFILE].{csv,md}. Quick profile on a 2-core CPU: 79 s (measured 2026-12-04, '
        'docs/performance.md)')


def add_arguments(p) -> None:
    add_config_arguments(p)
    p.add_argument("--out", default=".", help="output folder (tables/speed.csv and .md)")
    p.add_argument("--steps", type=int, default=20, help="timed training steps per measurement (default 20)")
    p.add_argument("--ssim-n", type=int, default=1255, help="patches in the timed all-pairs SSIM neighbour search "
                                                            "(default 1255, the real data's landslides; about a "
                                                            "minute on 2 cores)")
    p.add_argument("--sk-pairs", type=int, default=200, help="pairs timed through skimage (default 200)")


def run(args) -> None:
    from bench.perf.speed import speed_command
    speed_command(args)

"""``python -m bench smote``: the paper's Fig. 4 (anchors, SSIM neighbours, SMOTE samples, class counts)."""
from __future__ import annotations

from landslide.options import add_config_arguments

HELP = ('Fig. 4: anchors, SSIM neighbours, SMOTE samples and class counts. Writes '
        'OUT/figures/smote[_PROFILE].{png,pdf} and OUT/tables/smote_marker[_PROFILE].{csv,md}. Time: not measured '
        '(its SSIM search alone: 42.1 s for 1,255 patches on the 2-core CPU, measured 2026-12-04, '
        'docs/performance.md)')


def add_arguments(p) -> None:
    add_config_arguments(p)
    p.add_argument("--out", default=".", help="output folder (figures/smote.png and .pdf)")
    p.add_argument("--rows", type=int, default=4, help="anchors shown (default 4)")
    p.add_argument("--sar-band", default="desc_diff_vv", help="SAR band shown beside the RGB composite")
    p.add_argument("--no-progress", action="store_true")


def run(args) -> None:
    from bench.figures.smote import smote_command
    smote_command(args)

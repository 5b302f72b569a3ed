"""``python -m bench contrast``: Table 2 in two profiles (fitted and under-fit, or the quick and the long
budget), row by row, beside the paper."""
from __future__ import annotations

HELP = ('Table 2 in two profiles (by default fitted and under-fit; `--other table2_long --name budget_contrast` '
        'for the quick profile against twice its epochs) beside the paper, with a verdict per row: the paper\'s '
        'F1 change, and AP against the row\'s parent where a table has it (no training: reads two finished '
        'Table 2 CSVs). Writes OUT/tables/regime_contrast.{csv,md} (another name with --name). Time: not '
        'measured (it only reads two CSVs)')


def add_arguments(p) -> None:
    p.add_argument("--out", default=".", help="output folder: the table goes to OUT/tables (default: here)")
    p.add_argument("--tables", default="", help="folder holding the two Table 2 CSVs (default: OUT/tables)")
    p.add_argument("--fitted", default="table2",
                   help="the fitted table's name (default table2: `python -m bench table2`)")
    p.add_argument("--underfit", "--other", dest="underfit", default="table2_underfit",
                   help="the other table's name (default table2_underfit: `python -m bench table2 --profile "
                        "underfit --seeds 0`; table2_long: `python -m bench table2 --profile long --seeds 0`)")
    p.add_argument("--grid", default="table2", help="the grid both tables were made with: its rows and baseline "
                                                     "(default table2)")
    p.add_argument("--name", default="regime_contrast", help="output name (default regime_contrast)")


def run(args) -> None:
    from bench.studies.contrast import contrast_command
    contrast_command(args)

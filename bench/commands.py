"""The bench commands beyond the two tables; each lives in its own module and registers here."""
from __future__ import annotations


def register(sub, add_grid_arguments) -> None:
    from landslide.train.run import add_common_arguments

    s = sub.add_parser("smote", help="Fig. 4: anchors, SSIM neighbours, SMOTE samples and class counts")
    add_common_arguments(s)
    s.add_argument("--out", default=".", help="output folder (figures/smote.png and .pdf)")
    s.add_argument("--rows", type=int, default=4, help="anchors shown (default 4)")
    s.add_argument("--sar-band", default="desc_diff_vv", help="SAR band shown beside the RGB composite")
    s.add_argument("--no-progress", action="store_true")
    s.set_defaults(fn=_lazy("bench.smote_figure", "smote_command"))


def _lazy(module: str, name: str):
    def run(args):
        import importlib
        return getattr(importlib.import_module(module), name)(args)
    return run

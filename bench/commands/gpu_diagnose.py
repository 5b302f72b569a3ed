"""``python -m bench gpu-diagnose``: one variant of the bare training step, to tell GPU- from host-bound."""
from __future__ import annotations

HELP = ('one variant of the bare training step (eager, contiguous, big batch, compile, profiler table): is the '
        'step GPU- or host-bound? Writes no file: it prints its figures. Time: not measured on its own (see '
        'gpu-check)')


def add_arguments(p) -> None:
    p.add_argument("--variant", required=True, choices=["eager", "contiguous", "big-batch", "compile", "profile"],
                   help="big-batch: 4x --batch; profile: a kernel table against the steps' wall time")
    p.add_argument("--model", default="tf_efficientnetv2_l", help="timm model (default the paper's)")
    p.add_argument("--batch", type=int, default=36, help="batch size (default 36, the paper's)")
    p.add_argument("--size", type=int, default=256, help="input pixels (default 256, the paper profile's)")
    p.add_argument("--iters", type=int, default=20, help="timed steps (default 20)")
    p.add_argument("--device", default="cuda", help="cuda (default); cpu only checks the command with a tiny model")


def run(args) -> None:
    from bench.perf.gpu_diagnose import diagnose_command
    diagnose_command(args)

"""``python -m bench gpu-check``: the prepared accelerator check."""
from __future__ import annotations

HELP = ('the prepared accelerator check: EfficientNetV2-L 256 px bf16 train/eval img/s, FLOPs per image, achieved '
        'TFLOP/s. Writes no file: it prints its figures. Time: not measured on its own (on an H200, '
        'bench/perf/gpu_session.sh runs it eager and captured with the kernel profile in about 8 minutes, '
        'docs/performance.md)')


def add_arguments(p) -> None:
    p.add_argument("--device", default="auto")
    p.add_argument("--iters", type=int, default=300, help="timed training iterations (default 300)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--compile", action="store_true", help="the captured step (--set compile=true in training: "
                                                          "forward, backward and optimiser compiled once; CUDA graphs)")
    p.add_argument("--ssim-n", type=int, default=1255, help="patches in the timed SSIM neighbour search (default 1255)")
    p.add_argument("--tiny", action="store_true", help="a tiny model on any device: checks the path, not the speed")


def run(args) -> None:
    from bench.perf.gpu_check import gpu_check_command
    gpu_check_command(args)

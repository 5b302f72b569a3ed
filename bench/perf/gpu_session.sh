#!/usr/bin/env bash
# The device check as one call on a GPU machine (eager and captured gpu-check, the kernel profile, a
# compiled smoke run on CUDA). It installs nothing: it needs a CUDA torch and timm, and runs the package
# from the working tree. About 8 minutes:
#   device run: command="bash bench/perf/gpu_session.sh", timeout_s=560
# Everything it prints also lands in $OUT/gpu_session.log; copy its figures into tables/gpu_*.md.
set -uo pipefail
OUT=${OUT:-/tmp/gpu_session}
mkdir -p "$OUT"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    python -c "import torch, timm; print('torch', torch.__version__, 'timm', timm.__version__)"
    # eager: the fused optimiser, bf16, channels_last; the host's CPU per step and the kernels' share
    timeout 170 python -m bench gpu-check --iters 100 --warmup 10 --ssim-n 1255
    # the captured step (CUDA graphs): compilation is in the warm-up figure
    timeout 300 python -m bench gpu-check --compile --iters 100 --warmup 10 --ssim-n 100
    timeout 60 python -m bench gpu-diagnose --variant profile --iters 3
    # the captured step through the fold loop on CUDA: train, evaluate, train again, next fold
    timeout 150 python -m landslide train --profile smoke --set compile=true --set epochs=2 --device cuda \
        --out "$OUT/smoke_compiled" --no-progress
} 2>&1 | tee "$OUT/gpu_session.log"

"""Where a fold's time goes, from a py-spy profile of one training run.

    py-spy record -r 40 -f raw -o prof.txt -- python -m landslide train --profile preview \\
        --set threads=1 --out /tmp/fold --no-progress
    python -m bench.perf.breakdown prof.txt

py-spy's raw format is one collapsed stack per line (frames from the root, ``;``-separated) and its sample
count. Each stack goes to the first part below whose frames it holds, in this order, so a validation
pass's normalisation counts as validation and the step's backward as backward.
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

# (part, frames any of which puts a stack in it), in the order they are tried
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("validation every epoch (predict on the validation fold)", ("fit_fold.<locals>.validate",)),
    ("final pass: train F1, embeddings of train, validation and test", ("_final_predictions",)),
    ("backward", ("Tensor.backward",)),
    ("optimiser update", ("Optimizer.profile_hook_step",)),
    ("forward and loss", ("train_step (",)),
    ("weight average", ("WeightAverage.update",)),
    ("colour augmentation (of which noise is most)", ("colour (",)),
    ("geometric augmentation", ("geometric (",)),
    ("CutMix and Mixup", ("cutmix (", "mixup (")),
    ("batch gather, normalisation, layout", ("Rows.__getitem__", "Preprocess.__call__")),
    ("checkpoint and results written", ("save_checkpoint", "FoldResult.save")),
    ("scaler fit", ("ChannelScaler.fit",)),
    ("data read", ("load_patches",)),
    ("imports and configuration checks", ("_find_and_load", "ExperimentConfig.__post_init__")),
]
OTHER = "other (process start, threads outside Python, the rest)"


def breakdown(lines) -> Counter:
    """Samples per part of ``PARTS`` (and ``OTHER``) from py-spy raw lines."""
    parts: Counter = Counter()
    for line in lines:
        if not line.strip():
            continue
        stack, count = line.rstrip("\n").rsplit(" ", 1)
        part = next((name for name, frames in PARTS if any(f in stack for f in frames)), OTHER)
        parts[part] += int(count)
    return parts


def markdown(parts: Counter, rate: float) -> str:
    total = sum(parts.values())
    rows = [f"| {name} | {n / rate:.1f} | {100 * n / total:.1f} % |"
            for name, n in sorted(parts.items(), key=lambda kv: -kv[1])]
    return "\n".join(["| part | s | share |", "|---|---|---|", *rows, f"| all | {total / rate:.1f} | 100 % |"])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", type=Path, help="py-spy record -f raw output")
    parser.add_argument("--rate", type=float, default=40.0, help="py-spy's sampling rate, -r (default 40)")
    args = parser.parse_args(argv)
    print(markdown(breakdown(args.profile.read_text().splitlines()), args.rate))


if __name__ == "__main__":
    main()

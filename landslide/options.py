"""The command-line options that make a configuration (data, profile, seed, device, weights, --set), shared
by ``landslide train`` and every ``bench`` command, and the one place that turns them into a configuration:
parsed once, then resolved once, in the precedence written in ``landslide.config``'s docstring."""
from __future__ import annotations

import argparse

from landslide.config import ExperimentConfig, parse_sets, profile_config, profile_names


def add_config_arguments(p: argparse.ArgumentParser) -> None:
    """The options that set configuration fields."""
    p.add_argument("--data", default=None, help="Zindi-layout folder or packed .h5 store "
                                                "(default: the built-in synthetic data set)")
    p.add_argument("--profile", default="quick",
                   help=f"scale: one of {', '.join(profile_names())}: smoke (seconds, tests), quick (the default: "
                        "hours for a grid on a 2-core CPU, e.g. Table 2's three seeds 2 h 36 min, measured "
                        "2026-12-04, docs/performance.md), preview (the quick profile's first fold only: a first look "
                        "at a grid, Table 2's one seed in about 16 minutes), underfit (the earlier quick recipe, "
                        "ResNet-10-T for 10 epochs: a baseline that does not fit, for the regime contrast), paper "
                        "(the paper's settings, for a GPU); or a TOML file of your own (e.g. my_gpu.toml: "
                        "field = value lines, base = \"paper\" to start from a built-in)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    p.add_argument("--device", default=None, help="auto (the default: CUDA if present), cpu, cuda, cuda:1 ...")
    p.add_argument("--weights", default="", help="local pretrained weight file (.safetensors/.pth) for the "
                                                 "backbone; the stem is adapted to the channel count")
    p.add_argument("--pretrained", action="store_true", help="fetch ImageNet weights through timm (needs internet "
                                                             "once) unless --weights is given")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override any configuration field, e.g. --set epochs=2 --set lr_schedule=cosine")


def flag_overrides(args) -> dict:
    """The configuration fields set by the command line's own flags (not --set): only the flags given, so
    that one left at its default does not undo a profile file's value."""
    out: dict[str, object] = {}
    if args.data:
        out["data"] = str(args.data)
    if args.device:
        out["device"] = args.device
    if args.seed is not None:
        out["seed"] = args.seed
    if args.weights:
        out.update(weights=args.weights, pretrained=True)
    if getattr(args, "pretrained", False):
        out["pretrained"] = True
    if getattr(args, "paper_protocol", False):
        out["paper_protocol"] = True
    return out


def config_from_args(args, sets: dict | None = None) -> ExperimentConfig:
    """The configuration the command line asks for. ``sets``: its --set items, when the caller has already
    parsed them (to check them against a grid). The data is fingerprinted last, once, as resolved (a
    ``--set data=DIR`` or a profile file's ``data`` counts like ``--data``)."""
    from landslide.data.fingerprint import fingerprint
    sets = parse_sets(args.set) if sets is None else sets
    cfg = profile_config(args.profile, **{**flag_overrides(args), **sets})
    return cfg.replace(data_fingerprint=fingerprint(cfg.data))

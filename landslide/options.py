"""The command-line options that make a configuration (data, profile, seed, device, weights, --set), shared
by ``landslide train`` and every ``bench`` command, and the one place that turns them into a configuration:
defaults < profile < the caller's fields (a grid's) < these flags < --set."""
from __future__ import annotations

import argparse

from landslide.config import parse_sets, profile_config, profile_names


def add_config_arguments(p: argparse.ArgumentParser) -> None:
    """The options that set configuration fields."""
    p.add_argument("--data", default="", help="Zindi-layout folder or packed .h5 store "
                                              "(default: the built-in synthetic data set)")
    p.add_argument("--profile", default="quick", choices=profile_names(),
                   help="scale: smoke (seconds, tests), quick (minutes on a laptop CPU, default), "
                        "preview (the quick profile's first fold only: a first look at a grid in a third of "
                        "the time), paper (the paper's settings, for a GPU)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    p.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda, cuda:1 ...")
    p.add_argument("--weights", default="", help="local pretrained weight file (.safetensors/.pth) for the "
                                                 "backbone; the stem is adapted to the channel count")
    p.add_argument("--pretrained", action="store_true", help="fetch ImageNet weights through timm (needs internet "
                                                             "once) unless --weights is given")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override any configuration field, e.g. --set epochs=2 --set lr_schedule=cosine")


def flag_overrides(args) -> dict:
    """The configuration fields set by the command line's own flags (not --set)."""
    from landslide.data.fingerprint import fingerprint
    out = {"data": str(args.data or ""), "data_fingerprint": fingerprint(args.data or ""), "device": args.device}
    if args.seed is not None:
        out["seed"] = args.seed
    if args.weights:
        out.update(weights=args.weights, pretrained=True)
    if getattr(args, "pretrained", False):
        out["pretrained"] = True
    if getattr(args, "paper_protocol", False):
        out["paper_protocol"] = True
    return out


def config_from_args(args, **extra):
    """defaults < profile < ``extra`` < the command line's flags < --set."""
    return profile_config(args.profile, **{**extra, **flag_overrides(args), **parse_sets(args.set)})

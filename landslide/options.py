"""The command-line options that make a configuration (data, profile, seed, device, weights, --set), shared
by ``landslide train`` and every ``bench`` command, and the one place that turns them into a configuration:
parsed once, then resolved once, in the precedence written in ``landslide.config``'s docstring."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from landslide.config import FIELDS, SET_BY_TOOL, ExperimentConfig
from landslide.errors import LandslideError
from landslide.profiles import profile_config, profile_names


def add_config_arguments(p: argparse.ArgumentParser, seed: bool = True) -> None:
    """The options that set configuration fields; ``seed=False`` for commands whose seeds come from a list
    of their own (a grid's ``--seeds``), so that no second seed option can be ignored."""
    p.add_argument("--data", default=None, help="Zindi-layout folder or packed .h5 store "
                                                "(default: the built-in synthetic data set)")
    p.add_argument("--profile", default="quick",
                   help=f"scale: one of {', '.join(profile_names())}: smoke (seconds, tests), quick (the default: "
                        "hours for a grid on a 2-core CPU, e.g. Table 2's three seeds about 2 h 25 min, measured "
                        "2026-12-07, docs/performance.md), preview (the quick profile's first fold only: a first look "
                        "at a grid, Table 2's one seed in about 16 minutes), long (the quick profile at twice the "
                        "epochs: which verdicts depend on the budget; about 1 h 40 min a seed), underfit (the "
                        "earlier quick recipe, ResNet-10-T for 10 epochs: a baseline that does not fit, for the "
                        "regime contrast), paper (the paper's settings, for a GPU); or a TOML file of your own "
                        "(e.g. my_gpu.toml: field = value lines, base = \"paper\" to start from a built-in)")
    if seed:
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
    if getattr(args, "seed", None) is not None:
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
    from landslide.overwrite import refuse_overwriting_inputs
    from landslide.train.device import check_device
    sets = parse_sets(args.set) if sets is None else sets
    cfg = profile_config(args.profile, **{**flag_overrides(args), **sets})
    if cfg.device != "auto":  # a device this machine lacks is refused before any cell or fold starts
        check_device(cfg.device)
    # every command that makes a configuration writes under --out: never over what the configuration reads
    refuse_overwriting_inputs([args.out] if getattr(args, "out", None) else [],
                              [cfg.data, cfg.weights, cfg.profile_file])
    # the data by where it is (resolved: ``./d`` and the absolute path are one configuration, and a run
    # can be read from any folder) and by what it holds
    found = fingerprint(cfg.data)  # first: a missing folder is named as the user wrote it
    return cfg.replace(data=str(Path(cfg.data).resolve()) if cfg.data else "", data_fingerprint=found)


def coerce(name: str, text: str):
    """Parse a ``name=value`` override into the field's type."""
    if name not in FIELDS:
        raise LandslideError(f"unknown configuration field {name!r} in --set; known: {sorted(FIELDS)}")
    if name in SET_BY_TOOL:
        raise LandslideError(f"--set {name}: set by the tool, not by --set; choose the profile with --profile "
                             f"NAME or --profile FILE.toml")
    kind: type[Any] = type(FIELDS[name].default)
    if kind is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise LandslideError(f"--set {name} takes true/false, got {text!r}")
    try:
        return kind(text)
    except ValueError:
        raise LandslideError(f"--set {name} takes a{'n' if kind is int else ''} {kind.__name__}, "
                             f"got {text!r}") from None


def parse_sets(items: list[str]) -> dict:
    """``--set FIELD=VALUE`` items -> {field: typed value}."""
    out = {}
    for item in items:
        if "=" not in item:
            raise LandslideError(f"--set takes FIELD=VALUE, got {item!r}")
        name, value = (part.strip() for part in item.split("=", 1))
        out[name] = coerce(name, value)
    return out

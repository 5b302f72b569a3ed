"""The profiles: the built-in TOML files beside this module and a user's own profile file, each read into
configuration overrides and validated as a whole.

A profile is a built-in name or a TOML file of one's own (``--profile my_gpu.toml``): the same
``field = value`` lines, validated the same way, starting from the quick profile or from the built-in
one it names (``base = "paper"``); its path is kept in ``profile_file`` (not part of a run's identity:
the values are) and its file name stands in for the profile's in output names.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from landslide.config import FIELDS, SET_BY_TOOL, ExperimentConfig
from landslide.errors import LandslideError
from landslide.names import require_plain_name

PROFILE_DIR = Path(__file__).parent


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def profile_name(cfg: ExperimentConfig) -> str:
    """The profile as a user named it: a built-in's name, or a profile file's name without .toml."""
    return Path(cfg.profile_file).stem if cfg.profile_file else cfg.profile


def is_profile_file(profile: str) -> bool:
    return profile.endswith(".toml") or "/" in profile


def profile_overrides(profile: str) -> dict:
    if is_profile_file(profile):
        return _file_overrides(Path(profile))
    path = PROFILE_DIR / f"{profile}.toml"
    if not path.is_file():
        raise LandslideError(f"unknown profile {profile!r}; choose one of {profile_names()}, or give a TOML file "
                             f"of your own (--profile my_gpu.toml)")
    with open(path, "rb") as fh:
        overrides = tomllib.load(fh)
    return {**overrides, "profile": profile}




def _file_overrides(path: Path) -> dict:
    """A user's profile file: its base's overrides, then its own, checked as a whole so that every message
    names the file and the key."""
    if not path.is_file():
        raise LandslideError(f"--profile {path}: no such file; give a built-in profile ({', '.join(profile_names())}) "
                             f"or a TOML file of field = value lines")
    # its file name stands in for the profile's in output names (``profile_name``)
    require_plain_name(path.stem, f"{path}: the profile's name (its file name without .toml)")
    if path.stem in profile_names():
        raise LandslideError(f"{path}: a profile file may not share a built-in profile's name ({path.stem}); output "
                             f"names carry it. Rename the file")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LandslideError(f"{path}: not a valid TOML file ({exc}); write one field = value per line") from None
    base = doc.pop("base", "quick")
    if base not in profile_names():
        raise LandslideError(f"{path}: base = {base!r} is not a built-in profile; choose one of {profile_names()}")
    reserved = sorted(set(doc) & set(SET_BY_TOOL))
    unknown = sorted(set(doc) - set(FIELDS))
    if reserved or unknown:
        what = (f"key(s) {reserved} are set by the tool (base = \"paper\" chooses the built-in to start from)"
                if reserved else f"unknown key(s) {unknown}; known: {sorted(set(FIELDS) - set(SET_BY_TOOL))}")
        raise LandslideError(f"{path}: {what}")
    merged = {**profile_overrides(base), **doc, "profile_file": str(path)}
    try:
        ExperimentConfig(**merged)
    except LandslideError as exc:
        raise LandslideError(f"{path}: {exc}") from None
    return merged


def profile_config(profile: str, **overrides) -> ExperimentConfig:
    """defaults < profile < ``overrides`` (validated once, on the merged values)."""
    merged = {**profile_overrides(profile), **overrides}
    unknown = set(merged) - set(FIELDS)
    if unknown:
        raise LandslideError(f"unknown configuration field(s) {sorted(unknown)}; known: {sorted(FIELDS)}")
    return ExperimentConfig(**merged)

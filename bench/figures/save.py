"""Figures are written as PNG and PDF, each under a temporary name first."""
from __future__ import annotations

from pathlib import Path

from landslide.atomic import atomic_path
from landslide.config import FIELDS, ExperimentConfig, profile_config, profile_name

# what may differ from the profile and still make the profile's own table: the data (a user's tables of
# the real data are the point), seeds, and where and how fast it runs
_SAME_TABLE = {"data", "data_fingerprint", "seed", "device", "threads", "profile", "profile_file"}


def output_stem(name: str, cfg: ExperimentConfig, custom: bool = False) -> str:
    """A table's or figure's file name. A profile other than quick adds its name (a profile file's: its
    file name), and settings that differ from the profile's (``--set``) or a changed grid (``custom``) add
    "custom": a smoke, preview, own-profile or modified run never overwrites the committed (quick) outputs."""
    default = profile_config(cfg.profile_file or cfg.profile)
    custom = custom or any(getattr(cfg, f) != getattr(default, f) for f in FIELDS if f not in _SAME_TABLE)
    profile = profile_name(cfg)
    return "_".join([name] + ([profile] if profile != "quick" else []) + (["custom"] if custom else []))


def save_figure(fig, out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = out_dir / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=150, bbox_inches="tight")
        paths.append(path)
    return paths

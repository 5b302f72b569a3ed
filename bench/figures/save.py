"""Figures are written as PNG and PDF, each under a temporary name first."""
from __future__ import annotations

from pathlib import Path

from landslide.atomic import atomic_path


def output_stem(name: str, profile: str) -> str:
    """A table's or figure's file name: a profile other than quick adds its name, so a smoke or preview run
    in the repository never overwrites the committed (quick) outputs."""
    return name if profile == "quick" else f"{name}_{profile}"


def save_figure(fig, out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = out_dir / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=150, bbox_inches="tight")
        paths.append(path)
    return paths

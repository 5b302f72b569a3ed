"""One in-memory patch set, read from a Zindi folder or a packed store (torchgeo-style dict samples)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from landslide.data.bands import RAW_BANDS
from landslide.data.zindi import STORE_SUFFIXES, Split, read_folder
from landslide.errors import LandslideError


@dataclass
class PatchSet:
    """Training and test patches held in memory as float32 (N, 12, H, W) arrays."""
    train: Split
    test: Split | None
    source: str
    skipped: list[str]
    band_names: tuple[str, ...] = RAW_BANDS

    def __len__(self) -> int:
        return len(self.train.ids)

    @property
    def train_labels(self) -> np.ndarray:
        """The training split's labels (both readers refuse a training split without them)."""
        if self.train.labels is None:
            raise LandslideError(f"{self.source}: the training split has no labels")
        return self.train.labels

    @property
    def has_test_labels(self) -> bool:
        return self.test is not None and self.test.labels is not None

    def describe(self) -> str:
        pos = int(self.train_labels.sum())
        test = f", {len(self.test.ids)} test" if self.test is not None else ""
        return (f"{self.source}: {len(self)} training patches ({pos} landslides, {pos / max(len(self), 1):.2%})"
                f"{test}")


def load_patches(source: str | Path, skip_bad: bool = False) -> PatchSet:
    """Read a Zindi-layout folder or a packed ``.h5`` store."""
    source = Path(source)
    if source.suffix in STORE_SUFFIXES:
        from landslide.data.packed import read_store
        train, test = read_store(source)
        return PatchSet(train, test, str(source), [])
    train, test, report = read_folder(source, skip_bad=skip_bad)
    return PatchSet(train, test, str(source), report.skipped)

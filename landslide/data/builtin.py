"""The built-in synthetic data set: generated once per (n, test_n, seed) into a cache folder in the
Zindi layout, read back by the real reader, packed into an HDF5 store, and reused from then on."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from landslide.data.dataset import PatchSet, load_patches


def cache_dir() -> Path:
    return Path(os.environ.get("LANDSLIDE_CACHE", Path.home() / ".cache" / "landslide-bench"))


def builtin_store(n: int, test_n: int, seed: int, progress: bool = True) -> Path:
    from landslide.data.fingerprint import SYNTHETIC_VERSION
    from landslide.data.packed import write_store
    from landslide.data.synthetic import write_synthetic
    root = cache_dir() / f"synth-v{SYNTHETIC_VERSION}-n{n}-t{test_n}-s{seed}"
    store = root / "store.h5"
    if not store.exists():
        folder = root / f"zindi-{os.getpid()}"  # per process: two workers may build the same set at once
        write_synthetic(folder, n, seed=seed, test_n=test_n, progress=progress)
        ps = load_patches(folder)
        shutil.copy(folder / "truth.json", root / "truth.json")
        write_store(store, ps.train, ps.test, source=f"built-in synthetic (n={n}, test_n={test_n}, seed={seed})")
        shutil.rmtree(folder, ignore_errors=True)
    return store


def load_source(data: str, synth_n: int, synth_test_n: int, synth_seed: int,
                progress: bool = True) -> PatchSet:
    """``data`` (a Zindi folder or .h5 store), or the built-in synthetic set when it is empty."""
    if data:
        return load_patches(data)
    ps = load_patches(builtin_store(synth_n, synth_test_n, synth_seed, progress))
    ps.source = f"synthetic(n={synth_n}, test_n={synth_test_n}, seed={synth_seed})"
    return ps

"""The built-in synthetic data set: generated once per (n, test_n, seed) into a cache folder in the
Zindi layout, read back by the real reader, packed into an HDF5 store, and reused from then on."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from landslide.data.dataset import PatchSet, load_patches
from landslide.errors import LandslideError


def cache_dir() -> Path:
    """``LANDSLIDE_CACHE``, or ~/.cache/landslide-bench when it is unset or empty (an empty value would
    otherwise put the cache in whatever folder the command runs from)."""
    return Path(os.environ.get("LANDSLIDE_CACHE") or Path.home() / ".cache" / "landslide-bench")


def _cache_error(root: Path, exc: OSError) -> LandslideError:
    """A cache that cannot be written is named as the cache, not as the command's --out."""
    value = os.environ.get("LANDSLIDE_CACHE")
    where = f"LANDSLIDE_CACHE={value}" if value else f"the default cache {cache_dir()}"
    return LandslideError(f"{where}: cannot write the built-in synthetic set to {root} ({exc.strerror or exc}"
                          f"{f': {exc.filename}' if exc.filename else ''}); set LANDSLIDE_CACHE to a writable "
                          f"folder with free space")


def builtin_store(n: int, test_n: int, seed: int, progress: bool = True) -> Path:
    from landslide.data.fingerprint import SYNTHETIC_VERSION
    root = cache_dir() / f"synth-v{SYNTHETIC_VERSION}-n{n}-t{test_n}-s{seed}"
    store = root / "store.h5"
    if not store.exists():
        try:
            _build(root, store, n, test_n, seed, progress)
        except OSError as exc:
            raise _cache_error(root, exc) from None
    return store


def _build(root: Path, store: Path, n: int, test_n: int, seed: int, progress: bool) -> None:
    from landslide.data.packed import write_store
    from landslide.data.synthetic import write_synthetic
    folder = root / f"zindi-{os.getpid()}"  # per process: two workers may build the same set at once
    write_synthetic(folder, n, seed=seed, test_n=test_n, progress=progress)
    ps = load_patches(folder)
    shutil.copy(folder / "truth.json", root / "truth.json")
    write_store(store, ps.train, ps.test, source=f"built-in synthetic (n={n}, test_n={test_n}, seed={seed})")
    shutil.rmtree(folder, ignore_errors=True)


def load_source(data: str, synth_n: int, synth_test_n: int, synth_seed: int,
                progress: bool = True) -> PatchSet:
    """``data`` (a Zindi folder or .h5 store), or the built-in synthetic set when it is empty."""
    if data:
        return load_patches(data)
    ps = load_patches(builtin_store(synth_n, synth_test_n, synth_seed, progress))
    ps.source = f"synthetic(n={synth_n}, test_n={synth_test_n}, seed={synth_seed})"
    return ps

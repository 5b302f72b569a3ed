import os
import shutil
import signal
from pathlib import Path

import pytest

# A suite started in the background (nohup, `&`) inherits SIGINT ignored, and so does every command it starts:
# the Ctrl-C tests would then send a signal nobody hears. A handled SIGINT is reset to the default in a child.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REAL_PATCH = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real" / "ID_005GY8.npy"


@pytest.fixture
def real_patch() -> Path:
    """The one real Zindi patch, from the project's shared/ folder beside the checkout."""
    if not REAL_PATCH.exists():
        pytest.skip(f"real patch not found at {REAL_PATCH} (shared/ is not beside this checkout)")
    return REAL_PATCH


@pytest.fixture(scope="session", autouse=True)
def _cache(tmp_path_factory):
    """Keep the built-in synthetic sets of the tests out of the user's cache."""
    os.environ.setdefault("LANDSLIDE_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def synth300(tmp_path_factory):
    from landslide.data.synthetic import write_synthetic
    return write_synthetic(tmp_path_factory.mktemp("synth") / "d", n=300, seed=0, test_n=60)


@pytest.fixture
def folder(tmp_path, synth300):
    """A copy of the 300-patch synthetic folder that a test may damage."""
    d = tmp_path / "data"
    shutil.copytree(synth300, d)
    return d


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root`` (links not followed) -> its bytes, a link's target, or "dir"."""
    out: dict[str, bytes | str] = {}
    for p in sorted(root.rglob("*")):
        key = str(p.relative_to(root))
        out[key] = f"-> {p.readlink()}" if p.is_symlink() else p.read_bytes() if p.is_file() else "dir"
    return out


@pytest.fixture
def snapshot():
    """``snapshot(folder)``: what a folder holds, to show a refused command changed nothing in it."""
    return _snapshot

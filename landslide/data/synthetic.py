"""Synthetic Zindi-layout data with known structure, so tests can check the science, not just the plumbing.

What a patch holds (64 x 64 x 12, float64, channels last, band order of ``RAW_BANDS``):
- optical bands (reflectance x 1e4, whole numbers): a log-normal scene level shared by R, G, B, NIR
  tied to vegetation, plus a smooth within-patch field (two spatial scales), one field for R, G and B
  (strongly correlated, as in the real patch), mostly its own for NIR;
- SAR post-event bands (dB): smooth fields with VH strongly coupled to VV;
- SAR post-minus-pre bands (dB): near-white speckle around a scene offset.
Landslides (label 1) carry an elongated scar: NIR drops and R/G/B brighten (bare soil), post-event VV/VH
rise, and the post-minus-pre bands of one or both orbits shift. Clouds hide the optical bands in a share
of patches, so there only SAR carries the signal.

Hard negatives. Bare fields (the scar's optical signature without SAR change), water bodies (dark in NIR
and SAR) and false SAR change (a diff-band blob with no optical change) differ from a landslide in their
per-band histograms. Two more (generator v3, docs/regime.md) do not: they carry a landslide's whole
change, drawn from the same distributions, and differ only in space:
- ``displaced``: the optical scar and the SAR change at two different places (co-location);
- ``patchwork``: both together, but the scar's mask cut into 4 px fields scattered over the patch, its
  very values kept (one body against many small fields: harvest or ploughing).
So a model of per-band statistics cannot tell them from landslides, and a CNN can (tests/data/
test_synthetic_truths.py plants and checks both truths).

Difficulty knobs (``SynthConfig``): ``scar_sar_db`` (diff shift in dB against ``speckle_db``),
``faint_share`` (landslides at a fraction of full visibility), ``cloud_share``, the hard-negative
shares. The defaults are frozen (``SYNTHETIC_VERSION`` 3): at them LightGBM on per-band statistics scores
CV F1 about 0.78 and the quick CNN's fold ensemble about 0.04 more on the test split (docs/regime.md).
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from landslide.atomic import atomic_path, write_text_atomic
from landslide.data.bands import RAW_BANDS
from landslide.errors import LandslideError
from landslide.train.seeds import SEED_MAX

# Per-band mean and spread of the real data (zindi.json, source a).
ZINDI_MEAN = np.array([1849, 1954, 1896, 3291, -9.62, -17.11, -0.70, -0.48, -10.67, -18.44, 0.25, -0.23])
ZINDI_STD = np.array([1414, 1338, 1343, 1448, 7.90, 9.25, 4.06, 4.28, 6.33, 8.69, 2.78, 3.93])
SIZE = 64
_ID_CHARS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))


@dataclass(frozen=True)
class SynthConfig:
    landslide_share: float = 0.1756
    cloud_share: float = 0.25          # patches whose optical bands are (mostly) under cloud
    cloud_brightness: float = 4500.0   # reflectance x 1e4 of a cloud
    scar_sar_db: float = 12.0          # shift of the post-minus-pre bands inside a scar, full visibility
    speckle_db: float = 2.6            # within-patch spread of the post-minus-pre bands
    faint_share: float = 0.12          # landslides seen at 15-45 % visibility (hard positives)
    one_orbit_share: float = 0.2       # landslides seen by one orbit only (layover / shadow on the other)
    # Hard negatives, as shares of the negatives. The last two carry a landslide's change in every band,
    # drawn from the same distributions, so their per-band histograms match a landslide's: only where the
    # optical and SAR change sit (co-location) and whether they form one body (coherence) tell them apart.
    bare_field_share: float = 0.1      # the scar's optical signature without SAR change
    water_share: float = 0.08
    false_change_share: float = 0.04   # a SAR change blob (one orbit) with no optical change
    displaced_share: float = 0.01      # optical scar and SAR change of a landslide, at two different places
    patchwork_share: float = 0.03      # a landslide's change cut into small fields scattered over the patch


def _smooth(rng: np.random.Generator, n: int, sigma: float) -> np.ndarray:
    """n smooth random fields (n, 64, 64) with unit spread: white noise low-passed by a Gaussian (FFT)."""
    noise = rng.standard_normal((n, SIZE, SIZE))
    f = np.fft.fftfreq(SIZE)
    kernel = np.exp(-2 * (np.pi * sigma) ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    out = np.fft.ifft2(np.fft.fft2(noise) * kernel).real
    out -= out.mean(axis=(1, 2), keepdims=True)
    return out / out.std(axis=(1, 2), keepdims=True)


def _texture(rng, n):
    """Two spatial scales, as in the real patch (lag-1 autocorrelation ~0.9, lag-4 ~0.5)."""
    return 0.6 * _smooth(rng, n, 1.0) + 0.8 * _smooth(rng, n, 5.0)


def _lognormal_params(mean, std):
    s2 = np.log1p((std / mean) ** 2)
    return np.log(mean) - s2 / 2, np.sqrt(s2)


# Half-axes (px) of a scar's ellipse: long and narrow, aspect 1.8-5 (a slide runs down its slope).
SCAR_LONG = (10.0, 22.0)
SCAR_SHORT = (4.0, 8.0)
FIELD_PX = 4  # a patchwork's field: the side of the tiles a scar's mask is cut into


@dataclass(frozen=True)
class Ellipse:
    """A soft elliptical mask: 1 inside, falling to 0 at 1.5 half-axes. Equal ``a * b`` = equal histograms."""
    cy: float
    cx: float
    a: float
    b: float
    angle: float

    def mask(self) -> np.ndarray:
        yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(float)
        u = (xx - self.cx) * np.cos(self.angle) + (yy - self.cy) * np.sin(self.angle)
        v = -(xx - self.cx) * np.sin(self.angle) + (yy - self.cy) * np.cos(self.angle)
        r = np.sqrt((u / self.a) ** 2 + (v / self.b) ** 2)
        return np.clip(1.5 - r, 0, 1) ** 1.5

    @property
    def aspect(self) -> float:
        return max(self.a, self.b) / min(self.a, self.b)


def _ellipse(rng: np.random.Generator, long_px=(8, 22), short_px=(4, 9)) -> Ellipse:
    cy, cx = rng.uniform(14, SIZE - 14, size=2)
    return Ellipse(float(cy), float(cx), float(rng.uniform(*long_px)), float(rng.uniform(*short_px)),
                   float(rng.uniform(0, np.pi)))


def _scar(rng: np.random.Generator) -> Ellipse:
    return _ellipse(rng, SCAR_LONG, SCAR_SHORT)


def _patchwork(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """``mask`` cut into FIELD_PX tiles and the tiles shuffled over the patch: the very same mask values
    (so the same per-band histograms, and the optical and SAR change still together) as small fields
    scattered across the scene (harvest or ploughing), not one body running down a slope."""
    n = SIZE // FIELD_PX
    tiles = mask.reshape(n, FIELD_PX, n, FIELD_PX).swapaxes(1, 2).reshape(n * n, FIELD_PX, FIELD_PX)
    return tiles[rng.permutation(n * n)].reshape(n, n, FIELD_PX, FIELD_PX).swapaxes(1, 2).reshape(SIZE, SIZE)


def _elsewhere(rng: np.random.Generator, scar: Ellipse, tries: int = 64) -> Ellipse:
    """A scar of the same size and place distribution that overlaps ``scar`` as little as can be found."""
    m = scar.mask()
    best, best_overlap = scar, np.inf
    for _ in range(tries):
        cy, cx = rng.uniform(14, SIZE - 14, size=2)
        other = dataclasses.replace(scar, cy=float(cy), cx=float(cx), angle=float(rng.uniform(0, np.pi)))
        overlap = float((m * other.mask()).sum())
        if overlap < best_overlap:
            best, best_overlap = other, overlap
        if overlap < 0.01 * m.sum():
            break
    return best


def _landslide_change(rng: np.random.Generator, x: np.ndarray, cfg: SynthConfig, optical: np.ndarray,
                      sar: np.ndarray) -> float:
    """A landslide's change, its optical part on the mask ``optical`` and its SAR part on ``sar``; returns
    the visibility. A landslide has one scar's mask for both; a decoy moves or cuts them up."""
    vis = rng.uniform(0.15, 0.45) if rng.random() < cfg.faint_share else rng.uniform(0.6, 1.0)
    orbits = [(6, 7), (10, 11)]
    if rng.random() < cfg.one_orbit_share:
        orbits = [orbits[rng.integers(2)]]
    _scar_optical(x, optical, vis)
    m = sar
    x[..., 4] += 2.0 * vis * m
    x[..., 8] += 2.0 * vis * m
    for dvv, dvh in orbits:
        sign = rng.choice([-1.0, 1.0])
        x[..., dvv] += sign * cfg.scar_sar_db * vis * m
        x[..., dvh] += sign * 0.8 * cfg.scar_sar_db * vis * m
    return float(vis)


NEGATIVE_KINDS = ("bare_field", "water", "false_change", "displaced", "patchwork")


def _negative_kind(rng: np.random.Generator, cfg: SynthConfig) -> str:
    r, edge = rng.random(), 0.0
    for kind in NEGATIVE_KINDS:
        edge += getattr(cfg, f"{kind}_share")
        if r < edge:
            return kind
    return "plain"


def make_patch(rng: np.random.Generator, label: int, cfg: SynthConfig, kind: str | None = None
               ) -> tuple[np.ndarray, dict]:
    """One patch (64, 64, 12) float64 and a record of what was put in it. ``kind`` forces a negative's
    kind (tests plant one); by default it is drawn from the configuration's shares."""
    x = _scene(rng, cfg)
    kind = "landslide" if label else (kind or _negative_kind(rng, cfg))
    info: dict = {"label": label, "cloud": False, "kind": kind}
    if kind == "landslide":
        m = _scar(rng).mask()
        info["visibility"] = round(_landslide_change(rng, x, cfg, m, m), 3)
    elif kind == "displaced":
        scar = _scar(rng)
        info["visibility"] = round(_landslide_change(rng, x, cfg, scar.mask(), _elsewhere(rng, scar).mask()), 3)
    elif kind == "patchwork":
        m = _patchwork(rng, _scar(rng).mask())
        info["visibility"] = round(_landslide_change(rng, x, cfg, m, m), 3)
    elif kind == "bare_field":
        _scar_optical(x, _ellipse(rng, (8, 20), (4, 9)).mask(), rng.uniform(0.6, 1.0))
    elif kind == "water":
        m = _ellipse(rng, (8, 22), (5, 12)).mask()
        x[..., :4] *= (1 - 0.75 * m[..., None] * np.array([0.5, 0.4, 0.3, 0.85]))
        for b in (4, 8):
            x[..., b] = x[..., b] * (1 - m) + (-22.0 + rng.standard_normal((SIZE, SIZE))) * m
        for b in (5, 9):
            x[..., b] = x[..., b] * (1 - m) + (-28.0 + rng.standard_normal((SIZE, SIZE))) * m
    elif kind == "false_change":
        dvv, dvh = [(6, 7), (10, 11)][rng.integers(2)]
        m = _ellipse(rng).mask()
        sign = rng.choice([-1.0, 1.0])
        x[..., dvv] += sign * cfg.scar_sar_db * rng.uniform(0.6, 1.0) * m
        x[..., dvh] += sign * 0.8 * cfg.scar_sar_db * rng.uniform(0.6, 1.0) * m

    if rng.random() < cfg.cloud_share:
        info["cloud"] = True
        cover = np.clip(1.8 * (_smooth(rng, 1, 8.0)[0] + 1.3), 0, 1)  # mostly overcast, some gaps
        cloud = cfg.cloud_brightness * (1 + 0.08 * _smooth(rng, 1, 3.0)[0])
        x[..., :4] = x[..., :4] * (1 - cover[..., None]) + cloud[..., None] * cover[..., None]
    x[..., :4] = np.rint(np.clip(x[..., :4], 0, 20000))
    return x, info


def _scene(rng: np.random.Generator, cfg: SynthConfig) -> np.ndarray:
    """The background every patch starts from: optical levels and textures, SAR post-event fields, speckle."""
    x = np.zeros((SIZE, SIZE, 12))
    # Optical: clear-sky levels are lowered so that, clouds included, band means match the real data.
    cloud_cover = 0.8
    c = cfg.cloud_share * cloud_cover
    opt_mean = (ZINDI_MEAN[:4] - c * cfg.cloud_brightness) / (1 - c)
    mu, sd = _lognormal_params(opt_mean, ZINDI_STD[:4] * 0.55)
    z_bright = rng.standard_normal()
    z = 0.85 * z_bright + 0.53 * rng.standard_normal(4)
    level = np.exp(mu + sd * z)
    # R, G and B share one texture (pixel correlation 0.9-0.98 in the real patch); NIR has mostly its own.
    own = _texture(rng, 4)
    visible = _texture(rng, 1)[0]
    for b in range(4):
        w_shared, w_own = (0.3, 0.95) if b == 3 else (0.97, 0.22)
        x[..., b] = level[b] * (1 + 0.17 * (w_shared * visible + w_own * own[b]))
    # SAR post-event: scene level + smooth field, VH coupled to VV (r ~ 0.85).
    for vv, vh in ((4, 5), (8, 9)):
        f_vv, f_vh = _texture(rng, 2)
        x[..., vv] = ZINDI_MEAN[vv] + 0.75 * ZINDI_STD[vv] * rng.standard_normal() + 0.55 * ZINDI_STD[vv] * f_vv
        lvl_vh = ZINDI_MEAN[vh] + 0.75 * ZINDI_STD[vh] * rng.standard_normal()
        x[..., vh] = lvl_vh + 0.55 * ZINDI_STD[vh] * (0.85 * f_vv + 0.53 * f_vh)
    # SAR post-minus-pre: near-white speckle (slight blur: lag-1 ~0.45) around a scene offset.
    speckle = 0.7 * rng.standard_normal((4, SIZE, SIZE)) + 0.7 * _smooth(rng, 4, 0.8)
    for k, b in enumerate((6, 7, 10, 11)):
        offset = ZINDI_MEAN[b] + np.sqrt(max(ZINDI_STD[b] ** 2 - cfg.speckle_db ** 2, 0.1)) * rng.standard_normal()
        x[..., b] = offset + cfg.speckle_db * speckle[k]
    return x


def _scar_optical(x: np.ndarray, m: np.ndarray, strength: float) -> None:
    """Vegetation stripped to bare soil: NIR drops, visible bands brighten."""
    x[..., 3] *= 1 - 0.45 * strength * m
    for b, gain in ((0, 700.0), (1, 450.0), (2, 300.0)):
        x[..., b] += gain * strength * m


def _unique_ids(rng: np.random.Generator, n: int) -> list[str]:
    ids: list[str] = []
    seen = set()
    while len(ids) < n:
        pid = "ID_" + "".join(rng.choice(_ID_CHARS, 6))
        if pid not in seen:
            seen.add(pid)
            ids.append(pid)
    return ids


def _write_csv(path: Path, header: list[str], rows) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _check_sizes(n: int, test_n: int, seed: int) -> None:
    """Refused before any file is written: an empty training set trains nothing, and a seed outside
    0 .. SEED_MAX is one the training's random states would refuse later."""
    problems = [f"--n {n}: give 1 or more training patches" if n < 1 else "",
                f"--test-n {test_n}: give 0 or more test patches" if test_n < 0 else "",
                f"--seed {seed}: give a seed from 0 to {SEED_MAX}" if not 0 <= seed <= SEED_MAX else ""]
    if any(problems):
        raise LandslideError("; ".join(p for p in problems if p))


def write_synthetic(out: str | Path, n: int, seed: int = 0, test_n: int | None = None,
                    cfg: SynthConfig = SynthConfig(), progress: bool = False) -> Path:
    """Write a Zindi-layout folder: Train.csv, Test.csv, TestLabels.csv, train_data/, test_data/, truth.json.

    Byte-identical for the same (n, seed, test_n, cfg). The CSVs and truth.json are written last, so an
    interrupted run leaves no CSV naming a file that was never written.
    """
    out = Path(out)
    test_n = max(n // 4, 1) if test_n is None else test_n
    _check_sizes(n, test_n, seed)
    rng = np.random.default_rng(seed)
    ids = _unique_ids(rng, n + test_n)
    labels = (rng.random(n + test_n) < cfg.landslide_share).astype(int)
    # Hit the class share exactly on the training split: the real set's 17.56 % is a fact, not a draw.
    n_pos = int(round(cfg.landslide_share * n))
    labels[:n] = 0
    labels[rng.choice(n, n_pos, replace=False)] = 1
    kinds: dict[str, int] = {}
    from tqdm.auto import tqdm
    for split, lo, hi in (("train", 0, n), ("test", n, n + test_n)):
        folder = out / f"{split}_data"
        folder.mkdir(parents=True, exist_ok=True)
        for i in tqdm(range(lo, hi), desc=f"synth {split}", disable=not progress, leave=False):
            patch, info = make_patch(rng, int(labels[i]), cfg)
            kinds[info["kind"]] = kinds.get(info["kind"], 0) + 1
            np.save(folder / f"{ids[i]}.npy", patch)
    _write_csv(out / "Train.csv", ["ID", "label"], zip(ids[:n], labels[:n], strict=True))
    _write_csv(out / "Test.csv", ["ID"], ((i,) for i in ids[n:]))
    _write_csv(out / "TestLabels.csv", ["ID", "label"], zip(ids[n:], labels[n:], strict=True))
    truth = {
        "what": "synthetic Zindi-layout set made by landslide.data.synthetic",
        "seed": seed, "n_train": n, "n_test": test_n, "config": asdict(cfg), "kinds": kinds,
        "band_names": list(RAW_BANDS),
        # Relative strength of the class signal each band carries (1 = strongest), by construction.
        "signal_bands": {"desc_diff_vv": 1.0, "asc_diff_vv": 1.0, "desc_diff_vh": 0.8, "asc_diff_vh": 0.8,
                         "nir": 0.6, "red": 0.4, "desc_vv": 0.3, "asc_vv": 0.3, "green": 0.3, "blue": 0.2},
        "no_signal_bands": ["desc_vh", "asc_vh"],
    }
    write_text_atomic(out / "truth.json", json.dumps(truth, indent=2))
    return out


# what ``write_synthetic`` writes into its folder, all of it replaced by ``replace_synthetic``
LAYOUT = ("Train.csv", "Test.csv", "TestLabels.csv", "truth.json", "train_data", "test_data")


def replace_synthetic(out: str | Path, n: int, seed: int = 0, test_n: int | None = None,
                      progress: bool = False) -> Path:
    """``write_synthetic`` into a temporary folder beside ``out``, then its entries in place of any
    ``out`` holds: no old patch is left among the new ones, and a run interrupted while it generates (all but a
    few renames at the end) changes nothing."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        write_synthetic(tmp, n=n, seed=seed, test_n=test_n, progress=progress)
        out.mkdir(exist_ok=True)
        for name in LAYOUT:
            old = out / name
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink(missing_ok=True)
            os.replace(tmp / name, old)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


"""Every random stream of a run, derived from the configuration's one seed in one place.

Each stream has its own formula so that streams never coincide (the folds' split and SMOTE's draws, a
fold's initial weights and its first epoch). The formulas are those the first results were made with:
changing one changes every stored number, so a new stream gets a new function rather than an edit.
"""
from __future__ import annotations

# the largest seed: scikit-learn's and numpy's legacy random states take 0 .. 2**32 - 1
SEED_MAX = 2**32 - 1
_WEIGHTS = 1_000_003  # a prime far above any fold count: (seed, fold) pairs never collide


def split_seed(seed: int) -> int:
    """The stratified k-fold split and the training subsample."""
    return seed


def smote_seed(seed: int, fold: int | None) -> int:
    """SMOTE's draws on one training fold (``fold=None``: the paper protocol's SMOTE before the split)."""
    return seed if fold is None else seed * 100 + fold


def init_seed(seed: int, fold: int) -> int:
    """A fold's initial weights."""
    return seed * _WEIGHTS + fold


def epoch_seed(seed: int, fold: int, epoch: int) -> int:
    """A fold's epoch: its shuffle, augmentation draws and dropout."""
    return (seed * _WEIGHTS + fold * 1009 + epoch) % 2**63

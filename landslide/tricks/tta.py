"""Test-time augmentation over the dihedral group: the 4 rotations (n=4) or the 4 rotations and their
mirror images (n=8) of each patch, scored by the model and averaged. A landslide seen from above has no
preferred orientation, so a trained network's errors that depend on it average out."""
from __future__ import annotations

import numpy as np
import torch

from landslide.models.backbones import embed_and_logits
from landslide.train.device import autocast


def dihedral(x: torch.Tensor, k: int) -> torch.Tensor:
    """The k-th of the 8 dihedral transforms of (N, C, H, W): k % 4 quarter turns, mirrored when k >= 4."""
    x = torch.rot90(x, k % 4, dims=(2, 3))
    return torch.flip(x, dims=(3,)) if k >= 4 else x


@torch.no_grad()
def predict_tta(model, prep, x: torch.Tensor, n: int = 8, batch: int = 128, head=None) -> np.ndarray:
    """Landslide probabilities of raw images (N, C, H, W) averaged over ``n`` dihedral transforms (1 = none).
    ``head``, if given, maps pooled embeddings (numpy) to probabilities instead of the network's classifier."""
    if n not in (1, 4, 8):
        raise ValueError(f"TTA takes 1, 4 or 8 transforms, got {n}")
    model.eval()
    out = []
    for s in range(0, x.shape[0], batch):
        xb = prep(x[s:s + batch])
        total: np.ndarray | float = 0.0
        for k in range(n):
            with autocast(prep.device):
                feats, logits = embed_and_logits(model, dihedral(xb, k))
            total = total + (torch.softmax(logits.float(), 1)[:, 1].cpu().numpy() if head is None
                             else head(feats.float().cpu().numpy()))
        out.append(total / n)
    return np.concatenate(out) if out else np.zeros(0)

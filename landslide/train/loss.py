"""Soft-label Kullback-Leibler loss (the paper's primary loss).

KL(t || p) = sum_c t_c (log t_c - log p_c) = cross-entropy(t, p) - entropy(t). With one-hot targets
it equals cross-entropy; with Mixup/CutMix soft targets its minimum is 0 at p = t.
"""
import torch
import torch.nn.functional as F


def soft_kl_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of KL(targets || softmax(logits)); targets (N, C) rows summing to 1."""
    return F.kl_div(F.log_softmax(logits.float(), dim=1), targets.float(), reduction="batchmean")

"""A fold's images as rows of the data set's tensor, gathered when a batch is read: no copy of the fold.

Copying a fold's training and validation rows out of the data set held a second copy of the whole set
in every worker for the whole fold (issue 40: 0.47 GB at 12 channels, 0.79 GB at 20). A batch gathered
through ``Rows`` holds the same values in the same layout as one gathered from the copy, so training's
numbers do not change.
"""
from __future__ import annotations

import numpy as np
import torch


class Rows:
    def __init__(self, base: torch.Tensor, index: np.ndarray | torch.Tensor):
        self.base = base
        self.index = torch.as_tensor(index, dtype=torch.int64, device=base.device)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.index), *self.base.shape[1:])

    @property
    def device(self) -> torch.device:
        return self.base.device

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key) -> torch.Tensor:
        """``rows[i]``, ``rows[a:b]``, ``rows[idx]`` (a tensor of positions) or ``rows[:, c]`` (one channel)."""
        if isinstance(key, tuple):
            first, *rest = key
            return self.base[(self.index[first], *rest)]
        return self.base[self.index[key]]

    def to(self, device: torch.device) -> torch.Tensor:
        """The rows as one tensor on ``device`` (a GPU holds a fold whole: no gather from the host per batch)."""
        return self.base[self.index].to(device)

"""A fold's images as rows of the data set's tensor, gathered when a batch is read: no copy of the fold.

Copying a fold's training and validation rows out of the data set held a second copy of the whole set
in every worker for the whole fold (issue 40: 0.47 GB at 12 channels, 0.79 GB at 20). A batch gathered
through ``Rows`` holds the same values in the same layout as one gathered from the copy, so training's
numbers do not change.

With a channel set beyond the 12 raw bands (Table 2's 20 channels), ``Rows`` holds the raw bands only and
computes the derived channels of the rows a read asks for. The expanded set was held whole beside the raw
bands: 0.79 GB of training images and 0.66 GB of test images at 20 channels, which made the ch20 cell the
largest of the grid (3.41 GiB, issue 40). Every derived channel of the sets is per pixel and made of
correctly rounded operations (+ - * / sqrt), so a channel computed for a batch holds the same bits as the
same channel computed for the whole set (``tests/train/test_rows.py`` checks it for the 20 and 28 sets).
"""
from __future__ import annotations

import numpy as np
import torch

from landslide.data.bands import DERIVED, RAW_BANDS, channel_names, expand_channels


def fold_source(raw: torch.Tensor, channels: str) -> tuple[torch.Tensor, str | None]:
    """What a data set's ``Rows`` read from for a channel set: the raw bands and the set's name where every
    derived channel is pointwise (computed per read), else the set expanded once (the edge channels)."""
    if all(DERIVED[n].pointwise for n in channel_names(channels) if n not in RAW_BANDS):
        return raw, channels
    return expand_channels(raw, channels), None


# rows per piece when one derived channel is computed for a whole fold (the scaler's fit): bounds the
# raw bands gathered at once to 512 x 12 x H x W
CHUNK = 512


class Rows:
    """Rows ``index`` of ``base`` (N, C, H, W), then the rows of ``extra`` (SMOTE's images of a fold, in the
    set's channels). With ``channels`` (a channel set's name), ``base`` holds the 12 raw bands and each
    read gives that set's channels of its rows."""

    def __init__(self, base: torch.Tensor, index: np.ndarray | torch.Tensor, channels: str | None = None,
                 extra: torch.Tensor | None = None):
        self.base, self.extra = base, extra
        self.index = torch.as_tensor(index, dtype=torch.int64, device=base.device)
        self.names = None if channels is None or channel_names(channels) == RAW_BANDS else channel_names(channels)
        self.channels = channels or "12"

    @property
    def shape(self) -> tuple[int, ...]:
        width = self.base.shape[1] if self.names is None else len(self.names)
        return (len(self), width, *self.base.shape[2:])

    @property
    def device(self) -> torch.device:
        return self.base.device

    def __len__(self) -> int:
        return len(self.index) + (0 if self.extra is None else len(self.extra))

    def of_base(self) -> Rows:
        """The rows of ``base`` alone (a fold's real images, without SMOTE's)."""
        return self if self.extra is None else Rows(self.base, self.index, self.channels)

    def __getitem__(self, key) -> torch.Tensor:
        """``rows[i]``, ``rows[a:b]``, ``rows[idx]`` (a tensor of positions) or ``rows[:, c]`` (one channel)."""
        if not isinstance(key, tuple):
            key = (key,)
        first, *rest = key
        if self.extra is None and self.names is None:  # the scaler's fit reads one channel at a time
            return self.base[(self.index[first], *rest)]
        positions = torch.arange(len(self), device=self.index.device)[first]
        one = positions.dim() == 0  # rows[i]: one image
        positions = positions.reshape(-1)
        if self.extra is None and rest and isinstance(rest[0], (int, np.integer)):  # a derived one, alone
            images = self._channel(self.index[positions], int(rest[0]))[(slice(None), *rest[1:])]
        else:
            images = self._gather(positions)[(slice(None), *rest)]
        return images[0] if one else images

    def _gather(self, positions: torch.Tensor) -> torch.Tensor:
        own = positions < len(self.index)
        if self.extra is None or bool(own.all()):
            return self._own(self.index[positions])
        out = self.extra.new_empty((len(positions), *self.extra.shape[1:]))
        out[own] = self._own(self.index[positions[own]])
        out[~own] = self.extra[positions[~own] - len(self.index)]
        return out

    def _own(self, rows: torch.Tensor) -> torch.Tensor:
        return self.base[rows] if self.names is None else expand_channels(self.base[rows], self.channels)

    def _channel(self, index: torch.Tensor, channel: int) -> torch.Tensor:
        assert self.names is not None  # only a set with derived channels reads them per channel
        name = self.names[channel]
        if name in RAW_BANDS:
            return self.base[index, RAW_BANDS.index(name)]
        fn = DERIVED[name].fn
        out = torch.empty((len(index), *self.base.shape[2:]), dtype=self.base.dtype, device=self.base.device)
        for s in range(0, len(index), CHUNK):
            out[s:s + CHUNK] = fn(self.base[index[s:s + CHUNK]])
        return out

    def to(self, device: torch.device) -> torch.Tensor:
        """The rows as one tensor on ``device`` (a GPU holds a fold whole: no gather from the host per batch)."""
        return self[:].to(device)

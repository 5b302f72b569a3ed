"""Data layer: Zindi reader and validation, synthetic generator, packed HDF5 store, bands, scalers."""
from landslide.data.bands import CHANNEL_SETS, RAW_BANDS, channel_names, expand_channels
from landslide.data.dataset import PatchSet, load_patches

__all__ = ["RAW_BANDS", "CHANNEL_SETS", "channel_names", "expand_channels", "PatchSet", "load_patches"]

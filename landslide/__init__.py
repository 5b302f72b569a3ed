"""landslide: landslide classification from multi-band satellite patches.

The library knows nothing of tables, grids or the ``bench`` command line; it reads data,
trains models, and explains them.
"""
__version__ = "0.1.0"

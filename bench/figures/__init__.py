"""The figures: UMAP and band occlusion (``explain``), SMOTE and its marker (``smote``,
``smote_marker``), backbones, learning curves; ``bench.output`` names and writes them."""

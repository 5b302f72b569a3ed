"""The figures: UMAP and band occlusion (``explain``), SMOTE and its marker (``smote``,
``smote_marker``), backbones, learning curves; ``save`` writes every figure the same way."""

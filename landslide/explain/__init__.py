"""Explainability: per-fold models reloaded from a run, UMAP of embeddings, band occlusion."""

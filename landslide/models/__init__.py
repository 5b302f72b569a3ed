"""Backbones (timm factory, offline weights, N-channel stems) and heads on embeddings."""

"""What the challenge's best solutions added to a trained network: test-time augmentation, a decision
threshold from out-of-fold scores, ensembles, and a tabular baseline on per-band statistics."""

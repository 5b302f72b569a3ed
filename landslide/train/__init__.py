"""Training: soft-label KL loss, one-fold engine, k-fold cross-validation and runs."""

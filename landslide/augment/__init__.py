"""Offline (SMOTE with SSIM neighbours) and online (CutMix, Mixup, colour, geometric) augmentation."""

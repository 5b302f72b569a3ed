"""A U-Net-variant classifier: the contracting path of a U-Net (double 3x3 conv blocks, max-pool
between levels) with a pooled linear head, exposing timm's API so the engine treats it like any
timm model. The paper's reference [7] uses U-Nets for landslide segmentation; for classification
only the encoder matters, since the decoder exists to restore resolution.
"""
from __future__ import annotations

import torch
from torch import nn

UNET_NAMES = {"unet_small": (32, 64, 128, 256), "unet_base": (64, 128, 256, 512, 1024)}


def _double_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNetEncoderClassifier(nn.Module):
    def __init__(self, in_chans: int, widths: tuple[int, ...], num_classes: int = 2, drop_rate: float = 0.0):
        super().__init__()
        levels, cin = [], in_chans
        for i, w in enumerate(widths):
            levels.append(nn.Sequential(nn.MaxPool2d(2) if i else nn.Identity(), _double_conv(cin, w)))
            cin = w
        self.encoder = nn.Sequential(*levels)
        self.num_features = cin
        self.drop = nn.Dropout(drop_rate)
        self.fc = nn.Linear(cin, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward_head(self, x: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        x = self.drop(x.mean(dim=(2, 3)))
        return x if pre_logits else self.fc(x)

    def get_classifier(self) -> nn.Module:
        return self.fc

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


def build_unet_classifier(name: str, in_chans: int, num_classes: int, drop_rate: float) -> UNetEncoderClassifier:
    return UNetEncoderClassifier(in_chans, UNET_NAMES[name], num_classes, drop_rate)

"""Perceptually uniform colour maps for heatmaps, turned into Qt images without a Python loop.

Viridis (default) and cividis are readable in greyscale and by colour-blind viewers, which a
projector in a classroom needs; the anchors below are sampled from matplotlib's tables.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtGui import QColor, QImage

_ANCHORS = {
    "viridis": [
        (0.267, 0.005, 0.329),
        (0.283, 0.141, 0.458),
        (0.254, 0.265, 0.530),
        (0.207, 0.372, 0.553),
        (0.164, 0.471, 0.558),
        (0.128, 0.567, 0.551),
        (0.135, 0.659, 0.518),
        (0.267, 0.749, 0.441),
        (0.478, 0.821, 0.318),
        (0.741, 0.873, 0.150),
        (0.993, 0.906, 0.144),
    ],
    "cividis": [
        (0.000, 0.135, 0.305),
        (0.000, 0.197, 0.433),
        (0.211, 0.255, 0.420),
        (0.318, 0.318, 0.427),
        (0.404, 0.381, 0.447),
        (0.485, 0.445, 0.470),
        (0.575, 0.511, 0.473),
        (0.670, 0.580, 0.457),
        (0.771, 0.654, 0.424),
        (0.876, 0.733, 0.370),
        (0.995, 0.907, 0.217),
    ],
}


@lru_cache(maxsize=8)
def lookup_table(name: str = "viridis", size: int = 256) -> np.ndarray:
    """(size, 3) uint8 RGB colours interpolated between the map's anchors (read-only, cached)."""
    anchors = np.asarray(_ANCHORS[name])  # (anchors, 3) in 0..1
    positions = np.linspace(0.0, 1.0, len(anchors))
    grid = np.linspace(0.0, 1.0, size)
    table = np.stack([np.interp(grid, positions, anchors[:, c]) for c in range(3)], axis=1)
    table = np.round(table * 255).astype(np.uint8)  # (size, 3)
    table.flags.writeable = False
    return table


def colour_at(value: float, name: str = "viridis") -> QColor:
    """The map's colour for a value in [0, 1] (clipped)."""
    table = lookup_table(name, 256)
    red, green, blue = table[int(round(float(np.clip(value, 0.0, 1.0)) * 255))]
    return QColor(int(red), int(green), int(blue))


def text_colour_on(value: float) -> QColor:
    """Black on the light end of the map, white on the dark end, so cell labels stay legible."""
    return QColor("#000000") if value > 0.55 else QColor("#FFFFFF")


def array_to_image(
    values: np.ndarray,
    name: str = "viridis",
    vmax: float = 1.0,
    masked: tuple[int, int, int] = (200, 200, 200),
) -> QImage:
    """(rows, cols) values in [0, vmax] -> an RGB QImage with one pixel per value.

    NaN cells (e.g. masked future positions) come out in the neutral grey `masked`.
    """
    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    scaled = np.nan_to_num(values / max(vmax, 1e-12), nan=-1.0)
    index = np.clip(np.round(scaled * 255), 0, 255).astype(np.int64)  # (rows, cols)
    rgb = lookup_table(name, 256)[index]  # (rows, cols, 3)
    rgb[scaled < 0] = masked
    buffer = np.ascontiguousarray(rgb)
    image = QImage(buffer.data, cols, rows, 3 * cols, QImage.Format.Format_RGB888)
    return image.copy()  # detach from the numpy buffer before it is freed


# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB: how a colour looks
# to a viewer without working M cones (deuteranopia) or L cones (protanopia).
_DEFICIENCY = {
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.01182, 0.04294, 0.968881],
        ]
    ),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
}
_SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
_WHITE = np.array([0.9505, 1.0, 1.089])  # D65


def _linear(colour: str) -> np.ndarray:
    """'#RRGGBB' -> (3,) linear-light RGB in 0..1."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    """(3,) linear RGB -> CIE L*a*b* under D65."""
    xyz = (_SRGB_TO_XYZ @ linear) / _WHITE
    curve = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)  # (3,)
    return np.array([116 * curve[1] - 16, 500 * (curve[0] - curve[1]), 200 * (curve[1] - curve[2])])


def colour_difference(first: str, second: str, vision: str = "normal") -> float:
    """CIE76 distance (about 2.3 is just noticeable, above 20 reads as different colours) of two
    '#RRGGBB' colours as seen with normal vision, or simulated deuteranopia / protanopia."""
    one, two = _linear(first), _linear(second)
    if vision != "normal":
        matrix = _DEFICIENCY[vision]
        one, two = np.clip(matrix @ one, 0, 1), np.clip(matrix @ two, 0, 1)
    return float(np.linalg.norm(_lab(one) - _lab(two)))


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast of two '#RRGGBB' colours: 4.5 is the minimum for body text."""
    luminances = sorted(
        (float(np.dot([0.2126, 0.7152, 0.0722], _linear(colour))) for colour in (first, second)),
        reverse=True,
    )
    return (luminances[0] + 0.05) / (luminances[1] + 0.05)

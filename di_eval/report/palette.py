"""Colours of the reports: colour-blind-safe, with the WCAG contrast maths that proves it.

Every mark colour reaches at least 3:1 against the white background (WCAG 2.2, 1.4.11
non-text contrast) and every text colour at least 4.5:1 (1.4.3). The categorical colours are
Okabe–Ito hues, darkened until they pass, chosen so that any two stay apart in lightness
(readable in greyscale) and in colour under simulated protanopia, deuteranopia and tritanopia.
Colour is never the only carrier: charts also use direct labels, marker shapes and hatches.
"""

from __future__ import annotations

import re

import numpy as np

from di_eval.errors import ChoiceError

BACKGROUND = "#FFFFFF"
TEXT = "#1A1A1A"  # 17.4:1 on white
MUTED_TEXT = "#595959"  # 7.0:1 on white: captions, axis labels, outlines of tiles
GRID = "#D9D9D9"  # decorative only (gridlines); nothing is read from it, so 1.4.11 does not apply
WHITE = "#FFFFFF"

# Okabe–Ito blue, vermillion, bluish green and a wine, darkened where needed.
GROUP_COLOURS = {
    "FT": "#006197",
    "GRT": "#BA5200",
    "BSAC": "#009E73",
    "VSAC": "#762D55",
}

STATUS_COLOURS = {
    "ahead": "#004D78",
    "on_track": "#008A65",
    "at_risk": "#BE8300",
    "behind": "#9A4400",
}

# Marker shapes, so that a series or a status is told apart without colour.
GROUP_MARKERS = {"FT": "o", "GRT": "s", "BSAC": "^", "VSAC": "D"}
STATUS_MARKERS = {"ahead": "^", "on_track": "o", "at_risk": "D", "behind": "v"}

# For anything else categorical (services, funds): charts label every mark directly.
SERIES = ["#006197", "#BA5200", "#009E73", "#762D55", "#BE8300"]

# A light-to-dark blue scale for tile maps. Light steps are fills behind text, not marks:
# the tile outline (MUTED_TEXT) carries the shape and the label carries the value.
SEQUENTIAL = ["#DEEBF7", "#9ECAE1", "#4A98C9", "#1F6DAE", "#08306B"]

# Fill styles that carry meaning without colour: solid = actual, outline = planned,
# hatched = contracted, crossed and empty = a value that exists but is suppressed.
HATCHES = {"actual": None, "planned": None, "contracted": "///", "suppressed": "xx"}

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
_CVD_MATRICES = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
VISIONS = (None, *_CVD_MATRICES)

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_D65 = np.array([0.95047, 1.0, 1.08883])


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    """The sRGB components of ``#RRGGBB`` as floats in 0..1; ChoiceError for anything else."""
    match = _HEX.match(str(colour))
    if not match:
        raise ChoiceError("colour", colour, hint="write colours as #RRGGBB")
    digits = match.group(1)
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _linear(rgb) -> np.ndarray:
    channel = np.asarray(rgb, dtype=float)
    return np.where(channel <= 0.04045, channel / 12.92, ((channel + 0.055) / 1.055) ** 2.4)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a colour: 0 for black, 1 for white."""
    red, green, blue = _linear(hex_to_rgb(colour))
    return float(0.2126 * red + 0.7152 * green + 0.0722 * blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio (L1 + 0.05) / (L2 + 0.05), from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(fill: str) -> str:
    """TEXT or white, whichever reads better on ``fill`` (each passes 4.5:1 on the SEQUENTIAL steps)."""
    return TEXT if contrast_ratio(TEXT, fill) >= contrast_ratio(WHITE, fill) else WHITE


def simulate(colour: str, vision: str | None) -> np.ndarray:
    """Linear RGB of ``colour`` as seen with ``vision`` (None = typical, or a key of VISIONS)."""
    linear = _linear(hex_to_rgb(colour))
    if vision is None:
        return linear
    if vision not in _CVD_MATRICES:
        raise ChoiceError("colour vision", vision, list(_CVD_MATRICES))
    return np.clip(_CVD_MATRICES[vision] @ linear, 0.0, 1.0)


def cielab(colour: str, vision: str | None = None) -> np.ndarray:
    """CIE L*a*b* (D65) of a colour, optionally as seen with a colour-vision deficiency."""
    ratio = (_SRGB_TO_XYZ @ simulate(colour, vision)) / _D65
    delta = 6 / 29
    f = np.where(ratio > delta**3, np.cbrt(ratio), ratio / (3 * delta**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(first: str, second: str, vision: str | None = None) -> float:
    """CIE76 colour difference; about 2.3 is just noticeable, above 20 is clearly different."""
    return float(np.linalg.norm(cielab(first, vision) - cielab(second, vision)))


def lightness(colour: str) -> float:
    """CIE L* (0 black .. 100 white): what is left of a colour when printed in greyscale."""
    return float(cielab(colour)[0])


def sequential_colour(share: float) -> str:
    """The SEQUENTIAL step for a share in 0..1 (values outside are clipped)."""
    share = min(max(float(share), 0.0), 1.0)
    return SEQUENTIAL[min(int(share * len(SEQUENTIAL)), len(SEQUENTIAL) - 1)]


def mark_style(kind: str, colour: str) -> dict:
    """Matplotlib patch settings for a mark of one kind (actual, planned, contracted, suppressed)."""
    if kind == "actual":
        return {"facecolor": colour, "edgecolor": colour, "linewidth": 1.0}
    if kind == "planned":
        return {"facecolor": BACKGROUND, "edgecolor": colour, "linewidth": 1.6}
    if kind in ("contracted", "suppressed"):
        return {"facecolor": BACKGROUND, "edgecolor": colour, "linewidth": 1.2, "hatch": HATCHES[kind]}
    raise ChoiceError("mark kind", kind, ["actual", "planned", "contracted", "suppressed"])

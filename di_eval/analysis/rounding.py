"""Rounding a count to a base, and the whole numbers a rounded count can stand for (a leaf module:
the rule's text, the release, the protection and the pages all use it)."""

from __future__ import annotations

import numpy as np


def round_to(values, base: int) -> np.ndarray:
    """``values`` rounded to the nearest multiple of ``base``, halves up."""
    return base * np.floor(np.asarray(values, dtype=float) / base + 0.5)


def rounding_interval(base: int) -> tuple[int, int]:
    """How far below and above its published value a count rounded to ``base`` can be
    (to the nearest multiple, halves up: 5 covers 3..7 before the threshold is applied)."""
    return base // 2, base - 1 - base // 2


def rounded_range(value, base: int, threshold: int) -> tuple[int, int]:
    """The whole numbers a count published as ``value`` rounded to ``base`` can be: from ``value``
    less the part below to ``value`` plus the part above, and at least ``threshold``."""
    below, above = rounding_interval(base)
    return max(int(value) - below, threshold), int(value) + above

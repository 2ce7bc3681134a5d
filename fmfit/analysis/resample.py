"""Exact-ratio polyphase resampling with the anti-aliasing filter designed once per ratio.

44.1 kHz <-> 53,267 Hz has no small common factor (53267/44100 is already reduced), so
resample_poly's default filter has ~1M taps; designing it costs ~0.15 s, filtering ~20 ms.
Caching the design keeps repeated conversions (one per candidate when judging) cheap,
and the exact ratio keeps the pitch exact.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
from scipy.signal import firwin, resample_poly

_KAISER_BETA = 5.0  # resample_poly's default window, so results equal the uncached call


@lru_cache(maxsize=4)
def _lowpass(max_factor: int) -> np.ndarray:
    """resample_poly's own default filter for a ratio whose larger term is max_factor."""
    taps = firwin(2 * 10 * max_factor + 1, 1.0 / max_factor, window=("kaiser", _KAISER_BETA))
    taps.setflags(write=False)
    return taps


def resample(x: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """x (1-D, float) taken from from_rate to to_rate by the exact rational ratio."""
    x = np.asarray(x, dtype=np.float64)
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} -> {to_rate}")
    ratio = Fraction(int(to_rate), int(from_rate))
    up, down = ratio.numerator, ratio.denominator
    if up == down == 1:
        return x.copy()
    return resample_poly(x, up, down, window=_lowpass(max(up, down)))

"""Synthetic notes with known pitch and gate, and where the real notes live."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REALNOTES = Path(__file__).resolve().parents[3] / "shared" / "realnotes"


def realnotes_dir() -> Path:
    """../shared/realnotes beside the repository; the test is skipped without it."""
    if not (REALNOTES / "README.txt").is_file():
        pytest.skip(f"{REALNOTES} is not present (../shared is only on developer and CI machines)")
    return REALNOTES


def harmonic_tone(f0: float, seconds: float, sr: int, amplitudes=(1.0, 0.5, 0.33, 0.25), *,
                  vibrato_cents=0.0, vibrato_hz=5.0, phase_seed: int = 0) -> np.ndarray:
    """Sum of harmonics h*f0 with the given amplitudes (index 0 = fundamental)."""
    t = np.arange(int(round(seconds * sr))) / sr
    deviation = 2 ** (vibrato_cents / 1200 * np.sin(2 * np.pi * vibrato_hz * t))
    phase = 2 * np.pi * np.cumsum(f0 * deviation) / sr
    phases = np.random.default_rng(phase_seed).uniform(0, 2 * np.pi, len(amplitudes))
    return sum(a * np.sin(h * phase + p) for h, (a, p) in enumerate(zip(amplitudes, phases), start=1)
               if a and h * f0 < sr / 2)


def gain_curve_db(sr: int, seconds: float, points: list[tuple[float, float]]) -> np.ndarray:
    """A piecewise-linear level in dB through (time, dB) points, as a linear gain."""
    t = np.arange(int(round(seconds * sr))) / sr
    times, levels = zip(*points)
    return 10 ** (np.interp(t, times, levels) / 20)


def gated_note(sr: int, *, hold: float, release_db_per_s: float, seconds: float = 3.0, f0: float = 220.0,
               sustain_db_per_s: float = 0.0, attack: float = 0.01, lead_silence: float = 0.0,
               tremolo_db: float = 0.0) -> np.ndarray:
    """A tone keyed on at lead_silence, keyed off after `hold`, with a linear-dB release."""
    t = np.arange(int(round(seconds * sr))) / sr
    on = t - lead_silence
    released = sustain_db_per_s * hold - release_db_per_s * (on - hold)
    level_db = np.where(on < hold, sustain_db_per_s * on, released)
    level_db = np.maximum(level_db, -120.0) + tremolo_db * np.sin(2 * np.pi * 6.0 * t)
    gain = 10 ** (level_db / 20) * np.clip(on / attack, 0.0, 1.0)
    return 0.5 * harmonic_tone(f0, seconds, sr) * gain

"""Fixed-size, pitch-normalised descriptions of a note, for the warm-start model.

A render and a recording are described alike: the levels of the half-harmonics of f0
(MUL 0 is x0.5) in four moments of the note, the loudness contour through the hold and
the release, and the octave. The same code describes the training renders and the
user's target, so the model sees both through the same eyes.
"""
from __future__ import annotations

import numpy as np

WINDOW = 2048
FRAME_TIMES = (0.01, 0.08, 0.3, 0.9)                  # seconds after key-on
HALF_HARMONICS = 32                                    # f0/2 .. 16 f0
HOLD_TIMES = (0.005, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5)
RELEASE_TIMES = (0.03, 0.15, 0.4)                      # seconds after key-off
FLOOR_DB = -80.0
SIZE = len(FRAME_TIMES) * HALF_HARMONICS + len(HOLD_TIMES) + len(RELEASE_TIMES) + 1
OCTAVE = SIZE - 1          # the column of the octave: log2(f0 / C4) * 10


def describe(x: np.ndarray, rate: int, f0: float, key_off: int | None) -> np.ndarray:
    """Features of one note (or of a batch: x of shape (K, n)); float32, SIZE per note."""
    x = np.atleast_2d(np.asarray(x, np.float32))
    k, n = x.shape
    peak = np.abs(x).max(axis=1, keepdims=True)
    x = x / np.where(peak > 0, peak, 1)
    hold = n if key_off is None else min(int(key_off), n)

    # half-harmonic levels in four short windows
    window = np.hanning(WINDOW).astype(np.float32)
    starts = [min(int(t * rate), max(0, hold - WINDOW)) for t in FRAME_TIMES]
    frames = np.stack([_segment(x, s, WINDOW) * window for s in starts], axis=1)   # (k, 4, W)
    spec = np.abs(np.fft.rfft(frames, axis=-1))
    freqs = np.fft.rfftfreq(WINDOW, 1 / rate)
    half = f0 / 2
    levels = np.empty((k, len(FRAME_TIMES), HALF_HARMONICS), np.float32)
    for h in range(1, HALF_HARMONICS + 1):
        band = np.flatnonzero(np.abs(freqs - h * half) <= max(half / 2, freqs[1]))
        levels[..., h - 1] = spec[..., band].max(axis=-1) if band.size else 0
    top = levels.max(axis=(1, 2), keepdims=True)
    harmonics = _db(levels / np.where(top > 0, top, 1))

    # loudness contour: 10 ms RMS, relative to the loudest moment
    hop = max(1, int(0.01 * rate))
    m = n // hop
    rms = np.sqrt(np.mean(x[:, : m * hop].reshape(k, m, hop) ** 2, axis=-1))
    rms_db = _db(rms / np.maximum(rms.max(axis=1, keepdims=True), 1e-12))
    hold_idx = [min(int(t * rate) // hop, max(0, hold // hop - 1)) for t in HOLD_TIMES]
    rel_idx = [min((hold + int(t * rate)) // hop, m - 1) for t in RELEASE_TIMES]
    contour = rms_db[:, hold_idx + rel_idx]

    octave = np.full((k, 1), np.log2(f0 / 261.6256) * 10, np.float32)
    return np.concatenate([harmonics.reshape(k, -1), contour, octave], axis=1).astype(np.float32)


def heard_midi(features: np.ndarray) -> np.ndarray:
    """The (fractional) MIDI note of the pitch each row of features was described at."""
    return 60 + 1.2 * np.atleast_2d(np.asarray(features, np.float64))[:, OCTAVE]


def _segment(x: np.ndarray, start: int, length: int) -> np.ndarray:
    seg = x[:, start:start + length]
    if seg.shape[1] < length:
        seg = np.pad(seg, ((0, 0), (0, length - seg.shape[1])))
    return seg


def _db(ratio: np.ndarray) -> np.ndarray:
    return np.maximum(20 * np.log10(np.maximum(ratio, 1e-12)), FLOOR_DB).astype(np.float32)

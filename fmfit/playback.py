"""Playing a patch at a note, the way the judge and the trackers do."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

import emulator

from .atomic import write_atomic
from .notes import CHIP_RATE, block_fnum, midi_to_hz, parse_note
from .patch import Patch


def play(patch: Patch, note, hold_s: float, release_s: float) -> np.ndarray:
    """Chip-rate int16 channel values: key-on at 0, key-off after `hold_s`."""
    block, fnum = block_fnum(midi_to_hz(parse_note(note)))
    hold = int(round(hold_s * CHIP_RATE))
    total = hold + int(round(release_s * CHIP_RATE))
    return emulator.render_patch(patch.to_params(), block, fnum, max(total, 1), hold)


def to_rate(x: np.ndarray, rate: int) -> np.ndarray:
    """Chip-rate audio to `rate` with a polyphase filter."""
    x = np.asarray(x, np.float64) / 256.0
    if rate == CHIP_RATE:
        return x
    from fractions import Fraction

    f = Fraction(rate, CHIP_RATE).limit_denominator(2000)
    return resample_poly(x, f.numerator, f.denominator)


def render_wav(patch: Patch, note, hold_s: float, release_s: float, path, *, rate: int = 44100,
               force: bool = False) -> Path:
    if not 8000 <= rate <= 192000:
        raise ValueError(f"--rate {rate}: choose a rate between 8000 and 192000 Hz")
    x = to_rate(play(patch, note, hold_s, release_s), rate)
    buf = io.BytesIO()
    sf.write(buf, np.clip(x, -1, 1).astype(np.float32), rate, subtype="PCM_16", format="WAV")
    return write_atomic(path, buf.getvalue(), force=force)

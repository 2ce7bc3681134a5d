"""Notes, frequencies and the YM2612's block/fnum, as the judge plays them.

Pure functions with no heavy imports (no numba): the CLI and the analysis use them to
turn "C4", "60.5" or "261.6hz" into the exact register values the judge will write.
Convention (docs/evaluation.md): equal temperament, A4 = MIDI 69 = 440 Hz, NTSC clock.
"""
from __future__ import annotations

import math
import re

CLOCK = 7_670_453
"""NTSC YM2612 master clock in Hz."""
CHIP_RATE = 53_267
"""One output sample per 144 clocks: 7,670,453 / 144, taken as an integer as the project does."""
A4_HZ = 440.0
A4_MIDI = 69
FNUM_PREFERRED_MAX = 1300
"""The judge takes the smallest block whose fnum is at most this (so fnum lies in ~650-1300)."""
FNUM_MAX = 2047
BLOCK_MAX = 7

_PITCH_CLASS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_NAME_RE = re.compile(r"^([a-g])(#{1,2}|b{1,2}|)(-?\d+)$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_HZ_RE = re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)\s*hz$")
MIDI_RANGE = (0.0, 127.0)


def midi_to_hz(midi: float) -> float:
    """Equal-tempered frequency of a (possibly fractional) MIDI note; A4 = 69 = 440 Hz."""
    return A4_HZ * 2.0 ** ((midi - A4_MIDI) / 12.0)


def hz_to_midi(freq_hz: float) -> float:
    """Fractional MIDI note of a frequency (inverse of midi_to_hz)."""
    if not (freq_hz > 0 and math.isfinite(freq_hz)):
        raise ValueError(f"frequency must be positive and finite, got {freq_hz!r}")
    return A4_MIDI + 12.0 * math.log2(freq_hz / A4_HZ)


def cents_between(freq_hz: float, reference_hz: float) -> float:
    """How many cents freq_hz lies above reference_hz (negative when below)."""
    return 1200.0 * math.log2(freq_hz / reference_hz)


def note_name(midi: float) -> str:
    """Nearest note in scientific pitch notation with sharps: 60 -> "C4", 61.4 -> "C#4"."""
    nearest = int(round(midi))
    octave, pitch_class = divmod(nearest, 12)
    return f"{_SHARP_NAMES[pitch_class]}{octave - 1}"


def note_and_cents(midi: float) -> tuple[str, float]:
    """Nearest note name and the offset from it in cents: 60.25 -> ("C4", 25.0)."""
    return note_name(midi), (midi - round(midi)) * 100.0


def parse_note(text: str | float | int) -> float:
    """A MIDI number (maybe fractional) from a note name, a MIDI number or a frequency.

    Accepted: "C4" (60), "A4" (69), "F#3", "Bb2", "c#-1", "E♭5" (♯/♭ allowed, any case);
    "60" or "60.5" (MIDI); "261.6hz", "440 Hz" (frequency). Raises ValueError otherwise.
    """
    if isinstance(text, bool):
        raise ValueError(f"not a note: {text!r}")
    if isinstance(text, (int, float)):
        return _checked_midi(float(text), repr(text))
    if not isinstance(text, str):
        raise ValueError(f"not a note: {text!r}")
    cleaned = text.strip().replace("♯", "#").replace("♭", "b").lower()
    if m := _NAME_RE.match(cleaned):
        letter, accidentals, octave = m.groups()
        semitones = accidentals.count("#") - accidentals.count("b")
        midi = 12 * (int(octave) + 1) + _PITCH_CLASS[letter] + semitones
        return _checked_midi(float(midi), text)
    if _NUMBER_RE.match(cleaned):
        return _checked_midi(float(cleaned), text)
    if m := _HZ_RE.match(cleaned):
        freq = float(m.group(1))
        if not (freq > 0 and math.isfinite(freq)):
            raise ValueError(f"not a note: {text!r} (a frequency must be positive)")
        return _checked_midi(hz_to_midi(freq), text)
    raise ValueError(
        f"not a note: {text!r} (expected a name like C4, F#3 or Bb2, "
        f"a MIDI number like 60 or 60.5, or a frequency like 261.6hz)"
    )


def _checked_midi(midi: float, source: str) -> float:
    low, high = MIDI_RANGE
    if not (math.isfinite(midi) and low <= midi <= high):
        raise ValueError(f"note {source} is MIDI {midi:g}, outside {low:g}-{high:g}")
    return midi


def fnum_exact(freq_hz: float, block: int) -> float:
    """The unrounded fnum that plays freq_hz at this block (MUL 1, DT 0)."""
    return freq_hz * 144 * 2**21 / (CLOCK * 2**block)


def block_fnum(freq_hz: float) -> tuple[int, int]:
    """(block, fnum) exactly as the judge sets them for a note of this frequency.

    fnum = round(f·144·2^21 / (clock·2^block)) with block the smallest 0..7 for which
    fnum <= 1300. Above that range block 7 is kept and fnum clamped to 2047; below it
    block 0 is kept (fnum < ~650, and at least 1 so the note still sounds).
    """
    if not (freq_hz > 0 and math.isfinite(freq_hz)):
        raise ValueError(f"frequency must be positive and finite, got {freq_hz!r}")
    for block in range(BLOCK_MAX + 1):
        fnum = int(round(fnum_exact(freq_hz, block)))
        if fnum <= FNUM_PREFERRED_MAX:
            return block, max(fnum, 1)
    return BLOCK_MAX, min(fnum, FNUM_MAX)


def block_fnum_to_hz(block: int, fnum: int) -> float:
    """Frequency the chip plays for block/fnum with MUL 1 and DT 0 (ym2612.md §3)."""
    if not (0 <= block <= BLOCK_MAX and 0 <= fnum <= FNUM_MAX):
        raise ValueError(f"block must be 0-{BLOCK_MAX} and fnum 0-{FNUM_MAX}, got {block}, {fnum}")
    return fnum * 2**block * CLOCK / (144 * 2**21)

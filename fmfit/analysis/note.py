"""From a recorded note to what a fit needs: the target at the chip rate, its pitch as
block/fnum, and when to key off.

The judge renders a patch at the chip rate from key-on at the first sample, so the
target is resampled to that rate and trimmed to its onset; the judge keys off after the
hold, so the hold is read from the recording (envelope.find_note_off). Like a tracker,
the judge plays equal-tempered notes, so a detected pitch is played at the nearest one;
a pitch given as a frequency or a fractional MIDI number is played as given.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from fmfit.analysis.audio import check_samples, dc_offset
from fmfit.analysis.envelope import find_note_off, find_onset
from fmfit.analysis.pitch import PITCHED_MIN_CONFIDENCE, estimate_f0
from fmfit.analysis.resample import resample
from fmfit.notes import CHIP_RATE, block_fnum, hz_to_midi, midi_to_hz, note_and_cents, parse_note

MAX_SECONDS = 4.0
"""Length kept after the onset: a hold and a release; more only slows the fit."""
MIN_PITCH_SECONDS = 0.2
OUT_OF_TUNE_CENTS = 20.0
"""A detected pitch this far from the nearest note gets a warning (it is matched at the note)."""


@dataclass(frozen=True, eq=False)
class NoteAnalysis:
    """One analysed note. `target` is read-only, mono, at `rate`, starting at the onset."""

    target: np.ndarray
    rate: int
    f0_hz: float
    midi: float
    block: int
    fnum: int
    pitched: bool
    pitch_confidence: float
    hold_samples: int
    """Key-off sample (release start) in target; total_samples when no release was found."""
    total_samples: int
    note_off_found: bool
    onset_seconds: float
    """Where the note starts in the input, in seconds."""
    warnings: tuple[str, ...]

    @property
    def hold_seconds(self) -> float:
        return self.hold_samples / self.rate

    @property
    def total_seconds(self) -> float:
        return self.total_samples / self.rate

    @property
    def note_name(self) -> str:
        """Nearest note and cents off it, e.g. "C4 +3c"."""
        name, cents = note_and_cents(self.midi)
        return f"{name} {cents:+.0f}c"


def analyse(
    samples: np.ndarray,
    sr: int,
    *,
    note: str | float | None = None,
    rate: int = CHIP_RATE,
    max_seconds: float = MAX_SECONDS,
    warnings: Sequence[str] = (),
) -> NoteAnalysis:
    """Analyse a mono recording at sample rate sr.

    note: overrides the pitch (anything parse_note accepts, or a MIDI number).
    warnings: earlier ones (e.g. from load_audio) to carry into the result.
    Raises AudioError for samples that hold no usable note.
    """
    samples, notes = check_samples(samples, sr, source="input")
    collected = list(warnings) + notes
    # A constant offset, not a high-pass: a filter turns the step in DC at a release
    # (FM carriers and some samples carry DC while they sound) into a bump that hides
    # the note-off. See audio.dc_offset. The onset is read before the offset comes off:
    # when the offset is read off a sounding part, taking it from digital silence would
    # lift that silence to where a slow attack's first milliseconds look like it.
    raw = resample(samples, sr, rate)
    onset = find_onset(raw, rate)
    at_rate = raw - dc_offset(samples, sr)
    limit = int(round(max_seconds * rate))
    target = at_rate[onset : onset + limit].copy()
    if at_rate.size - onset > limit:
        collected.append(f"only the first {max_seconds:g} s after the onset are used")
    target.setflags(write=False)

    note_off = find_note_off(target, rate)
    hold = target.size if note_off is None else note_off

    if note is not None:
        midi = parse_note(note)
        f0, confidence, pitched = midi_to_hz(midi), 1.0, True
    else:
        held = target[:hold] if hold >= MIN_PITCH_SECONDS * rate else target
        f0, confidence = estimate_f0(held, rate)
        midi = hz_to_midi(f0)
        pitched = confidence >= PITCHED_MIN_CONFIDENCE
        if not pitched:
            name, _ = note_and_cents(midi)
            collected.append(
                f"no clear pitch (confidence {confidence:.2f}); playing it at {name} "
                f"({f0:.1f} Hz); give the note to override"
            )
    if note is None:
        # played where a tracker plays it: the nearest equal-tempered note (a patch has no
        # fine tune). A chip sound a few cents off its note is usually so by its own
        # detune (DT), which the fit reproduces at the note's fnum; fitted at a fnum of
        # its own, a patch would sound right only there (1-2 fnum steps cost a render's
        # true patch 0.5-5 in the search distance)
        name, cents = note_and_cents(midi)
        if pitched and abs(cents) >= OUT_OF_TUNE_CENTS:
            collected.append(
                f"the note sounds {cents:+.0f} cents off {name}; it is matched at {name}, "
                f"as a tracker plays it (--note {f0:.1f}hz matches it at its own pitch)"
            )
        block, fnum = block_fnum(midi_to_hz(round(midi)))
    else:
        block, fnum = block_fnum(f0)
    return NoteAnalysis(
        target=target,
        rate=rate,
        f0_hz=float(f0),
        midi=float(midi),
        block=block,
        fnum=fnum,
        pitched=pitched,
        pitch_confidence=float(confidence),
        hold_samples=int(hold),
        total_samples=int(target.size),
        note_off_found=note_off is not None,
        onset_seconds=onset / rate,
        warnings=tuple(collected),
    )

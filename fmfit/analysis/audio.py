"""Read a recorded note into a mono float64 array, refusing what cannot be a note.

Everything a user might hand over (WAV/FLAC/OGG/AIFF, int or float, any rate, any channel
count) comes out the same way, and every reason to refuse it is one line naming the file.
Problems that still allow a fit (clipping, DC, a low level) become warnings returned to
the caller, never printed here.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import soundfile as sf

MAX_SECONDS = 12.0
"""Only this much of a file is read: a note is a few seconds, and memory stays bounded."""
MIN_FILE_SECONDS = 0.2
MIN_SOUND_SECONDS = 0.02   # a click is no note; a 0.1 s hi-hat is
SILENCE_DBFS = -90.0
"""Peaks at or below this count as silence (a 16-bit LSB is -90.3 dBFS)."""
SOUND_SPAN_DB = 60.0
"""Sound starts/ends where |x| first/last reaches this far below the peak."""
LOW_LEVEL_DBFS = -40.0
CLIP_LEVEL = 0.999
CLIP_MIN_RUN = 3
DC_MIN_ABS = 0.002
DC_FRAME_SECONDS = 0.01
DC_QUIET_SHARE = 0.1
DC_MIN_REL_PEAK = 0.02
DC_SILENCE_DB = 60.0     # the quietest frames must be this far under the loudest to be silence


class AudioError(Exception):
    """A file (or array) that cannot be used as a note; the message is one line."""


class LoadedAudio(NamedTuple):
    """Mono samples in [-1, 1] (float64), their rate, and warnings for the user."""

    samples: np.ndarray
    sr: int
    warnings: list[str]


def check_audio_path(path: str | Path) -> None:
    """AudioError unless `path` is a file with something in it: checked before any work
    (the CLI checks it before it looks for outputs the match would overwrite)."""
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file (fmfit batch matches every note in a folder)")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: empty file (0 bytes)")


def load_audio(path: str | Path, *, max_seconds: float = MAX_SECONDS) -> LoadedAudio:
    """Read at most max_seconds of an audio file, downmixed to mono by the channel mean.

    Unpacks as (samples, sr, warnings). Raises AudioError for a file that is missing,
    unreadable, not audio, empty, non-finite, silent, or with under 0.2 s of sound.
    """
    path = Path(path)
    name = str(path)
    check_audio_path(path)
    try:
        with sf.SoundFile(path) as f:
            sr = int(f.samplerate)
            limit = max(1, int(round(max_seconds * sr)))
            data = f.read(frames=limit, dtype="float64", always_2d=True)
            truncated = f.frames > limit if f.frames >= 0 else False
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        reason = " ".join(str(getattr(exc, "error_string", "") or exc).split()).rstrip(".")
        raise AudioError(f"{name}: not a readable audio file ({reason or type(exc).__name__})") from None
    except OSError as exc:
        raise AudioError(f"{name}: cannot be opened ({exc.strerror or exc})") from None
    samples = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    warnings: list[str] = []
    if truncated:
        warnings.append(f"only the first {max_seconds:g} s were read")
    samples, finite_warnings = check_samples(samples, sr, source=name)
    warnings += finite_warnings + level_warnings(samples, sr)
    return LoadedAudio(samples, sr, warnings)


def check_samples(samples: np.ndarray, sr: int, *, source: str = "audio") -> tuple[np.ndarray, list[str]]:
    """Refuse samples that hold no usable note; return them with non-finite values zeroed.

    AudioError (naming `source`) when: empty, no finite sample, silent (peak <= -90 dBFS),
    shorter than 0.2 s, or under 20 ms between the first and last sample within 60 dB of
    the peak (a short percussive sound in a longer file is a fine target: its patch must
    decay as fast).
    """
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 1:
        raise AudioError(f"{source}: expected mono samples (1-D), got shape {samples.shape}")
    if sr <= 0:
        raise AudioError(f"{source}: invalid sample rate {sr}")
    if samples.size == 0:
        raise AudioError(f"{source}: contains no samples")
    if samples.size / sr < MIN_FILE_SECONDS:
        raise AudioError(f"{source}: too short ({samples.size / sr:.3f} s; need at least {MIN_FILE_SECONDS} s)")
    warnings: list[str] = []
    finite = np.isfinite(samples)
    if not finite.any():
        raise AudioError(f"{source}: contains no finite samples (all NaN or infinite)")
    if not finite.all():
        bad = int(samples.size - finite.sum())
        warnings.append(f"{bad} NaN/infinite samples were replaced by silence")
        samples = np.where(finite, samples, 0.0)
    peak = float(np.max(np.abs(samples)))
    if peak <= 10 ** (SILENCE_DBFS / 20):
        raise AudioError(f"{source}: silent (peak {_dbfs(peak)})")
    loud = np.flatnonzero(np.abs(samples) >= peak * 10 ** (-SOUND_SPAN_DB / 20))
    sound_seconds = (loud[-1] - loud[0] + 1) / sr
    if sound_seconds < MIN_SOUND_SECONDS:
        raise AudioError(
            f"{source}: too short ({sound_seconds:.3f} s of sound after trimming silence; "
            f"need at least {MIN_SOUND_SECONDS} s)"
        )
    return samples, warnings


def dc_offset(samples: np.ndarray, sr: int) -> float:
    """The constant offset: the median mean of the quietest tenth of the 10 ms frames.

    Read where the signal is quietest (before the onset, after the release) because an
    offset is what silence sits on; the DC a sound carries while it plays (an FM
    carrier at MUL 1:1, an asymmetric sample) is part of that sound and stays. Taking
    the plain mean instead would shift the silence after the release off zero. With no
    silence (the quietest frames within DC_SILENCE_DB of the loudest: a note held from
    the first sample to the last, or a release tail that still carries the note's DC)
    there is no offset to read, and none is taken off.
    """
    frame = max(1, int(round(DC_FRAME_SECONDS * sr)))
    count = samples.size // frame
    if count == 0:
        return float(np.median(samples)) if samples.size else 0.0
    frames = samples[: count * frame].reshape(count, frame)
    spread = frames.std(axis=1)
    quietest = np.argsort(spread)[: max(1, int(np.ceil(DC_QUIET_SHARE * count)))]
    if np.median(spread[quietest]) > spread.max() * 10 ** (-DC_SILENCE_DB / 20):
        return 0.0            # no silence to read it from: the note sounds throughout
    return float(np.median(frames[quietest].mean(axis=1)))


def level_warnings(samples: np.ndarray, sr: int) -> list[str]:
    """Warnings about clipping, a DC offset and a very low level (full scale = 1.0)."""
    warnings: list[str] = []
    magnitude = np.abs(samples)
    peak = float(magnitude.max()) if samples.size else 0.0
    if peak > 1.0:
        warnings.append(f"peaks above full scale ({_dbfs(peak)}); it may have clipped when recorded")
    elif peak >= CLIP_LEVEL:
        clipped_runs = _count_flat_runs(samples, CLIP_LEVEL * peak, CLIP_MIN_RUN)
        if clipped_runs:
            warnings.append(f"clipping: {clipped_runs} flat runs at full scale; the timbre will be off")
    offset = dc_offset(samples, sr)
    if abs(offset) > DC_MIN_ABS and abs(offset) > DC_MIN_REL_PEAK * peak:
        warnings.append(f"DC offset of {offset:+.3f} (full scale 1.0); it is removed before analysis")
    if 0 < peak < 10 ** (LOW_LEVEL_DBFS / 20):
        warnings.append(f"very low level (peak {_dbfs(peak)}); noise may colour the result")
    return warnings


def _count_flat_runs(samples: np.ndarray, level: float, min_run: int) -> int:
    """Runs of at least min_run consecutive samples at or beyond +-level (one sign)."""
    count = 0
    for sign in (1.0, -1.0):
        at_level = np.concatenate(([0], (sign * samples >= level).astype(np.int8), [0]))
        edges = np.diff(at_level)
        lengths = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
        count += int(np.sum(lengths >= min_run))
    return count


def _dbfs(amplitude: float) -> str:
    return f"{20 * np.log10(amplitude):.1f} dBFS" if amplitude > 0 else "-inf dBFS"

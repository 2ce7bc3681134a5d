"""The judge of shared/docs/evaluation.md as code: ymfm-py renders, the protocol's targets, scores.

    render_judge(patch, midi, hold_s=2.0, release_s=1.0)  -> float64 at 44.1 kHz
    make_render_target(patch, midi)                        -> a "render of a real patch" target
    fragility(patch, target, midi)                         -> lsd_db of the patch one fnum step sharp
    score_file(path, target, midi, hold_s, release_s)      -> {lsd_db, mrstft, mfcc_mae, env_db}

The judge plays a note on a fresh ymfm-py YM2612 (NTSC clock), channel 1: every register
written (LFO on at rate 0 only when AMS or FMS is non-zero), block/fnum from
fmfit.notes.block_fnum, key-on as the last write so the first sample is the first after
key-on, key-off after the hold. The register writes are emulator.render.patch_writes',
the same schedule fmfit's own emulator renders. ymfm-py's left output is mapped back to
the channel's 9-bit value (exact: the mapping is strictly increasing), then resampled
53,267 -> 44,100 Hz with scipy.signal.resample_poly. Gain is irrelevant: the metrics
RMS-normalise both signals.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.signal import firwin, resample_poly

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator import params as P  # noqa: E402
from emulator.render import patch_writes  # noqa: E402
from fmfit.bench import ymfm_left  # noqa: E402
from fmfit.metrics import judge  # noqa: E402
from fmfit.notes import CHIP_RATE, block_fnum, midi_to_hz  # noqa: E402
from fmfit.patch import Patch  # noqa: E402

JUDGE_RATE = 44_100
TARGET_PEAK_DBFS = -1.0
RENDER_HOLD_S, RENDER_RELEASE_S = 2.0, 1.0       # targets of kind 1 (renders of real patches)
REALNOTE_HOLD_S, REALNOTE_RELEASE_S = 2.0, 1.5   # targets of kind 2 (shared/realnotes)

# ymfm-py's left output for channel values -257..256 (docs/ym2612.md §9), strictly increasing.
_VALUES = np.arange(-257, 257)
_DAC = np.where(_VALUES >= 0, _VALUES + 4, _VALUES - 3) + 20
_LEFT = np.sign(_DAC) * ((np.abs(_DAC) * 8192) // 390)


def chip_samples(seconds: float) -> int:
    return int(round(seconds * CHIP_RATE))


def note_registers(midi: float) -> tuple[int, int]:
    """(block, fnum) the judge writes for a MIDI note (equal temperament, A4 = 440 Hz)."""
    return block_fnum(midi_to_hz(midi))


def judge_schedule(patch: Patch, midi: float, key_off: int | None,
                   fnum_step: int = 0) -> list[tuple[int, int, int]]:
    """(sample, address, data) writes of one judged note, channel 1, key-on last at sample 0.
    `fnum_step` plays it that many fnum steps sharp (for fragility, below)."""
    block, fnum = note_registers(midi)
    fnum += fnum_step
    v = np.ascontiguousarray(patch.to_params(), np.int64)
    if bool(v[P.AMS] or v[P.FMS]) != bool(v[P.LFO] & P.LFO_ENABLE) or v[P.LFO] & 7:
        raise AssertionError("LFO must be on at rate 0 exactly when AMS or FMS is non-zero")
    return patch_writes(v, block, fnum, key_off)


def ymfm_channel(writes, n_samples: int) -> np.ndarray:
    """Channel 1's values (int, -257..256) from a fresh ymfm-py chip for timed writes."""
    left = ymfm_left(writes, n_samples)
    idx = np.minimum(np.searchsorted(_LEFT, left), len(_LEFT) - 1)
    if np.any(_LEFT[idx] != left):       # not expected; fall back to the offset-free output
        return left.astype(np.float64) - _LEFT[257]
    return _VALUES[idx]


@lru_cache(maxsize=4)
def _lowpass(up: int, down: int) -> np.ndarray:
    """resample_poly's own default filter (Kaiser beta 5), designed once per ratio."""
    max_rate = max(up, down)
    taps = firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0))
    taps.setflags(write=False)
    return taps


def to_judge_rate(x: np.ndarray, from_rate: int = CHIP_RATE) -> np.ndarray:
    """Chip rate (53,267 Hz) to 44.1 kHz by the exact ratio, as scipy.signal.resample_poly."""
    from math import gcd

    g = gcd(JUDGE_RATE, from_rate)
    up, down = JUDGE_RATE // g, from_rate // g
    return resample_poly(np.asarray(x, np.float64), up, down, window=_lowpass(up, down))


def render_judge_chip(patch: Patch, midi: float, hold_s: float = RENDER_HOLD_S,
                      release_s: float = RENDER_RELEASE_S, fnum_step: int = 0) -> np.ndarray:
    """The judged note at the chip rate: channel values, key-on at 0, key-off after hold_s."""
    n = chip_samples(hold_s + release_s)
    return ymfm_channel(judge_schedule(patch, midi, chip_samples(hold_s), fnum_step), n)


def render_judge(patch: Patch, midi: float, hold_s: float = RENDER_HOLD_S,
                 release_s: float = RENDER_RELEASE_S, fnum_step: int = 0) -> np.ndarray:
    """The judged note as float64 at 44.1 kHz (channel values, 256 = full scale)."""
    return to_judge_rate(render_judge_chip(patch, midi, hold_s, release_s, fnum_step) / 256.0)


def quantise_target(x: np.ndarray) -> np.ndarray:
    """Peak-normalised to -1 dBFS and quantised to 16 bits (returned as float in [-1, 1))."""
    x = np.asarray(x, np.float64)
    peak = np.max(np.abs(x)) if x.size else 0.0
    if peak == 0:
        raise ValueError("the render is silent")
    pcm = np.clip(np.round(x * (10 ** (TARGET_PEAK_DBFS / 20) / peak) * 32768), -32768, 32767)
    return pcm / 32768.0


def make_render_target(patch: Patch, midi: float) -> np.ndarray:
    """A target of kind 1: the patch at `midi`, 2.0 s held + 1.0 s release, 44.1 kHz,
    16-bit, peak -1 dBFS. Write it with soundfile (subtype PCM_16) to get the same values."""
    return quantise_target(render_judge(patch, midi, RENDER_HOLD_S, RENDER_RELEASE_S))


def score_patch(patch: Patch, target: np.ndarray, midi: float, hold_s: float,
                release_s: float) -> dict:
    """The four metrics of a patch judged against a target at 44.1 kHz."""
    return judge(np.asarray(target, np.float64), render_judge(patch, midi, hold_s, release_s),
                 JUDGE_RATE)


def fragility(patch: Patch, target: np.ndarray, midi: float) -> float:
    """lsd_db between a render target and its own patch played one fnum step sharp (1.3-2.7
    cents at notes 45-72).

    Above 1.0 (near-identical's bound), the target's sound hangs on its exact pitch and
    phases (deep feedback, chains of loud modulators, beating detunes): a match is
    near-identical only with every operator's very frequency (MUL, DT, the note) and most
    other fields within a step or so. 19 of 48 validation renders were fragile; fmfit,
    with a model whose bank did not hold them, matched none of them near-identically
    (and 13 of the 29 others).
    """
    from fmfit.metrics import lsd_db

    return float(lsd_db(np.asarray(target, np.float64),
                        render_judge(patch, midi, RENDER_HOLD_S, RENDER_RELEASE_S, fnum_step=1),
                        JUDGE_RATE))


def score_file(path, target: np.ndarray, midi: float, hold_s: float = RENDER_HOLD_S,
               release_s: float = RENDER_RELEASE_S) -> dict:
    """Read a written patch file back (its first patch), render it with the judge, score it."""
    from fmfit.formats import read

    patches = read(path)
    if not patches:
        raise ValueError(f"{path}: holds no patch")
    return score_patch(patches[0], target, midi, hold_s, release_s)

"""Starting patches read off the target: harmonic levels to ratios and levels, the
loudness contour to envelope rates. Rough on purpose: CMA-ES finishes the job."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from emulator import params as P
from emulator.tables import INCREMENT, NOTE_BITS

from ..patch import CARRIERS

EG_TICK_HZ = 53267 / 3
DB_PER_UNIT = 0.09375          # one step of the 10-bit attenuation


@dataclass(frozen=True)
class TargetShape:
    """What the guesses need to know about the target."""

    harmonics_db: np.ndarray   # level of harmonics 1..16 of f0, dB relative to the loudest
    attack_s: float            # onset to peak
    decay1_db_s: float         # dB per second just after the peak
    knee_db: float             # where the fast decay gives way to the slow one (dB under peak)
    decay2_db_s: float         # dB per second later in the hold
    release_db_s: float        # dB per second after the note-off (0 when unknown)
    brightness: float          # spectral centroid in harmonics of f0


def describe_target(x: np.ndarray, rate: int, f0: float, key_off: int | None) -> TargetShape:
    x = np.asarray(x, np.float64)
    hop = int(0.01 * rate)
    n = len(x) // hop
    env = 10 * np.log10(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    peak = int(np.argmax(env[: max(1, (key_off or len(x)) // hop)]))
    env = env - env[peak]
    attack_s = peak * hop / rate
    hold_end = (key_off // hop) if key_off else n
    seg = env[peak:hold_end]
    t = np.arange(len(seg)) * hop / rate
    decay1, knee, decay2 = _two_slopes(t, seg)
    release = 0.0
    if key_off and n - hold_end > 5:
        r = env[hold_end:]
        r = r[: max(3, int(np.argmax(r < r[0] - 40)) or len(r))]
        tr = np.arange(len(r)) * hop / rate
        release = max(0.0, -np.polyfit(tr, r, 1)[0]) if len(r) > 2 else 0.0

    # harmonic levels from the first half second of the note
    seg_x = x[: min(len(x), int(0.5 * rate))]
    spec = np.abs(np.fft.rfft(seg_x * np.hanning(len(seg_x))))
    freqs = np.fft.rfftfreq(len(seg_x), 1 / rate)
    levels = []
    for h in range(1, 17):
        band = (freqs > (h - 0.5) * f0) & (freqs < (h + 0.5) * f0)
        levels.append(spec[band].max() if band.any() else 0.0)
    levels = np.array(levels) + 1e-12
    harmonics_db = 20 * np.log10(levels / levels.max())
    power = spec ** 2
    brightness = float(np.sum(freqs * power) / max(np.sum(power), 1e-20) / f0)
    return TargetShape(harmonics_db, attack_s, decay1, knee, decay2, release, brightness)


def _two_slopes(t: np.ndarray, seg: np.ndarray) -> tuple[float, float, float]:
    """Fit the hold's loudness (dB) with two lines; returns (slope1, knee level, slope2) in dB/s."""
    if len(seg) < 4:
        return 0.0, 0.0, 0.0
    best = (np.inf, 0.0, 0.0, 0.0)
    for k in range(2, len(seg) - 1, max(1, len(seg) // 40)):
        s1 = min(0.0, (seg[k] - seg[0]) / max(t[k], 1e-3))
        s2 = min(0.0, np.polyfit(t[k:], seg[k:], 1)[0]) if len(seg) - k > 2 else 0.0
        fit = np.concatenate([seg[0] + s1 * t[:k], seg[k] + s2 * (t[k:] - t[k])])
        err = np.mean((fit - seg) ** 2)
        if err < best[0]:
            best = (err, -s1, -seg[k], -s2)
    return best[1], best[2], best[3]


@lru_cache(maxsize=None)
def _decay_db_per_second() -> np.ndarray:
    """dB per second of a decaying envelope at each 6-bit effective rate."""
    out = np.zeros(64)
    for rate in range(64):
        ticks = 2 ** max(0, 11 - (rate >> 2))
        out[rate] = INCREMENT[rate].mean() * DB_PER_UNIT * EG_TICK_HZ / ticks
    return out


@lru_cache(maxsize=None)
def _attack_seconds() -> np.ndarray:
    """Seconds from silence to full level at each 6-bit effective rate."""
    out = np.full(64, np.inf)
    for rate in range(2, 64):
        if rate >= 62:
            out[rate] = 0.0
            continue
        ticks = 2 ** max(0, 11 - (rate >> 2))
        att, steps = 0x3FF, 0
        while att > 0 and steps < 100_000:
            inc = INCREMENT[rate][steps % 8]
            att += ((~att) * inc) >> 4
            steps += 1
        out[rate] = steps * ticks / EG_TICK_HZ
    return out


def _nearest_rate(target: float, table: np.ndarray, raw_scale: int, offset: int, ks: int, hi: int) -> int:
    """The register value whose effective rate's figure in `table` is nearest `target` (log scale)."""
    best, best_err = 0, np.inf
    for value in range(hi + 1):
        raw = value * raw_scale + offset
        eff = 0 if raw == 0 else min(raw + ks, 63)
        fig = table[eff]
        err = abs(np.log((fig + 1e-3) / (target + 1e-3)))
        if err < best_err:
            best, best_err = value, err
    return best


def envelope_fields(shape: TargetShape, block: int, fnum: int) -> dict:
    """Attack, decays, sustain level and release for a carrier following the target."""
    ks = (block << 2 | NOTE_BITS[(fnum >> 7) & 0xF]) >> 3      # rate scaling 0
    decay = _decay_db_per_second()
    return {
        P.ATTACK_RATE: max(1, _nearest_rate(shape.attack_s, _attack_seconds(), 2, 0, ks, 31)),
        P.DECAY_RATE: _nearest_rate(shape.decay1_db_s, decay, 2, 0, ks, 31),
        P.SUSTAIN_LEVEL: int(np.clip(round(shape.knee_db / 3), 0, 15)),
        P.SUSTAIN_RATE: _nearest_rate(shape.decay2_db_s, decay, 2, 0, ks, 31),
        P.RELEASE_RATE: (_nearest_rate(shape.release_db_s, decay, 4, 2, ks, 15)
                         if shape.release_db_s > 0 else 7),
    }


def heuristic_patch(shape: TargetShape, algorithm: int, block: int, fnum: int) -> np.ndarray:
    """One plausible patch vector for `algorithm`."""
    v = np.zeros(P.SIZE, np.int64)
    v[P.ALGORITHM] = algorithm
    carriers = CARRIERS[algorithm]
    order = np.argsort(-shape.harmonics_db)           # strongest harmonics first
    env = envelope_fields(shape, block, fnum)
    # brighter targets get louder modulators
    mod_tl = int(np.clip(45 - 6 * shape.brightness, 10, 60))
    v[P.FEEDBACK] = 3 if shape.brightness > 3 else 0
    for op in range(4):
        b = P.op_base(op)
        for field, value in env.items():
            v[b + field] = value
        if op in carriers:
            rank = carriers.index(op)
            h = int(order[rank]) + 1 if rank < len(order) else 1
            v[b + P.MULTIPLE] = min(h, 15)
            v[b + P.TOTAL_LEVEL] = int(np.clip(-shape.harmonics_db[h - 1] / 0.75, 0, 60)) if rank else 0
        else:
            v[b + P.MULTIPLE] = 1 if op == 0 else min(int(order[min(op, len(order) - 1)]) + 1, 15)
            v[b + P.TOTAL_LEVEL] = mod_tl
    return v


#: SSG-EG modes that loop the envelope (docs/ym2612.md): a sawtooth down, down-up, a
#: sawtooth up, up-down. The hold modes (9, 11, 13, 15) end in a steady level, which a
#: plain envelope comes close to.
LOOPING_MODES = (8, 10, 12, 14)


def looping_variants(starts: np.ndarray) -> np.ndarray:
    """Each start with its carriers' envelopes looping, in each LOOPING_MODE.

    A looping envelope (a tremolo-like swell, a repeated pluck) is a sound no decaying
    start resembles, and no one-step move turns a decaying envelope into a loop that pays
    on its own: the polish tries SSG-EG one operator at a time, from a patch fitted to
    sound without it.
    """
    out = []
    for v in np.atleast_2d(np.asarray(starts, np.int64)):
        for mode in LOOPING_MODES:
            w = v.copy()
            for op in CARRIERS[int(v[P.ALGORITHM])]:
                w[P.op_base(op) + P.SSG_EG] = mode
            out.append(w)
    return np.array(out, np.int64).reshape(-1, P.SIZE)

"""Fundamental frequency of one sustained or decaying note.

1. YIN (de Cheveigné & Kawahara 2002: difference function, cumulative-mean
   normalisation, absolute threshold, parabolic interpolation) on up to a dozen frames
   of the loud part after the attack; the median of the frames, frames an octave or
   more apart agreeing (an FM timbre can halve its period mid-note: _consensus).
2. Inharmonic guard: the median moves to the peak of a 1/h-weighted harmonic amplitude
   sum within +-150 cents when that peak is 20 cents or more away. An inharmonic
   partial can drag YIN's period (a tinkle bell's 5.46th partial pulls it 116 cents
   sharp); the harmonic sum follows the partials that are harmonic.
3. Octave check on the spectrum, since YIN (like the loudest FFT peak) can land an
   octave high when the fundamental is weak:
   - one octave down when the candidate's half has odd partials (f/2, 3f/2, 5f/2,
     7f/2) that really sound: one within 20 dB of the loudest partial, or two within
     35 dB. A waveform with such a partial repeats only every 2/f;
   - one octave up when none of the candidate's odd partials (f, 3f, 5f, 7f) sounds
     within 35 dB of the loudest partial.

Confidence: at least PITCHED_MIN_CONFIDENCE counts as pitched. Between
WEAK_PITCH_MIN_CONFIDENCE and that (bells, a snare's drum modes, beating FM operators, a
tone in noise) the estimate is still returned: it is the best guess there is. Below it
(noise, kick, hi-hat) the f0 is a fallback that still plays sensibly on the chip: the
loudest spectral peak, clamped to C1..C6 and rounded to the nearest semitone (a kick
lands low, a hi-hat on C6, where MUL 1-15 still reaches 1-16 kHz).
"""
from __future__ import annotations

import numpy as np
from scipy.signal import welch

from fmfit.notes import hz_to_midi, midi_to_hz

FMIN_HZ = 30.0
FMAX_HZ = 2100.0
YIN_THRESHOLD = 0.15
MAX_FRAMES = 12
SKIP_ATTACK_SECONDS = 0.05
FRAME_RANGE_DB = 30.0
"""Frames quieter than this below the loudest are left out (release, decayed tail)."""
PITCHED_MIN_CONFIDENCE = 0.75
WEAK_PITCH_MIN_CONFIDENCE = 0.3
"""Tonal instruments score 0.9-1.0, a snare's drum modes ~0.67, FM sounds whose
operators beat and a tone in as much noise 0.3-0.5 (YIN's period still their note's, or
an octave of it); a kick 0.22, a closed hi-hat 0.12, white noise 0.03."""
AGREEMENT_CENTS = 50.0
PARTIAL_PROMINENCE_DB = 10.0
"""A partial 'sounds' when its peak stands this far above the local spectral median."""
STRONG_PARTIAL_DB = 20.0
PRESENT_PARTIAL_DB = 35.0
OCTAVE_CHECK_MAX_HZ = 8000.0
REFINE_CENTS = 150
REFINE_MIN_CENTS = 20
REFINE_HARMONICS = 10
FALLBACK_MIDI_RANGE = (24, 84)  # C1..C6


def estimate_f0(
    x: np.ndarray, sr: float, *, fmin: float = FMIN_HZ, fmax: float = FMAX_HZ
) -> tuple[float, float]:
    """(f0 in Hz, confidence 0..1) of a mono note that starts at its onset.

    Confidence is (1 - median YIN aperiodicity) x (share of frames within 50 cents of
    the median or of an octave of it). Below WEAK_PITCH_MIN_CONFIDENCE the f0 is the
    unpitched fallback.
    """
    x = np.asarray(x, dtype=np.float64)
    tau_min = max(2, int(np.floor(sr / fmax)))
    tau_max = int(np.ceil(sr / fmin))
    window = tau_max  # at least one period of the lowest note
    frame_len = window + tau_max + 2
    starts = _steady_frame_starts(x, sr, frame_len)
    if starts.size == 0:
        return _unpitched_fallback(x, sr), 0.0
    frames = np.stack([x[s : s + frame_len] for s in starts])
    periods, aperiodicity = _yin(frames, window, tau_min, tau_max)
    median_f0, agreement = _consensus(sr / periods, aperiodicity)
    confidence = float(np.clip(1.0 - np.median(aperiodicity), 0.0, 1.0) * agreement)
    if confidence < WEAK_PITCH_MIN_CONFIDENCE:
        return _unpitched_fallback(x, sr), confidence
    steady = x[starts[0] : starts[-1] + frame_len]
    refined = _refined_by_harmonic_sum(steady, sr, median_f0)
    return _octave_checked(steady, sr, refined, fmin, fmax), confidence


def _steady_frame_starts(x: np.ndarray, sr: float, frame_len: int) -> np.ndarray:
    """Starts of up to MAX_FRAMES frames, evenly spread over the loud part after the attack."""
    if x.size < frame_len:
        return np.zeros(0, dtype=int)
    skip = int(SKIP_ATTACK_SECONDS * sr)
    if x.size - skip < frame_len * 2:
        skip = 0
    hop = max(1, frame_len // 4)
    starts = np.arange(skip, x.size - frame_len + 1, hop)
    power_cumsum = np.concatenate(([0.0], np.cumsum(x**2)))
    energy = power_cumsum[starts + frame_len] - power_cumsum[starts]
    loud = starts[energy >= energy.max() * 10 ** (-FRAME_RANGE_DB / 10)]
    if loud.size > MAX_FRAMES:
        loud = loud[np.round(np.linspace(0, loud.size - 1, MAX_FRAMES)).astype(int)]
    return loud


def _yin(frames: np.ndarray, window: int, tau_min: int, tau_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame period (samples, interpolated) and aperiodicity (CMND at the dip)."""
    n_fft = 1 << int(np.ceil(np.log2(frames.shape[1] + window)))
    head = np.fft.rfft(frames[:, :window], n_fft)
    whole = np.fft.rfft(frames, n_fft)
    lagged_product = np.fft.irfft(np.conj(head) * whole, n_fft)[:, : tau_max + 2]
    energy_cumsum = np.concatenate(
        (np.zeros((frames.shape[0], 1)), np.cumsum(frames**2, axis=1)), axis=1
    )
    lags = np.arange(tau_max + 2)
    lagged_energy = energy_cumsum[:, lags + window] - energy_cumsum[:, lags]
    difference = np.maximum(lagged_energy[:, :1] + lagged_energy - 2 * lagged_product, 0.0)
    running = np.cumsum(difference[:, 1:], axis=1)
    cmnd = np.ones_like(difference)
    tiny = 1e-12 * (lagged_energy[:, :1] + 1e-30)
    cmnd[:, 1:] = difference[:, 1:] * lags[1:] / np.maximum(running, tiny)

    periods = np.empty(frames.shape[0])
    aperiodicity = np.empty(frames.shape[0])
    for i, curve in enumerate(cmnd):
        search = curve[tau_min : tau_max + 1]
        below = np.flatnonzero(search < YIN_THRESHOLD)
        tau = tau_min + (below[0] if below.size else int(np.argmin(search)))
        while tau < tau_max and curve[tau + 1] < curve[tau]:
            tau += 1
        offset, value = _parabolic_vertex(curve[tau - 1], curve[tau], curve[tau + 1])
        periods[i] = tau + offset
        aperiodicity[i] = value
    return periods, aperiodicity


def _consensus(frame_f0: np.ndarray, aperiodicity: np.ndarray) -> tuple[float, float]:
    """(f0, share of frames that agree with it), frames octaves apart agreeing.

    A sound whose timbre moves can change its shortest period: while a x0.5 modulator
    sounds the wave repeats every 2/f, once it has decayed every 1/f. YIN takes the
    shortest period that fits each frame, so such frames report octaves apart, each
    with a near-zero aperiodicity. They agree on the pitch class, and the octave check
    (on the whole steady part) chooses the octave. The f0 is the median of the frames
    in the octave most of them report (on a tie, the one whose frames repeat best).
    """
    cents = 1200 * np.log2(frame_f0)
    offsets = cents[None, :] - cents[:, None]
    octaves = np.round(offsets / 1200)
    agrees = np.abs(offsets - 1200 * octaves) <= AGREEMENT_CENTS
    reference = int(np.argmax(agrees.sum(axis=1)))
    members = agrees[reference]
    octave_of = octaves[reference][members]
    member_aperiodicity = aperiodicity[members]
    octave = max(np.unique(octave_of), key=lambda k: (
        np.sum(octave_of == k), -np.median(member_aperiodicity[octave_of == k])))
    chosen = frame_f0[members][octave_of == octave]
    return float(np.exp(np.median(np.log(chosen)))), float(np.mean(members))


def _parabolic_vertex(left: float, centre: float, right: float) -> tuple[float, float]:
    """Offset (-0.5..0.5) and value of the parabola's extremum through three points."""
    curvature = left - 2 * centre + right
    if curvature <= 0:
        return 0.0, float(centre)
    offset = float(np.clip(0.5 * (left - right) / curvature, -0.5, 0.5))
    return offset, float(centre - 0.25 * (left - right) * offset)


def _refined_by_harmonic_sum(steady: np.ndarray, sr: float, f0: float) -> float:
    """The f0 within +-REFINE_CENTS of f0 whose harmonics carry the most amplitude.

    f0 itself when that is under REFINE_MIN_CENTS away: YIN's period is finer than the
    spectrum's bins (which put the peak up to ~7 cents off), so only a move too large
    for that (an inharmonic partial dragging YIN) is taken.
    """
    spectrum = _PartialSpectrum(steady, sr, spacing_hz=f0 / 8)
    amplitude = 10 ** (spectrum.db / 20)
    cents = np.arange(-REFINE_CENTS, REFINE_CENTS + 1, 2.0)
    candidates = f0 * 2 ** (cents / 1200)
    top = min(OCTAVE_CHECK_MAX_HZ, 0.45 * sr)
    harmonics = np.arange(1, max(1, min(REFINE_HARMONICS, int(top // candidates[-1]))) + 1)
    partials = np.interp(np.outer(candidates, harmonics), spectrum.freqs, amplitude)
    salience = (partials / harmonics).sum(axis=1)
    best = int(np.argmax(salience))
    moved = cents[best]
    if 0 < best < cents.size - 1:
        offset, _ = _parabolic_vertex(-salience[best - 1], -salience[best], -salience[best + 1])
        moved += 2.0 * offset
    return float(f0 * 2 ** (moved / 1200)) if abs(moved) >= REFINE_MIN_CENTS else f0


def _octave_checked(steady: np.ndarray, sr: float, f0: float, fmin: float, fmax: float) -> float:
    """f0 moved an octave down or up when the spectrum's partials say so (module doc)."""
    spectrum = _PartialSpectrum(steady, sr, spacing_hz=f0 / 2)
    loudest = spectrum.loudest_partial_db(f0)
    if f0 / 2 >= fmin:
        levels = spectrum.odd_partial_levels(f0 / 2)
        strong = np.sum(levels >= loudest - STRONG_PARTIAL_DB)
        present = np.sum(levels >= loudest - PRESENT_PARTIAL_DB)
        if strong >= 1 or present >= 2:
            return f0 / 2
    if 2 * f0 <= fmax:
        levels = spectrum.odd_partial_levels(f0)
        if levels.size and np.all(levels < loudest - PRESENT_PARTIAL_DB):
            return 2 * f0
    return f0


class _PartialSpectrum:
    """Averaged power spectrum (dB) fine enough to tell partials spaced spacing_hz apart."""

    def __init__(self, x: np.ndarray, sr: float, spacing_hz: float):
        wanted = 1 << int(np.ceil(np.log2(16 * sr / spacing_hz)))
        segment = min(wanted, 1 << int(np.floor(np.log2(x.size))))
        self.freqs, power = welch(
            x, fs=sr, window="hann", nperseg=segment, noverlap=segment // 2,
            nfft=max(wanted, segment), detrend=False, scaling="spectrum",
        )
        self.db = 10 * np.log10(power + 1e-20)
        self.bin_hz = self.freqs[1]
        self.sr = sr

    def partial_level(self, freq: float, spacing: float) -> tuple[float, float]:
        """(peak dB near freq, prominence over the median within +-spacing/4)."""
        half_peak = max(2 * self.bin_hz, 0.015 * freq)
        peak = self._band(freq - half_peak, freq + half_peak).max()
        background = np.median(self._band(freq - spacing / 4, freq + spacing / 4))
        return float(peak), float(peak - background)

    def odd_partial_levels(self, f: float) -> np.ndarray:
        """Peak dB of the partials f, 3f, 5f, 7f that stand out; -inf for those that don't."""
        levels = []
        for k in (1, 3, 5, 7):
            if k * f > min(OCTAVE_CHECK_MAX_HZ, 0.45 * self.sr):
                break
            peak, prominence = self.partial_level(k * f, spacing=f)
            levels.append(peak if prominence >= PARTIAL_PROMINENCE_DB else -np.inf)
        return np.array(levels)

    def loudest_partial_db(self, f0: float) -> float:
        """The loudest of the first 16 harmonics of f0."""
        top = min(16 * f0, min(OCTAVE_CHECK_MAX_HZ, 0.45 * self.sr))
        count = max(1, int(top // f0))
        return max(self.partial_level(h * f0, f0)[0] for h in range(1, count + 1))

    def _band(self, low: float, high: float) -> np.ndarray:
        lo = max(0, int(np.floor(low / self.bin_hz)))
        hi = min(self.db.size, int(np.ceil(high / self.bin_hz)) + 1)
        return self.db[lo:max(hi, lo + 1)]


def _unpitched_fallback(x: np.ndarray, sr: float) -> float:
    """The loudest spectral peak, clamped to C1..C6 and rounded to a semitone (module doc)."""
    segment = min(4096, 1 << int(np.floor(np.log2(max(x.size, 16)))))
    freqs, power = welch(x, fs=sr, nperseg=segment, detrend=False)
    peak_hz = float(freqs[1 + np.argmax(power[1:])]) if power.size > 1 else midi_to_hz(60)
    low, high = FALLBACK_MIDI_RANGE
    return midi_to_hz(float(np.clip(np.round(hz_to_midi(max(peak_hz, 1.0))), low, high)))

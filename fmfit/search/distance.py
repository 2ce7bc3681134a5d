"""The search's objective: a multi-resolution log-spectral L2 distance at the chip's rate.

It is the judge's lsd_db (docs/evaluation.md) taken at two resolutions: a long window
for the harmonics and a short one for the attack and the decay. Both signals are
RMS-normalised, so the distance ignores overall gain (the user sets the volume), and
each frame's dB difference carries the loudness contour, so the envelope counts too.
Frequencies a 44.1 kHz recording does not bring whole (above 18 kHz, where resampling
rolls off) are left out, and left out of the gain too: a bright render keeps energy up to
the chip's Nyquist (26.6 kHz) that a recording never had, and an RMS over all of it would
set the render 0.5 dB or more under its own copy through 44.1 kHz, in every bin.
DC counts, as it does for the judge (in its RMS and lowest bins): FM carriers carry some
while they sound, and the analysis leaves a sound's own DC in the target.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numba
import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal.windows import hann

RESOLUTIONS = ((2048, 1024), (512, 256))
MARGIN = max(n_fft for n_fft, _ in RESOLUTIONS) // 2   # zeros around a signal, for its end frames
CHUNK = 8              # candidates per task: the chunks are shared among numba's threads
                       # (the FFTs, log10s and kernels release the GIL: a match runs ~10%
                       # faster on 2 cores)
FLOOR = 1e-6           # 60 dB under the target's loudest bin, as the judge's lsd_db
FRAME_RANGE_DB = 60.0  # frames quieter than this under the loudest target frame don't count
BLOCK_SAMPLES = 1 << 17  # frame samples transformed at once (512 KB: they stay in cache)
HEARD_HZ = 18_000.0    # the top of what a target brings: a 44.1 kHz file resampled to the chip's
                       # rate is flat to 18.5 kHz, -0.5 dB at 19 kHz, -2 dB at 20 kHz


def _frames(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Frames centred on multiples of hop, zero-padded at the ends (as librosa's
    center=True). `x` comes with MARGIN zeros on each side already."""
    x = x[..., MARGIN - n_fft // 2: x.shape[-1] - MARGIN + n_fft // 2]
    return sliding_window_view(x, n_fft, axis=-1)[..., ::hop, :]


def power_spectrogram(x: np.ndarray, n_fft: int, hop: int, bins: int, frames=None):
    """|STFT|^2 with a Hann window of `x` (padded with MARGIN zeros, as _normalised
    gives it): its first `bins` bins, shape (..., frames, bins), float32, and the power
    of the bins above them per frame, shape (..., frames)."""
    f = _frames(x, n_fft, hop)
    lead = f.shape[:-2]
    f = f.reshape((-1,) + f.shape[-2:])
    chosen = np.arange(f.shape[1]) if frames is None else np.asarray(frames)
    rows = np.repeat(np.arange(f.shape[0]), len(chosen))
    columns = np.tile(chosen, f.shape[0])
    power = np.empty((len(rows), bins), np.float32)
    rest = np.empty(len(rows))
    # a block of frames at a time: all the frames and spectra of a call at once would be
    # fresh megabytes each time, and the page faults of new memory cost as much as the FFTs
    step = max(1, BLOCK_SAMPLES // n_fft)
    for i in range(0, len(rows), step):
        block = f[rows[i:i + step], columns[i:i + step]]
        block *= _window(n_fft)
        _split_power(scipy.fft.rfft(block, axis=-1), bins, power[i:i + step], rest[i:i + step])
    shape = lead + (len(chosen),)
    return power.reshape(shape + (bins,)), rest.reshape(shape)


@numba.njit(cache=True, nogil=True)
def _split_power(spec, bins, power, rest):
    """|X|^2 of each row's first `bins` bins into `power`, the sum over the others into
    `rest`: one pass over the spectrum (numpy's .real and .imag views took four)."""
    for r in range(spec.shape[0]):
        for k in range(bins):
            x = spec[r, k]
            power[r, k] = x.real * x.real + x.imag * x.imag
        total = 0.0
        for k in range(bins, spec.shape[1]):
            x = spec[r, k]
            total += np.float64(x.real * x.real + x.imag * x.imag)
        rest[r] = total


def _per_heard_energy(power: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """`power` (..., frames, bins) scaled, in place, as if its signal had been
    RMS-normalised on the heard bins alone: by 1 / the share of the energy they hold."""
    kept = power.sum(axis=(-2, -1), dtype=np.float64)
    total = kept + rest.sum(axis=-1)
    scale = np.divide(total, kept, out=np.ones_like(kept), where=kept > 0)
    power *= scale.astype(np.float32)[..., None, None]
    return power


@lru_cache(maxsize=8)
def _window(n_fft: int) -> np.ndarray:
    return hann(n_fft, sym=False).astype(np.float32)


class SpectralDistance:
    """distance(renders) -> one value per candidate; 0 means the same spectrogram."""

    def __init__(self, target: np.ndarray, rate: int, max_hz: float = HEARD_HZ,
                 resolutions=RESOLUTIONS):
        target, silent = _normalised(np.asarray(target)[None])
        if silent[0] or not np.all(np.isfinite(target)):
            raise ValueError("the target is silent")
        self.n_samples = target.shape[-1]
        self._levels = []
        for n_fft, hop in resolutions:
            bins = int(max_hz * n_fft / rate) + 1
            power, rest = power_spectrogram(target, n_fft, hop, bins)
            energy = power[0].sum(axis=1)
            frames = np.flatnonzero(energy >= energy.max() * 10 ** (-FRAME_RANGE_DB / 10))
            power = _per_heard_energy(power[:, frames], rest[:, frames])[0]
            floor = np.float32(FLOOR * power.max())
            target_log = power + floor
            np.log10(target_log, out=target_log)
            self._levels.append((n_fft, hop, bins, frames, floor, target_log))

    def __call__(self, renders: np.ndarray) -> np.ndarray:
        x = np.asarray(renders)
        x = (x[None] if x.ndim == 1 else x)[:, : self.n_samples]
        threads = numba.get_num_threads()
        size = max(1, min(CHUNK, -(-x.shape[0] // threads)))
        chunks = [x[i:i + size] for i in range(0, x.shape[0], size)]
        if threads > 1 and len(chunks) > 1:
            return np.concatenate(list(_pool(threads).map(self._chunk, chunks)))
        return np.concatenate([self._chunk(c) for c in chunks])

    def _chunk(self, part: np.ndarray) -> np.ndarray:
        part, silent = _normalised(part)
        total = np.zeros(part.shape[0])
        for n_fft, hop, bins, frames, floor, target_log in self._levels:
            # in place, and in log10 units (x10 at the end): each pass over these
            # arrays costs about as much as the FFT
            diff = _per_heard_energy(*power_spectrogram(part, n_fft, hop, bins, frames))
            diff += floor
            np.log10(diff, out=diff)
            diff -= target_log
            np.square(diff, out=diff)
            total += 10 * np.mean(np.sqrt(np.mean(diff, axis=-1)), axis=-1)
        total /= len(self._levels)
        total[silent] = np.inf
        return total


@lru_cache(maxsize=4)
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="fmfit-distance")


def _normalised(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows scaled to RMS 1 (float32) with MARGIN zeros on each side, and which rows
    were silent.

    Integer renders are squared and summed exactly, so a target holding the same values
    gets the same scale: identical sounds are at distance 0, not 1e-5.
    """
    x = np.asarray(x)
    out = np.empty(x.shape[:-1] + (x.shape[-1] + 2 * MARGIN,), np.float32)
    out[..., :MARGIN] = 0
    out[..., -MARGIN:] = 0
    if x.dtype == np.int16:                   # the emulator's renders: one pass, in numba
        silent = np.empty(x.shape[0], np.bool_)
        _scale_rows(x, out, silent)
        return out, silent
    if np.issubdtype(x.dtype, np.integer):
        energy = np.einsum("ij,ij->i", x, x, dtype=np.int64).astype(np.float64)
    else:
        energy = np.einsum("ij,ij->i", x, x, dtype=np.float64)
    rms = np.sqrt(energy / x.shape[1])
    silent = rms == 0
    body = out[..., MARGIN:-MARGIN]
    body[:] = x
    body *= (1.0 / np.where(silent, 1.0, rms)).astype(np.float32)[:, None]
    return out, silent


@numba.njit(cache=True, nogil=True)
def _scale_rows(x, out, silent):
    """_normalised for int16 rows: the same exact energy and float32 products, without
    numpy's int64 and float32 copies of every render."""
    n = x.shape[1]
    for r in range(x.shape[0]):
        energy = 0
        for i in range(n):
            v = np.int64(x[r, i])
            energy += v * v
        rms = np.sqrt(np.float64(energy) / n)
        silent[r] = rms == 0
        scale = np.float32(1.0 / rms) if rms > 0 else np.float32(1.0)
        for i in range(n):
            out[r, MARGIN + i] = np.float32(x[r, i]) * scale

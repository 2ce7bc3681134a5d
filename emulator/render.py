"""Rendering patches: one, or a whole population in parallel.

A patch (the vector of emulator.params) becomes the register writes the judge of
docs/evaluation.md makes on a fresh chip: LFO, every operator and channel register,
the frequency (A4 then A0), key-on last; key-off before sample `key_off`.
"""
import numpy as np
from numba import get_parallel_chunksize, njit, prange, set_parallel_chunksize

from . import params as P
from .chip import render_writes

N_PATCH_REGISTERS = 1 + 7 * 4 + 2      # LFO, operators, B0/B4: the schedule starts with these
N_PATCH_WRITES = N_PATCH_REGISTERS + 2 + 2   # then A4/A0, key on/off


@njit(cache=True)
def patch_schedule(v, block, fnum, key_off, channel, times, addresses, data):
    """Fill the write schedule for patch vector `v`; returns the number of writes."""
    base = 0x100 * (channel // 3) + channel % 3
    n = 0
    addresses[n] = 0x22
    data[n] = v[P.LFO] & 0x0F
    n += 1
    for op in range(4):
        b = P.CHANNEL_FIELDS + op * P.OP_FIELDS
        o = base + P.OP_OFFSET[op]
        regs = (
            (0x30, (v[b + P.DETUNE] & 7) << 4 | v[b + P.MULTIPLE]),
            (0x40, v[b + P.TOTAL_LEVEL]),
            (0x50, v[b + P.RATE_SCALING] << 6 | v[b + P.ATTACK_RATE]),
            (0x60, v[b + P.AM] << 7 | v[b + P.DECAY_RATE]),
            (0x70, v[b + P.SUSTAIN_RATE]),
            (0x80, v[b + P.SUSTAIN_LEVEL] << 4 | v[b + P.RELEASE_RATE]),
            (0x90, v[b + P.SSG_EG]),
        )
        for reg, value in regs:
            addresses[n] = reg + o
            data[n] = value
            n += 1
    addresses[n] = 0xB0 + base
    data[n] = v[P.FEEDBACK] << 3 | v[P.ALGORITHM]
    addresses[n + 1] = 0xB4 + base
    data[n + 1] = 0xC0 | v[P.AMS] << 4 | v[P.FMS]
    addresses[n + 2] = 0xA4 + base
    data[n + 2] = (block & 7) << 3 | (fnum >> 8) & 7
    addresses[n + 3] = 0xA0 + base
    data[n + 3] = fnum & 0xFF
    addresses[n + 4] = 0x28
    data[n + 4] = 0xF0 | channel % 3 | (channel // 3) << 2
    n += 5
    for k in range(n):
        times[k] = 0
    if key_off >= 0:
        times[n] = key_off
        addresses[n] = 0x28
        data[n] = channel % 3 | (channel // 3) << 2
        n += 1
    return n


@njit(cache=True)
def _render_one(v, block, fnum, key_off, out):
    times = np.empty(N_PATCH_WRITES, np.int64)
    addresses = np.empty(N_PATCH_WRITES, np.int64)
    data = np.empty(N_PATCH_WRITES, np.int64)
    n = patch_schedule(v, block, fnum, key_off, 0, times, addresses, data)
    render_writes(times[:n], addresses[:n], data[:n], out)


@njit(cache=True, parallel=True)
def _render_many(vs, blocks, fnums, key_offs, out):
    for k in prange(vs.shape[0]):
        _render_one(vs[k], blocks[k], fnums[k], key_offs[k], out[k])


def render_patch(v, block: int, fnum: int, n_samples: int, key_off: int | None = None,
                 out: np.ndarray | None = None) -> np.ndarray:
    """Render one patch vector: key-on at sample 0, key-off before sample `key_off`.

    Returns int16 channel values (-257..256) at 53,267 Hz. `key_off=None` holds the note.
    """
    v = np.ascontiguousarray(v, np.int64)
    if v.shape != (P.SIZE,):
        raise ValueError(f"a patch vector has {P.SIZE} values, got shape {v.shape}")
    if out is None:
        out = np.empty(n_samples, np.int16)
    _render_one(v, int(block), int(fnum), -1 if key_off is None else int(key_off), out[:n_samples])
    return out


def render_batch(vs, block, fnum, n_samples: int, key_off=None,
                 out: np.ndarray | None = None) -> np.ndarray:
    """Render a population of patch vectors (N, SIZE) in parallel over the cores.

    block, fnum and key_off may be scalars or per-patch arrays. Returns (N, n_samples)
    int16; pass `out` to reuse a preallocated array.
    """
    vs = np.ascontiguousarray(vs, np.int64)
    if vs.ndim != 2 or vs.shape[1] != P.SIZE:
        raise ValueError(f"expected patch vectors of shape (N, {P.SIZE}), got {vs.shape}")
    n = vs.shape[0]
    blocks = np.broadcast_to(np.asarray(block, np.int64), (n,)).copy()
    fnums = np.broadcast_to(np.asarray(fnum, np.int64), (n,)).copy()
    offs = np.broadcast_to(np.asarray(-1 if key_off is None else key_off, np.int64), (n,)).copy()
    if out is None:
        out = np.empty((n, n_samples), np.int16)
    elif out.shape != (n, n_samples) or out.dtype != np.int16 or not out.flags.c_contiguous:
        raise ValueError("out must be a C-contiguous int16 array of shape (N, n_samples)")
    # patches differ in cost (a released note stops early): hand them out one at a
    # time rather than in one fixed block per thread
    previous = get_parallel_chunksize()
    set_parallel_chunksize(1)
    try:
        _render_many(vs, blocks, fnums, offs, out)
    finally:
        set_parallel_chunksize(previous)
    return out


def patch_writes(v, block: int, fnum: int, key_off: int | None = None,
                 channel: int = 0) -> list[tuple[int, int, int]]:
    """The (sample, address, data) writes of one note of patch vector `v`, as rendered."""
    times, addresses, data = (np.empty(N_PATCH_WRITES, np.int64) for _ in range(3))
    n = patch_schedule(np.asarray(v, np.int64), int(block), int(fnum),
                       -1 if key_off is None else int(key_off), channel, times, addresses, data)
    return list(zip(times[:n].tolist(), addresses[:n].tolist(), data[:n].tolist()))


def patch_register_writes(v, channel: int = 0) -> list[tuple[int, int]]:
    """The (address, data) writes that load vector `v` into `channel` (0-5), LFO included;
    no frequency, no key-on. Addresses 0x100-0x1FF are bank 1 (channels 3-5)."""
    return [(a, d) for _, a, d in patch_writes(v, 0, 0, None, channel)[:N_PATCH_REGISTERS]]


def render_register_writes(writes, n_samples: int) -> np.ndarray:
    """Render timed register writes [(sample, address, data), ...] on a fresh chip.

    Channel 1 is rendered; writes to other channels are accepted and have no effect on it.
    """
    w = sorted(((int(t), int(a), int(d)) for t, a, d in writes), key=lambda x: x[0])
    arr = np.array(w, np.int64).reshape(-1, 3)
    out = np.empty(n_samples, np.int16)
    render_writes(arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), out)
    return out


def to_float(samples: np.ndarray) -> np.ndarray:
    """Channel values as float32 in about [-1, 1] (256 is full scale)."""
    return np.asarray(samples, np.float32) / np.float32(256.0)

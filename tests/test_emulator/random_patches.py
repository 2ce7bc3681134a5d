"""Random patch vectors and register-write schedules that cover the whole chip."""
import numpy as np

from emulator import params as P
from emulator.render import N_PATCH_WRITES, patch_schedule


def random_vector(rng) -> np.ndarray:
    v = rng.integers(0, P.MAXIMA.astype(np.int64) + 1).astype(np.int64)
    v[P.LFO] = rng.integers(0, 16) if rng.random() < 0.4 else 0
    for op in range(4):
        b = P.op_base(op)
        v[b + P.SSG_EG] = (8 | rng.integers(0, 8)) if rng.random() < 0.3 else 0
        # keep most operators audible so that mismatches cannot hide in silence
        v[b + P.TOTAL_LEVEL] = rng.integers(0, 128) if rng.random() < 0.2 else rng.integers(0, 60)
        if rng.random() < 0.6:
            v[b + P.ATTACK_RATE] = rng.integers(18, 32)
    return v


def note_writes(v, block, fnum, key_off) -> list[tuple[int, int, int]]:
    t = np.zeros(N_PATCH_WRITES, np.int64)
    a = t.copy()
    d = t.copy()
    n = patch_schedule(np.asarray(v, np.int64), block, fnum, key_off, 0, t, a, d)
    return list(zip(t[:n].tolist(), a[:n].tolist(), d[:n].tolist()))


def random_schedule(rng, n_samples: int) -> list[tuple[int, int, int]]:
    """A note plus mid-note register changes, key-off, re-key-on, partial key-ons and
    writes to other channels (which must not disturb channel 1)."""
    v = random_vector(rng)
    writes = note_writes(v, int(rng.integers(0, 8)), int(rng.integers(0, 2048)), -1)
    t = 0
    for _ in range(rng.integers(1, 6)):
        t = int(rng.integers(t + 1, n_samples))
        kind = rng.integers(0, 7)
        if kind == 0:      # key-off, maybe followed by a re-key-on
            writes.append((t, 0x28, 0x00))
            if rng.random() < 0.7:
                writes.append((int(rng.integers(t + 1, n_samples + 1)), 0x28, 0xF0))
        elif kind == 1:    # some operators keyed
            writes.append((t, 0x28, int(rng.integers(0, 16)) << 4))
        elif kind == 2:    # a new frequency (A4 then A0)
            fnum = int(rng.integers(0, 2048))
            writes += [(t, 0xA4, int(rng.integers(0, 8)) << 3 | fnum >> 8), (t, 0xA0, fnum & 0xFF)]
        elif kind == 3:    # an operator register changes mid-note
            reg = int(rng.choice([0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90])) + int(rng.choice([0, 4, 8, 12]))
            writes.append((t, reg, int(rng.integers(0, 256))))
        elif kind == 4:    # channel registers, LFO
            writes.append((t, int(rng.choice([0xB0, 0x22])), int(rng.integers(0, 256))))
        elif kind == 5:    # LFO sensitivity; pan left on (the side compared), or both off
            writes.append((t, 0xB4, int(rng.choice([0x80, 0xC0, 0x00])) | int(rng.integers(0, 64))))
        else:              # another channel's writes and a lone A0 (ignored by ymfm)
            writes += [(t, 0x31, int(rng.integers(0, 256))), (t, 0x28, 0xF1),
                       (t, 0x134, int(rng.integers(0, 256))), (t, 0xA0, int(rng.integers(0, 256)))]
    return writes

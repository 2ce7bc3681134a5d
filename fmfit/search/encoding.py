"""The continuous space CMA-ES searches, and how a point becomes register values.

One point per algorithm is the feedback plus nine fields per operator, each scaled to
[0, 1] over its register range; decoding rounds to the nearest register value. SSG-EG,
AM and the LFO are not searched: they keep the values of a template (the starting patch),
so that a start with vibrato or an SSG-EG loop keeps it (the polish may change them).
"""
from __future__ import annotations

import numpy as np

from emulator import params as P

#: The operator fields searched, with their register ranges.
#: The operator fields searched: register range, and a typical useful step (CMA's
#: initial spread per coordinate: FM is far more sensitive to a level than to a rate).
OPERATOR_FIELDS = (
    ("multiple", P.MULTIPLE, 0, 15, 1.0),
    ("detune", P.DETUNE, -3, 3, 1.0),          # as -3..+3, stored in the register encoding
    ("total_level", P.TOTAL_LEVEL, 0, 127, 3.0),
    ("attack_rate", P.ATTACK_RATE, 1, 31, 2.0),  # AR 0 never starts the note
    ("decay_rate", P.DECAY_RATE, 0, 31, 2.0),
    ("sustain_level", P.SUSTAIN_LEVEL, 0, 15, 1.0),
    ("sustain_rate", P.SUSTAIN_RATE, 0, 31, 2.0),
    ("release_rate", P.RELEASE_RATE, 0, 15, 1.0),
    ("rate_scaling", P.RATE_SCALING, 0, 3, 0.7),
)
DIMENSIONS = 1 + 4 * len(OPERATOR_FIELDS)

_LO = np.array([0] + [f[2] for f in OPERATOR_FIELDS] * 4, np.float64)
_HI = np.array([7] + [f[3] for f in OPERATOR_FIELDS] * 4, np.float64)
#: One typical step per coordinate, in the [0, 1] encoding.
STEPS = np.array([1.0] + [f[4] for f in OPERATOR_FIELDS] * 4) / (_HI - _LO)
_INDEX = np.array([P.FEEDBACK] + [P.op_base(op) + f[1] for op in range(4) for f in OPERATOR_FIELDS])
_DETUNE_COLUMNS = np.array([1 + op * len(OPERATOR_FIELDS) + 1 for op in range(4)])


def decode(x: np.ndarray, algorithm: int, template: np.ndarray | None = None) -> np.ndarray:
    """Points in [0,1]^DIMENSIONS (K, D) -> patch vectors (K, SIZE); the fields not
    searched come from `template` (off when there is none)."""
    x = np.clip(np.atleast_2d(x), 0.0, 1.0)
    values = np.rint(_LO + x * (_HI - _LO)).astype(np.int64)
    det = values[:, _DETUNE_COLUMNS]
    values[:, _DETUNE_COLUMNS] = np.where(det < 0, 4 - det, det)
    out = np.zeros((x.shape[0], P.SIZE), np.int64)
    if template is not None:
        out[:] = np.asarray(template, np.int64)
    out[:, P.ALGORITHM] = algorithm
    out[:, _INDEX] = values
    return out


def encode(vectors: np.ndarray) -> np.ndarray:
    """Patch vectors (K, SIZE) -> points in [0,1]^DIMENSIONS (the searched fields only)."""
    v = np.atleast_2d(vectors).astype(np.int64)
    values = v[:, _INDEX].astype(np.float64)
    det = values[:, _DETUNE_COLUMNS]
    values[:, _DETUNE_COLUMNS] = np.where(det >= 4, 4 - det, det)
    return (values - _LO) / (_HI - _LO)

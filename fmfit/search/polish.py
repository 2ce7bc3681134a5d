"""Discrete polish: steepest descent over neighbouring register values."""
from __future__ import annotations

import numpy as np

from emulator import params as P

from .evaluator import Evaluator

# (field, steps) tried on each operator; TL also takes bigger strides.
_MOVES = (
    (P.MULTIPLE, (-1, 1)), (P.DETUNE, (-1, 1)), (P.TOTAL_LEVEL, (-4, -1, 1, 4)),
    (P.ATTACK_RATE, (-2, -1, 1, 2)), (P.DECAY_RATE, (-2, -1, 1, 2)), (P.SUSTAIN_LEVEL, (-1, 1)),
    (P.SUSTAIN_RATE, (-2, -1, 1, 2)), (P.RELEASE_RATE, (-1, 1)), (P.RATE_SCALING, (-1, 1)),
)
_DETUNE_STEP = {0: {-1: 5, 1: 1}, 1: {-1: 0, 1: 2}, 2: {-1: 1, 1: 3}, 3: {-1: 2},
                5: {-1: 6, 1: 0}, 6: {-1: 7, 1: 5}, 7: {1: 6}, 4: {-1: 5, 1: 1}}


def neighbours(v: np.ndarray) -> np.ndarray:
    """Every patch one register step away from `v` (within range)."""
    out = []
    for step in (-1, 1):
        if 0 <= v[P.FEEDBACK] + step <= 7:
            w = v.copy()
            w[P.FEEDBACK] += step
            out.append(w)
    for op in range(4):
        b = P.op_base(op)
        for field, steps in _MOVES:
            for step in steps:
                w = v.copy()
                if field == P.DETUNE:
                    if step not in _DETUNE_STEP[int(v[b + field])]:
                        continue
                    w[b + field] = _DETUNE_STEP[int(v[b + field])][step]
                else:
                    value = v[b + field] + step
                    lo = 1 if field == P.ATTACK_RATE else 0
                    if not lo <= value <= P.MAXIMA[b + field]:
                        continue
                    w[b + field] = value
                out.append(w)
    return np.array(out, np.int64)


def polish(evaluate: Evaluator, v: np.ndarray, *, renders: int, on_round=None) -> tuple[np.ndarray, float]:
    v = np.asarray(v, np.int64).copy()
    best = float(evaluate(v)[0])
    first = evaluate.renders
    while evaluate.renders - first < renders:
        cand = neighbours(v)
        d = evaluate(cand)
        i = int(np.argmin(d))
        if not d[i] < best - 1e-9:
            break
        v, best = cand[i].copy(), float(d[i])
        if on_round:
            on_round(best)
    return v, best

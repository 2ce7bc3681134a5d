"""Discrete polish: steepest descent over neighbouring register values.

Small moves (one register step) first; when none helps, wider ones (any ratio for an
operator, big level changes, SSG-EG modes, two operators trading places, any feedback,
the LFO), and back to small moves as soon as a wide one pays.
"""
from __future__ import annotations

import numpy as np

from emulator import params as P

from ..patch import CARRIERS
from .evaluator import Evaluator

# (field, steps) tried on each operator; TL also takes bigger strides.
_SMALL = (
    (P.MULTIPLE, (-1, 1)), (P.DETUNE, (-1, 1)), (P.TOTAL_LEVEL, (-4, -1, 1, 4)),
    (P.ATTACK_RATE, (-2, -1, 1, 2)), (P.DECAY_RATE, (-2, -1, 1, 2)), (P.SUSTAIN_LEVEL, (-1, 1)),
    (P.SUSTAIN_RATE, (-2, -1, 1, 2)), (P.RELEASE_RATE, (-1, 1)), (P.RATE_SCALING, (-1, 1)),
)
# detune register value -> {step: register value}: the register is 0..3 = +0..+3, 5..7 = -1..-3
_DETUNE_STEP = {0: {-1: 5, 1: 1}, 1: {-1: 0, 1: 2}, 2: {-1: 1, 1: 3}, 3: {-1: 2},
                5: {-1: 6, 1: 0}, 6: {-1: 7, 1: 5}, 7: {1: 6}, 4: {-1: 5, 1: 1}}
_PLAIN = ((P.ATTACK_RATE, 31), (P.DETUNE, 0), (P.RATE_SCALING, 0), (P.SUSTAIN_RATE, 0))


def _set(v, index, value, lo=0):
    if not lo <= value <= P.MAXIMA[index] or value == v[index]:
        return None
    w = v.copy()
    w[index] = value
    return w


def neighbours(v: np.ndarray) -> np.ndarray:
    """Every patch one register step away from `v` (within range)."""
    out = [_set(v, P.FEEDBACK, v[P.FEEDBACK] + s) for s in (-1, 1)]
    for op in range(4):
        b = P.op_base(op)
        for field, steps in _SMALL:
            for step in steps:
                if field == P.DETUNE:
                    value = _DETUNE_STEP[int(v[b + field])].get(step)
                    out.append(None if value is None else _set(v, b + field, value))
                else:
                    out.append(_set(v, b + field, v[b + field] + step, 1 if field == P.ATTACK_RATE else 0))
    return np.array([w for w in out if w is not None], np.int64)


def wide_neighbours(v: np.ndarray) -> np.ndarray:
    """Bigger jumps: any ratio, levels +-8/16, SSG-EG modes, swapped operators, any
    feedback, LFO vibrato and tremolo, and fields back to their plain values."""
    out = [_set(v, P.FEEDBACK, fb) for fb in range(8)]
    for op in range(4):
        b = P.op_base(op)
        out += [_set(v, b + P.MULTIPLE, m) for m in range(16) if abs(m - v[b + P.MULTIPLE]) > 1]
        out += [_set(v, b + P.TOTAL_LEVEL, v[b + P.TOTAL_LEVEL] + s) for s in (-16, -8, 8, 16)]
        out += [_set(v, b + P.SSG_EG, ssg) for ssg in (0, *range(8, 16))]
    # vibrato and tremolo: the LFO at rate 0 (as the judge and the writers play it)
    for fms in range(8):
        w = _set(v, P.FMS, fms)
        if w is not None:
            w[P.LFO] = P.LFO_ENABLE if fms or w[P.AMS] else 0
            out.append(w)
    for ams in range(4):
        w = _set(v, P.AMS, ams)
        if w is not None:
            w[P.LFO] = P.LFO_ENABLE if ams or w[P.FMS] else 0
            for op in range(4):
                w[P.op_base(op) + P.AM] = 1 if ams else 0
            out.append(w)
    # the values musicians leave most fields at (an instant attack, no detune, no rate
    # scaling, no second decay): one operator at a time, and every operator at once,
    # since a search coming from elsewhere rarely walks all the way there step by step
    for field, value in _PLAIN:
        out += [_set(v, P.op_base(op) + field, value) for op in range(4)]
        w = v.copy()
        for op in range(4):
            w[P.op_base(op) + field] = value
        out.append(None if np.array_equal(w, v) else w)
    for i in range(4):
        for j in range(i + 1, 4):
            w = v.copy()
            w[P.op_fields(i)], w[P.op_fields(j)] = v[P.op_fields(j)], v[P.op_fields(i)]
            out.append(w if not np.array_equal(w, v) else None)
    return np.array([w for w in out if w is not None], np.int64)


# the envelope fields that shape the note past its first moments, latest first
TAIL_FIELDS = (P.RELEASE_RATE, P.SUSTAIN_RATE, P.DECAY_RATE, P.SUSTAIN_LEVEL)


def carrier_values(v: np.ndarray, field: int) -> np.ndarray:
    """`v` with an operator field at each of its values on all carriers at once."""
    values = np.arange(int(P.MAXIMA[P.op_base(0) + field]) + 1)
    out = np.repeat(v[None], len(values), axis=0)
    for op in CARRIERS[int(v[P.ALGORITHM])]:
        out[:, P.op_base(op) + field] = values
    return out


def fit_tail(evaluate: Evaluator, v: np.ndarray) -> tuple[np.ndarray, float]:
    """Each late-envelope field (release, second decay, first decay, sustain level) set
    to its best value on all carriers at once, one field after another.

    The first stages hear only the note's first moments, so when the whole note is first
    heard its decay past them and its release may be far off; a step at a time the
    polish would walk there slowly, or not at all when the budget is small.
    """
    v = np.asarray(v, np.int64).copy()
    best = float(evaluate(v)[0])
    heard = TAIL_FIELDS if evaluate.key_off is not None else TAIL_FIELDS[1:]  # no key-off, no release
    for field in heard:
        cand = carrier_values(v, field)
        d = evaluate(cand)
        i = int(np.argmin(d))
        if d[i] < best - 1e-9:
            v, best = cand[i].copy(), float(d[i])
    return v, best


def _combined(v: np.ndarray, cand: np.ndarray, d: np.ndarray, best: float) -> np.ndarray | None:
    """All the improving moves of a round at once (the best move per register): fields
    far apart barely interact, so their gains mostly add up, for one more render."""
    changed = cand != v
    taken = np.zeros(v.shape, bool)
    w = v.copy()
    moves = 0
    for i in np.argsort(d, kind="stable"):
        if not d[i] < best - 1e-9:
            break
        if np.any(taken & changed[i]):
            continue
        w[changed[i]] = cand[i][changed[i]]
        taken |= changed[i]
        moves += 1
    return w[None] if moves > 1 else None


def polish(evaluate: Evaluator, v: np.ndarray, *, renders: int, on_round=None) -> tuple[np.ndarray, float]:
    v = np.asarray(v, np.int64).copy()
    best = float(evaluate(v)[0])
    first = evaluate.renders
    wide = False
    while evaluate.renders - first < renders:
        cand = wide_neighbours(v) if wide else neighbours(v)
        d = evaluate(cand)
        combined = _combined(v, cand, d, best)
        if combined is not None:
            cand, d = np.vstack([cand, combined]), np.append(d, evaluate(combined))
        i = int(np.argmin(d))
        if d[i] < best - 1e-9:
            v, best, wide = cand[i].copy(), float(d[i]), False
            if on_round:
                on_round(best)
        elif wide:
            break                      # neither small nor wide moves help: a local optimum
        else:
            wide = True
    return v, best

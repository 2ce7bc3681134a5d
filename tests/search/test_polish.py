"""The discrete polish, on objectives whose optimum is known."""
import numpy as np

from emulator import params as P
from fmfit.search.polish import polish


class _SeparableObjective:
    """A stand-in for Evaluator: the distance is the sum of |register - goal| over a few
    operator fields, so every field can be fixed on its own and gains add up."""

    def __init__(self, goal):
        self.goal = goal
        self.fields = [P.op_base(op) + f for op in range(4) for f in (P.TOTAL_LEVEL, P.DECAY_RATE)]
        self.renders = 0

    def __call__(self, vectors):
        vectors = np.atleast_2d(vectors)
        self.renders += len(vectors)
        return np.abs(vectors[:, self.fields] - self.goal[self.fields]).sum(axis=1).astype(float)


def test_polish_takes_independent_improvements_together():
    start = np.zeros(P.SIZE, np.int64)
    for op in range(4):
        start[P.op_base(op) + P.ATTACK_RATE] = 31
    goal = start.copy()
    for op in range(4):
        goal[P.op_base(op) + P.TOTAL_LEVEL] = 5 + op
        goal[P.op_base(op) + P.DECAY_RATE] = 3
    objective = _SeparableObjective(goal)
    v, d = polish(objective, start, renders=10_000)
    assert d == 0 and np.array_equal(v[objective.fields], goal[objective.fields])
    # one move at a time would take a round per step (about 18 rounds of ~90 renders)
    assert objective.renders < 6 * 100


def test_wide_moves_put_a_field_back_to_its_plain_value_on_every_operator_at_once():
    """A search coming from elsewhere stops short of the values most patches use (an
    instant attack, no detune): one wide move sets them on all four operators."""
    from fmfit.search.polish import wide_neighbours

    v = np.zeros(P.SIZE, np.int64)
    for op in range(4):
        v[P.op_base(op) + P.ATTACK_RATE] = 20 + op
        v[P.op_base(op) + P.DETUNE] = 1 + op % 3
    moves = wide_neighbours(v)
    all_instant = v.copy()
    no_detune = v.copy()
    for op in range(4):
        all_instant[P.op_base(op) + P.ATTACK_RATE] = 31
        no_detune[P.op_base(op) + P.DETUNE] = 0
    assert any(np.array_equal(m, all_instant) for m in moves)
    assert any(np.array_equal(m, no_detune) for m in moves)
    assert len(np.unique(moves, axis=0)) == len(moves)      # no move twice
    assert not any(np.array_equal(m, v) for m in moves)     # and no empty move



def test_the_late_envelope_is_fitted_on_all_carriers_at_once():
    """A patch heard only in its first moments can have any release: fit_tail finds the
    target's (rendered by the emulator, key-off after 0.3 s) in one sweep per field,
    where the polish would need a step per register value."""
    import emulator
    from fmfit.patch import Operator, Patch
    from fmfit.search.evaluator import Evaluator
    from fmfit.search.polish import fit_tail

    carrier = Operator(multiple=1, total_level=0, attack_rate=31, decay_rate=4, sustain_level=2,
                       release_rate=6)
    true = Patch(algorithm=4, feedback=3, operators=(
        Operator(multiple=2, total_level=30), carrier, Operator(multiple=3, total_level=35), carrier))
    block, fnum = 4, 1000
    n, key_off = int(0.6 * emulator.SAMPLE_RATE), int(0.3 * emulator.SAMPLE_RATE)
    target = emulator.render_patch(true.to_params(), block, fnum, n, key_off).astype(np.float64)
    evaluate = Evaluator(target, block, fnum, key_off)
    fast_release = true.with_operator(1, release_rate=15).with_operator(3, release_rate=15).to_params()
    assert evaluate(fast_release)[0] > 1.0
    v, d = fit_tail(evaluate, fast_release)
    assert d < 1e-6 and np.array_equal(v, true.to_params())
    assert evaluate.renders <= 4 * 32 + 1

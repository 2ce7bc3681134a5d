"""Variation and evolution of patches: children keep their parents' operators, and an
evolution reaches a patch whose operators no single start holds (on the real emulator)."""
import numpy as np

import emulator
from emulator import params as P
from fmfit.search.evaluator import Evaluator
from fmfit.search.evolve import crossed_patch, evolve, perturb
from fmfit.training import searchable
from tests.conftest import megatoy_vectors


def _real():
    return searchable(megatoy_vectors())


def test_perturb_moves_little():
    rng = np.random.default_rng(0)
    v = megatoy_vectors()[0]
    for _ in range(50):
        w = perturb(v, rng)
        assert np.abs(w - v)[P.CHANNEL_FIELDS:].max() <= 7


def test_a_crossed_patch_takes_each_operator_from_a_parent():
    real = _real()
    a, b = real[0].copy(), real[1].copy()
    b[P.ALGORITHM] = a[P.ALGORITHM]
    rng = np.random.default_rng(1)
    for _ in range(30):
        child = crossed_patch(a, b, rng)
        assert child[P.ALGORITHM] == a[P.ALGORITHM]
        for op in range(4):
            # within a perturbation (<= 7 per field) of the same operator of one parent
            s = P.op_fields(op)
            assert min(np.abs(child[s] - a[s]).max(), np.abs(child[s] - b[s]).max()) <= 7


def test_evolution_joins_the_right_halves_of_two_starts():
    """The goal's modulators are in one start, its carriers in the other: neither start
    is close, and CMA-ES from either would have to walk every field of two operators."""
    real = _real()
    goal = next(v for v in real if v[P.ALGORITHM] == 4)     # 1 -> 2, 3 -> 4: two pairs
    other = real[(real[:, P.ALGORITHM] != 4)][3].copy()
    other[P.ALGORITHM] = 4
    left, right = goal.copy(), goal.copy()
    left[P.op_fields(2)], left[P.op_fields(3)] = other[P.op_fields(2)], other[P.op_fields(3)]
    right[P.op_fields(0)], right[P.op_fields(1)] = other[P.op_fields(0)], other[P.op_fields(1)]
    block, fnum = 4, 653
    target = emulator.render_patch(goal, block, fnum, 16000, None).astype(np.float64)
    evaluate = Evaluator(target, block, fnum, None)
    start = evaluate(np.array([left, right])).min()
    v, d = evolve(evaluate, np.array([left, right]), renders=400, rng=np.random.default_rng(0))
    assert d < 0.25 * start and d == evaluate(v)[0]
    assert evaluate.renders <= 2 + 400 + 32
    # the same seed breeds the same patch
    w, _ = evolve(Evaluator(target, block, fnum, None), np.array([left, right]), renders=400,
                  rng=np.random.default_rng(0))
    np.testing.assert_array_equal(v, w)

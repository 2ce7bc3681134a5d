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

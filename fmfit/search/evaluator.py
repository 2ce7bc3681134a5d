"""Renders candidate patches in batches and scores them, counting and caching renders."""
from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

import emulator
from emulator import params as P

from .distance import SpectralDistance


class Evaluator:
    """Distance of patch vectors to one target, at the target's note and timing.

    The same register values are never rendered twice: many points of the continuous
    search round to the same patch.
    """

    def __init__(self, target: np.ndarray, block: int, fnum: int, key_off: int | None,
                 rate: int = emulator.SAMPLE_RATE, budget: "Budget | None" = None):
        self.distance = SpectralDistance(target, rate)
        self.block, self.fnum = int(block), int(fnum)
        self.n_samples = len(target)
        self.key_off = key_off if key_off is not None and key_off < self.n_samples else None
        self.renders = 0
        self.seconds = 0.0
        self.budget = budget if budget is not None else Budget(10**12)
        self._cache: dict[bytes, float] = {}

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        """Distances; candidates past the end of the budget come back as inf, unrendered."""
        vectors = np.ascontiguousarray(np.atleast_2d(vectors), np.int64)
        keys = [canonical_key(v) for v in vectors]
        todo = {}
        for i, k in enumerate(keys):
            if k not in self._cache and k not in todo and len(todo) < self.budget.left:
                todo[k] = i
        if todo:
            t0 = time.perf_counter()
            rows = vectors[list(todo.values())]
            audio = emulator.render_batch(rows, self.block, self.fnum, self.n_samples, self.key_off)
            for k, d in zip(todo, self.distance(audio)):
                self._cache[k] = float(d)
            self.renders += len(todo)
            self.budget.left -= len(todo)
            self.seconds += time.perf_counter() - t0
        return np.array([self._cache.get(k, np.inf) for k in keys])

    def render(self, vector: np.ndarray) -> np.ndarray:
        return emulator.render_patch(vector, self.block, self.fnum, self.n_samples, self.key_off)


class Budget:
    """Renders left, shared by the evaluators of one search, and an optional deadline.

    A deadline makes the result depend on the machine's speed; a render count does not.
    """

    def __init__(self, renders: int, seconds: float | None = None):
        self._left = int(renders)
        self.deadline = None if seconds is None else time.monotonic() + seconds

    @property
    def left(self) -> int:
        if self.deadline is not None and time.monotonic() > self.deadline:
            return 0
        return self._left

    @left.setter
    def left(self, value: int):
        self._left = int(value)

    @contextmanager
    def suspended(self, renders: int):
        """Allow `renders` more whatever is left (for the last necessary step)."""
        deadline, left = self.deadline, self._left
        self.deadline, self._left = None, max(left, renders)
        try:
            yield
        finally:
            self.deadline = deadline
            self._left = max(0, left - (max(left, renders) - self._left))


def canonical_key(v: np.ndarray) -> bytes:
    """Register values that sound the same give the same key (DT -0 is +0)."""
    v = np.array(v, np.int64)
    for op in range(4):
        i = P.op_base(op) + P.DETUNE
        if v[i] == 4:
            v[i] = 0
    return v.tobytes()

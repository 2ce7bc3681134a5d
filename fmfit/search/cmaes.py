"""CMA-ES (pycma, ask/tell) over one algorithm's continuous encoding."""
from __future__ import annotations

import warnings

import numpy as np
from threadpoolctl import threadpool_limits

with warnings.catch_warnings():
    # pycma announces, on import, that its plotting needs matplotlib: not our business
    warnings.filterwarnings("ignore", message="Could not import matplotlib")
    import cma

from .encoding import DIMENSIONS, STEPS, decode, encode
from .evaluator import Evaluator


def refine(evaluate: Evaluator, algorithm: int, start: np.ndarray, *, sigma: float, renders: int,
           seed: int, popsize: int = 16, on_generation=None) -> tuple[np.ndarray, float]:
    """Best patch vector found from `start` within about `renders` new renders.

    `sigma` is in typical register steps (encoding.STEPS) per coordinate: all 37 fields
    move at once, so a fraction of a step each is already a clearly different sound.
    """
    def strategy(x0, scale, k):
        return cma.CMAEvolutionStrategy(x0, scale, {
            "bounds": [0.0, 1.0], "popsize": popsize, "seed": seed + 7919 * k, "verbose": -9,
            "tolfun": 1e-4, "tolx": 1e-4, "CMA_stds": STEPS})

    # pycma's algebra is on 37x37 matrices: BLAS threads only wait on each other (and on
    # the emulator's), which made each eigendecomposition 40 times slower
    with threadpool_limits(limits=1, user_api="blas"):
        return _refine(evaluate, algorithm, start, strategy, sigma, renders, popsize, on_generation)


def _refine(evaluate, algorithm, start, strategy, sigma, renders, popsize, on_generation):
    es = strategy(encode(start)[0], sigma, 0)
    best_v = np.asarray(start, np.int64)
    template = best_v.copy()          # SSG-EG, AM and the LFO, which CMA-ES does not move
    best_d = float(evaluate(best_v)[0])
    first = evaluate.renders
    generations = 0
    restarts = 0
    # cache hits cost nothing, so cap generations as well as renders
    while evaluate.renders - first < renders and generations < 3 * renders // popsize + 5:
        if es.stop():
            # stuck: start again from the best so far, searching wider each time
            restarts += 1
            es = strategy(encode(best_v)[0], sigma * (1 + restarts) / 2, restarts)
        xs = es.ask()
        vs = decode(np.array(xs), algorithm, template)
        d = evaluate(vs)
        es.tell(xs, d.tolist())
        i = int(np.argmin(d))
        if d[i] < best_d:
            best_d, best_v = float(d[i]), vs[i].copy()
        generations += 1
        if on_generation:
            on_generation(best_d)
    return best_v, best_d


__all__ = ["refine", "DIMENSIONS"]

"""CMA-ES (pycma, ask/tell) over one algorithm's continuous encoding."""
from __future__ import annotations

import cma
import numpy as np

from .encoding import DIMENSIONS, decode, encode
from .evaluator import Evaluator


def refine(evaluate: Evaluator, algorithm: int, start: np.ndarray, *, sigma: float, renders: int,
           seed: int, popsize: int = 16, on_generation=None) -> tuple[np.ndarray, float]:
    """Best patch vector found from `start` within about `renders` new renders."""
    x0 = encode(start)[0]
    es = cma.CMAEvolutionStrategy(x0, sigma, {
        "bounds": [0.0, 1.0], "popsize": popsize, "seed": seed, "verbose": -9,
        "tolfun": 1e-4, "tolx": 1e-3,
    })
    best_v = np.asarray(start, np.int64)
    best_d = float(evaluate(best_v)[0])
    first = evaluate.renders
    generations = 0
    restarts = 0
    # cache hits cost nothing, so cap generations as well as renders
    while evaluate.renders - first < renders and generations < 3 * renders // popsize + 5:
        if es.stop():
            # stuck: start again from the best so far, searching wider each time
            restarts += 1
            es = cma.CMAEvolutionStrategy(encode(best_v)[0], sigma * (1 + restarts) / 2, {
                "bounds": [0.0, 1.0], "popsize": popsize, "seed": seed + 7919 * restarts,
                "verbose": -9, "tolfun": 1e-4, "tolx": 1e-3})
        xs = es.ask()
        vs = decode(np.array(xs), algorithm)
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

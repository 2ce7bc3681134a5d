"""Variation of patches: nearby patches, children of two patches, and an evolution of a
pool of starting points by both.

An FM patch is four operators whose parts combine: a good start may have the right
modulator and a wrong carrier, another the reverse. Children that take each operator
from either of two parents reach combinations that no start holds and that CMA-ES,
moving all fields a little from one start, does not find. The same variations draw the
warm start's training bank (fmfit.training) around the real patches.
"""
from __future__ import annotations

import numpy as np

from emulator import params as P

from .evaluator import Evaluator

ELITE = 16         # patches kept as parents
CHILDREN = 32      # children per generation
# the largest step perturb takes in each envelope and level field
PERTURB_STEPS = {P.TOTAL_LEVEL: 6, P.ATTACK_RATE: 3, P.DECAY_RATE: 3, P.SUSTAIN_RATE: 3,
                 P.SUSTAIN_LEVEL: 1, P.RELEASE_RATE: 1}


def perturb(v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A nearby patch: each field moves with some probability, by a musically small step."""
    w = v.copy()
    for op in range(4):
        b = P.op_base(op)
        for field, size in PERTURB_STEPS.items():
            if rng.random() < 0.3:
                w[b + field] += rng.integers(-size, size + 1)
        if rng.random() < 0.08:
            w[b + P.MULTIPLE] += rng.choice([-1, 1])
        if rng.random() < 0.1:
            w[b + P.DETUNE] = rng.integers(0, 8)
    if rng.random() < 0.2:
        w[P.FEEDBACK] += rng.choice([-1, 1])
    w = np.clip(w, 0, P.MAXIMA)
    for op in range(4):
        b = P.op_base(op)
        w[b + P.ATTACK_RATE] = max(w[b + P.ATTACK_RATE], 1)
    return w


def crossed_patch(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A child of two patches of one algorithm: each operator, and the feedback, from
    either parent; then perturbed."""
    w = a.copy()
    for op in range(4):
        if rng.random() < 0.5:
            w[P.op_fields(op)] = b[P.op_fields(op)]
    if rng.random() < 0.5:
        w[P.FEEDBACK] = b[P.FEEDBACK]
    return perturb(w, rng)


def evolve(evaluate: Evaluator, pool: np.ndarray, *, renders: int,
           rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """The best patch vector bred from `pool` (patches of one algorithm) within about
    `renders` new renders: each generation, CHILDREN crossed children of parents chosen
    by tournament among the ELITE best distinct patches so far."""
    pool = np.unique(np.atleast_2d(np.asarray(pool, np.int64)), axis=0)
    kept, dist = _best_distinct(pool, evaluate(pool))
    first = evaluate.renders
    generations = 0
    # cache hits cost nothing, so cap generations as well as renders
    while evaluate.renders - first < renders and generations < 3 * renders // CHILDREN + 5:
        generations += 1
        # a tournament of two: the lower index is the fitter parent
        pairs = rng.integers(len(kept), size=(CHILDREN, 2, 2)).min(axis=2)
        children = np.array([crossed_patch(kept[i], kept[j], rng) for i, j in pairs])
        kept, dist = _best_distinct(np.concatenate([kept, children]),
                                    np.concatenate([dist, evaluate(children)]))
    return kept[0].copy(), float(dist[0])


def _best_distinct(vectors: np.ndarray, distances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ELITE best distinct rows, best first."""
    _, first = np.unique(vectors, axis=0, return_index=True)
    order = first[np.argsort(distances[first], kind="stable")][:ELITE]
    return vectors[order], distances[order]

"""From a target sound to ranked patch vectors.

1. Starting points for each algorithm: a guess read off the spectrum and the envelope,
   the closest patches of the preset library and, when trained, the warm-start model.
2. CMA-ES per algorithm on the first part of the note (a short render is cheap).
3. More CMA-ES for the most promising algorithms.
4. A discrete polish of the best, on the whole note, release included.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator import params as P

from .cmaes import refine
from .evaluator import Evaluator
from .guesses import describe_target, heuristic_patch
from .polish import polish

SCREEN_SECONDS = 0.8      # length of the cheap renders of the first stages


@dataclass(frozen=True)
class Found:
    vector: np.ndarray
    distance: float


@dataclass(frozen=True)
class SearchReport:
    found: list[Found]            # best first, at most one per algorithm
    renders: int


def find_patches(target: np.ndarray, rate: int, f0: float, block: int, fnum: int,
                 key_off: int | None, *, algorithms=range(8), renders: int = 4000,
                 seed: int = 0, starts: dict[int, list[np.ndarray]] | None = None,
                 candidates: int = 1, progress=None) -> SearchReport:
    """Search the algorithms for the patch closest to `target` (chip-rate float audio).

    `starts` adds starting vectors per algorithm (presets, the warm-start model);
    `progress(fraction, best_distance)` is called as the search goes.
    """
    algorithms = list(algorithms)
    screen_len = min(len(target), max(int(SCREEN_SECONDS * rate), 1))
    screen = Evaluator(target[:screen_len], block, fnum, key_off)
    full = Evaluator(target, block, fnum, key_off)
    shape = describe_target(target, rate, f0, key_off)
    total = max(renders, 50)
    spent = lambda: screen.renders + full.renders  # noqa: E731
    best_seen = [np.inf]

    def report(d):
        best_seen[0] = min(best_seen[0], d)
        if progress:
            progress(min(1.0, spent() / total), best_seen[0])

    # 1. starting points
    pool = {a: [heuristic_patch(shape, a, block, fnum)] for a in algorithms}
    for a, vs in (starts or {}).items():
        if a in pool:
            pool[a].extend(np.asarray(v, np.int64) for v in vs)
    best = {}
    for a in algorithms:
        vs = np.array(pool[a])
        d = screen(vs)
        i = int(np.argmin(d))
        best[a] = (vs[i], float(d[i]))
        report(d[i])

    # 2. CMA-ES on every algorithm
    share = int(0.5 * total / len(algorithms))
    for a in algorithms:
        v, d = refine(screen, a, best[a][0], sigma=0.2, renders=share, seed=seed * 1000 + a + 1,
                      on_generation=report)
        if d < best[a][1]:
            best[a] = (v, d)

    # 3. more for the best two
    ranked = sorted(algorithms, key=lambda a: best[a][1])
    leaders = ranked[: max(2, candidates)] if len(ranked) > 1 else ranked
    share = int(0.25 * total / len(leaders))
    for a in leaders:
        v, d = refine(screen, a, best[a][0], sigma=0.08, renders=share, seed=seed * 1000 + 100 + a,
                      on_generation=report)
        if d < best[a][1]:
            best[a] = (v, d)

    # 4. the whole note: score every algorithm's best, polish the leaders
    whole = {a: float(full(best[a][0])[0]) for a in algorithms}
    ranked = sorted(algorithms, key=lambda a: whole[a])
    best_seen[0] = np.inf
    polished = {}
    for k, a in enumerate(ranked[: max(1, candidates)]):
        left = total - spent()
        if left <= 0:
            break
        budget = left if k == max(1, candidates) - 1 else left // 2
        polished[a] = polish(full, best[a][0], renders=budget, on_round=report)
    found = []
    for a in ranked:
        v, d = polished.get(a, (best[a][0], whole[a]))
        found.append(Found(np.asarray(v, np.int64), float(d)))
    found.sort(key=lambda f: f.distance)
    if progress:
        progress(1.0, found[0].distance)
    return SearchReport(found=found, renders=spent())


__all__ = ["find_patches", "Found", "SearchReport", "P"]

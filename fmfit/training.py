"""`fmfit train`: build the warm-start model from renders of patches drawn from a prior.

The prior is the training split of the real patch corpus (../shared/corpus): each real
patch as it is (at REAL_NOTES notes), the real patches perturbed a little (levels,
rates, now and then a ratio or detune), crossings of two real patches of one algorithm
(operators taken from either, then perturbed; the algorithm drawn uniformly, so that
rare algorithms are not drowned and the model meets new operator combinations rather
than relatives of the patches it knows), and a uniform share for coverage. The
benchmark's evaluation patches (fmfit.corpus's split by source file) are never drawn.

Every bank patch is rendered with the protocol of the benchmark's targets (key-on at 0,
HOLD_S held, RELEASE_S of release, notes 45-72) and then analysed by the code that
analyses a user's target (fmfit.analysis: onset, note-off, the HEARD pitch) before
fmfit.features describes it: a patch that sounds an octave off its note, or whose
release cannot be heard, is described as match will describe a target like it, so the
model learns from what match sees. Renders that analysis rejects (silent) are dropped.

The stored neighbour table holds the perturbed and uniform patches only: the corpus's
patches are under their own licences, so none is shipped as it is; the unperturbed real
renders teach the algorithm classifier (plain weights), not the table.
"""
from __future__ import annotations

import platform
import time
from datetime import date

import numpy as np

import emulator
from emulator import params as P

from . import __version__
from . import features as F
from .notes import CHIP_RATE, block_fnum, midi_to_hz
from .search.evolve import crossed_patch, perturb
from .warmstart import DEFAULT_PATH, MODEL_VERSION, AlgorithmNet, WarmStart, note_shifts, reachable_matrix

HOLD_S, RELEASE_S = 2.0, 1.0          # the benchmark's targets (shared/docs/evaluation.md)
NOTES = range(45, 73)
UNIFORM_SHARE = 0.1
CROSSED_SHARE = 0.45
REAL_NOTES = 4                        # notes each unperturbed real patch is rendered at
CHUNK = 128


def searchable(v: np.ndarray) -> np.ndarray:
    """What the search can reach: no LFO, AM or SSG-EG."""
    v = np.array(v, np.int64)
    v[..., [P.AMS, P.FMS, P.LFO]] = 0
    for op in range(4):
        b = P.op_base(op)
        v[..., b + P.AM] = 0
        v[..., b + P.SSG_EG] = 0
    return v


def uniform_patch(rng: np.random.Generator) -> np.ndarray:
    from .patch import CARRIERS

    v = rng.integers(0, P.MAXIMA.astype(np.int64) + 1)
    alg = int(v[P.ALGORITHM])
    for op in range(4):
        b = P.op_base(op)
        v[b + P.TOTAL_LEVEL] = rng.integers(0, 24) if op in CARRIERS[alg] else rng.integers(0, 80)
        v[b + P.ATTACK_RATE] = rng.integers(12, 32)
    return searchable(v)


def sample_bank(real: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, midi notes) of the neighbour table: perturbed and crossed real patches
    and a uniform share."""
    rng = np.random.default_rng(seed)
    real = searchable(real)
    by_algorithm = [real[real[:, P.ALGORITHM] == a] for a in range(8)]
    algorithms = [a for a in range(8) if len(by_algorithm[a])]
    vectors = np.empty((size, P.SIZE), np.int64)
    for i in range(size):
        u = rng.random()
        if len(real) == 0 or u < UNIFORM_SHARE:
            vectors[i] = uniform_patch(rng)
        elif u < UNIFORM_SHARE + CROSSED_SHARE:
            pool = by_algorithm[algorithms[rng.integers(len(algorithms))]]
            vectors[i] = crossed_patch(pool[rng.integers(len(pool))], pool[rng.integers(len(pool))], rng)
        else:
            vectors[i] = perturb(real[rng.integers(len(real))], rng)
    notes = rng.integers(NOTES.start, NOTES.stop, size)
    return vectors, notes


def real_renders(real: np.ndarray, per_patch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, midi notes): every real patch as the search can play it, at `per_patch`
    distinct notes drawn from NOTES."""
    rng = np.random.default_rng(seed + 7919)
    real = searchable(real)
    per_patch = min(per_patch, len(NOTES))
    notes = np.stack([rng.choice(np.array(NOTES), per_patch, replace=False) for _ in range(len(real))])
    return np.repeat(real, per_patch, axis=0), notes.reshape(-1)


def heard_features(audio: np.ndarray, rate: int = CHIP_RATE) -> np.ndarray | None:
    """fmfit.features of one render as match sees a target: analysed (onset, heard pitch,
    note-off found or not) first; None when analysis finds no note (a silent render)."""
    from .analysis import analyse
    from .analysis.audio import AudioError

    try:
        a = analyse(np.asarray(audio, np.float64) / 256.0, rate)
    except AudioError:
        return None
    key_off = a.hold_samples if a.note_off_found else None
    return F.describe(np.asarray(a.target, np.float32), a.rate, a.f0_hz, key_off)[0]


def describe_bank(vectors: np.ndarray, notes: np.ndarray, progress=None) -> tuple[np.ndarray, np.ndarray]:
    """(features, heard): the renders' heard_features, and which renders made a note
    (the features of the others are left at 0)."""
    hold = int(HOLD_S * CHIP_RATE)
    n = hold + int(RELEASE_S * CHIP_RATE)
    feats = np.zeros((len(vectors), F.SIZE), np.float32)
    heard = np.zeros(len(vectors), bool)
    out = np.empty((CHUNK, n), np.int16)
    done = 0
    for midi in np.unique(notes):
        idx = np.flatnonzero(notes == midi)
        block, fnum = block_fnum(midi_to_hz(float(midi)))
        for s in range(0, len(idx), CHUNK):
            part = idx[s:s + CHUNK]
            audio = emulator.render_batch(vectors[part], block, fnum, n, hold, out=out[:len(part)])
            for i, x in zip(part, audio):
                f = heard_features(x) if np.any(x) else None
                if f is not None:
                    feats[i], heard[i] = f, True
            done += len(part)
            if progress:
                progress(done, len(vectors))
    return feats, heard


def bank_plan(real: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(vectors, notes, table): `size` renders in all, the first `table` of them the
    neighbour table (sample_bank), the rest the real patches as they are (real_renders,
    at most half the bank, a seeded subset when the bank is small)."""
    vectors, notes = real_renders(real, REAL_NOTES, seed)
    if len(vectors) > size // 2:
        keep = np.sort(np.random.default_rng(seed + 1).choice(len(vectors), size // 2, replace=False))
        vectors, notes = vectors[keep], notes[keep]
    table = size - len(vectors)
    table_vectors, table_notes = sample_bank(real, table, seed)
    return np.concatenate([table_vectors, vectors]), np.concatenate([table_notes, notes]), table


def fit_model(feats: np.ndarray, vectors: np.ndarray, notes: np.ndarray, heard: np.ndarray, table: int,
              seed: int) -> WarmStart:
    """The neighbour table on the heard renders of the first `table` rows; the algorithm
    classifier on every heard render."""
    reachable = reachable_matrix(vectors)
    in_table = heard & (np.arange(len(vectors)) < table)
    model = WarmStart().fit(feats[in_table], vectors[in_table], reachable[in_table],
                            note_shifts(feats[in_table], notes[in_table]))
    model.net = AlgorithmNet.fit(feats[heard], reachable[heard], seed=seed)
    return model


def train(size: int = 40000, seed: int = 0, path=DEFAULT_PATH, progress=None) -> dict:
    """Regenerate the warm-start model; the same size and seed give the same model.
    `size` counts every render (table and real patches alike)."""
    from .corpus import split_dev_patches

    t0 = time.perf_counter()
    train_patches, evaluation = split_dev_patches()
    real = np.unique(searchable(np.array([p.to_params() for p, _ in train_patches], np.int64)), axis=0)
    vectors, notes, table = bank_plan(real, size, seed)
    feats, heard = describe_bank(vectors, notes, progress)
    model = fit_model(feats, vectors, notes, heard, table, seed)
    held_out = _held_out_accuracy(feats, vectors, notes, heard, table, seed)
    card = {
        "model": "fmfit warm start: multi-label perceptron blended with k-nearest neighbours over a rendered patch bank",
        "version": MODEL_VERSION, "fmfit_version": __version__, "date": date.today().isoformat(), "seed": seed,
        "bank_size": int(size), "neighbour_table": int(len(model.vectors_)),
        "real_patch_renders": int(size - table), "silent_renders_dropped": int((~heard).sum()),
        "real_patches_in_prior": int(len(real)), "evaluation_patches_excluded": int(len(evaluation)),
        "uniform_share": UNIFORM_SHARE, "crossed_share": CROSSED_SHARE, "real_notes_per_patch": REAL_NOTES,
        "notes": [NOTES.start, NOTES.stop - 1], "hold_s": HOLD_S,
        "release_s": RELEASE_S, "features": F.SIZE, "classifier_hidden": [w.shape[1] for w in model.net.weights[:-1]],
        "classifier_weight": model.net_weight,
        "algorithm_accuracy_held_out_bank": held_out,
        "train_seconds": round(time.perf_counter() - t0, 1), "machine": platform.machine(),
    }
    model.save(path, card)
    from .atomic import write_atomic
    import json
    from pathlib import Path

    write_atomic(Path(path).with_suffix(".card.json"), (json.dumps(card, indent=2) + "\n").encode(), force=True)
    return card


def _held_out_accuracy(feats: np.ndarray, vectors: np.ndarray, notes: np.ndarray, heard: np.ndarray, table: int,
                       seed: int) -> dict:
    """Top-1/top-3 algorithm accuracy on a held-out tenth of the bank, counted right when
    the predicted algorithm can play the patch (an optimistic figure: bank patches have
    near relatives; benchmarks/validate_warmstart.py measures it on unseen source files)."""
    rng = np.random.default_rng(seed + 1)
    test = heard & (rng.random(len(feats)) < 0.1)
    rows_kept = np.flatnonzero(~test)
    m = fit_model(feats[rows_kept], vectors[rows_kept], notes[rows_kept], heard[rows_kept],
                  int(np.sum(rows_kept < table)), seed)
    proba = m.algorithm_probabilities(feats[test])
    reachable = reachable_matrix(vectors[test])
    top = np.argsort(-proba, axis=1)
    rows = np.arange(len(top))[:, None]
    return {"top1_reachable": round(float(np.mean(reachable[rows[:, 0], top[:, 0]])), 3),
            "top3_reachable": round(float(np.mean(np.any(reachable[rows, top[:, :3]], axis=1))), 3),
            "n": int(test.sum())}

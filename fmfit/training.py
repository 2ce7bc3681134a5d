"""`fmfit train`: build the warm-start model from renders of patches drawn from a prior.

The prior is the training split of the real patch corpus (../shared/corpus), each patch
perturbed a little (levels, rates, now and then a ratio or detune), plus a uniform share
for coverage. No corpus patch is stored as it is, and the benchmark's evaluation
patches (fmfit.corpus's split by source file) are never drawn. Every bank patch is
rendered at a note of 45-72 with the match protocol (key-on at 0, key-off after the
hold) and described by fmfit.features, exactly as a target is.
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
from .warmstart import DEFAULT_PATH, MODEL_VERSION, WarmStart

HOLD_S, RELEASE_S = 2.0, 0.5
NOTES = range(45, 73)
UNIFORM_SHARE = 0.1
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


def perturb(v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A nearby patch: each field moves with some probability, by a musically small step."""
    w = v.copy()
    steps = {P.TOTAL_LEVEL: 6, P.ATTACK_RATE: 3, P.DECAY_RATE: 3, P.SUSTAIN_RATE: 3,
             P.SUSTAIN_LEVEL: 1, P.RELEASE_RATE: 1}
    for op in range(4):
        b = P.op_base(op)
        for field, size in steps.items():
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
    """(vectors, midi notes) of the training bank."""
    rng = np.random.default_rng(seed)
    real = searchable(real)
    vectors = np.empty((size, P.SIZE), np.int64)
    for i in range(size):
        if len(real) == 0 or rng.random() < UNIFORM_SHARE:
            vectors[i] = uniform_patch(rng)
        else:
            vectors[i] = perturb(real[rng.integers(len(real))], rng)
    notes = rng.integers(NOTES.start, NOTES.stop, size)
    return vectors, notes


def describe_bank(vectors: np.ndarray, notes: np.ndarray, progress=None) -> np.ndarray:
    hold = int(HOLD_S * CHIP_RATE)
    n = hold + int(RELEASE_S * CHIP_RATE)
    feats = np.empty((len(vectors), F.SIZE), np.float32)
    out = np.empty((CHUNK, n), np.int16)
    done = 0
    for midi in np.unique(notes):
        idx = np.flatnonzero(notes == midi)
        f0 = midi_to_hz(float(midi))
        block, fnum = block_fnum(f0)
        for s in range(0, len(idx), CHUNK):
            part = idx[s:s + CHUNK]
            audio = emulator.render_batch(vectors[part], block, fnum, n, hold, out=out[:len(part)])
            feats[part] = F.describe(audio.astype(np.float32), CHIP_RATE, f0, hold)
            done += len(part)
            if progress:
                progress(done, len(vectors))
    return feats


def train(size: int = 24000, seed: int = 0, path=DEFAULT_PATH, progress=None) -> dict:
    """Regenerate the warm-start model; the same size and seed give the same model."""
    from .corpus import split_dev_patches

    t0 = time.perf_counter()
    train_patches, evaluation = split_dev_patches()
    real = np.array([p.to_params() for p, _ in train_patches], np.int64)
    vectors, notes = sample_bank(real, size, seed)
    feats = describe_bank(vectors, notes, progress)
    model = WarmStart().fit(feats, vectors)
    held_out = _held_out_accuracy(feats, vectors, model.reachable_, seed)
    card = {
        "model": "fmfit warm start: k-nearest neighbours over a rendered patch bank",
        "version": MODEL_VERSION, "fmfit_version": __version__, "date": date.today().isoformat(), "seed": seed,
        "bank_size": int(size), "real_patches_in_prior": int(len(real)),
        "evaluation_patches_excluded": int(len(evaluation)), "uniform_share": UNIFORM_SHARE,
        "notes": [NOTES.start, NOTES.stop - 1], "hold_s": HOLD_S, "release_s": RELEASE_S,
        "features": F.SIZE, "algorithm_accuracy_held_out_bank": held_out,
        "train_seconds": round(time.perf_counter() - t0, 1), "machine": platform.machine(),
    }
    model.save(path, card)
    from .atomic import write_atomic
    import json
    from pathlib import Path

    write_atomic(Path(path).with_suffix(".card.json"), (json.dumps(card, indent=2) + "\n").encode(), force=True)
    return card


def _held_out_accuracy(feats: np.ndarray, vectors: np.ndarray, reachable: np.ndarray, seed: int) -> dict:
    """Top-1/top-3 algorithm accuracy on a held-out tenth of the bank, counted right when
    the predicted algorithm can play the patch (an optimistic figure: bank patches have
    near relatives; bench_warmstart measures it on held-out real patches)."""
    rng = np.random.default_rng(seed + 1)
    test = rng.random(len(feats)) < 0.1
    m = WarmStart().fit(feats[~test], vectors[~test], reachable[~test])
    proba = m.algorithm_probabilities(feats[test])
    reachable = reachable[test]
    top = np.argsort(-proba, axis=1)
    rows = np.arange(len(top))[:, None]
    return {"top1_reachable": round(float(np.mean(reachable[rows[:, 0], top[:, 0]])), 3),
            "top3_reachable": round(float(np.mean(np.any(reachable[rows, top[:, :3]], axis=1))), 3),
            "n": int(test.sum())}

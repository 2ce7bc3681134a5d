"""The emulator against ymfm-py, sample for sample (docs/ym2612.md §9-10)."""
import types

import numpy as np
import pytest
from numba import njit
from numba.core.dispatcher import Dispatcher

import emulator
from emulator import chip
from emulator import params as P

from .random_patches import note_writes, random_schedule, random_vector
from .ymfm_reference import channel_values, ymfm_render

N = 7000


def _ours(writes, n):
    return emulator.render_register_writes(writes, n).astype(np.int64)


def _theirs(writes, n):
    return channel_values(ymfm_render(writes, n))


def _assert_same(writes, n, label):
    ours, theirs = _ours(writes, n), _theirs(writes, n)
    bad = np.flatnonzero(ours != theirs)
    assert bad.size == 0, f"{label}: {bad.size} samples differ, first at {bad[0]}: ours {ours[bad[0]]} ymfm {theirs[bad[0]]}"
    return theirs


@pytest.mark.parametrize("seed", range(10))
def test_random_notes_are_bit_exact(seed):
    """30 random patches per seed (300 in all): every field, all algorithms, SSG-EG, LFO."""
    rng = np.random.default_rng(seed)
    for k in range(30):
        v = random_vector(rng)
        block, fnum = int(rng.integers(0, 8)), int(rng.integers(0, 2048))
        writes = note_writes(v, block, fnum, int(rng.integers(N // 4, N)))
        _assert_same(writes, N, f"seed {seed} patch {k} alg {v[P.ALGORITHM]}")


@pytest.mark.parametrize("seed", range(4))
def test_random_register_schedules_are_bit_exact(seed):
    """Mid-note writes, key-off and re-key-on, partial key-ons, other channels' writes."""
    rng = np.random.default_rng(1000 + seed)
    for k in range(15):
        _assert_same(random_schedule(rng, N), N, f"seed {seed} schedule {k}")


def test_every_algorithm_feedback_and_block():
    rng = np.random.default_rng(7)
    for alg in range(8):
        for fb in range(8):
            v = random_vector(rng)
            v[P.ALGORITHM], v[P.FEEDBACK], v[P.LFO] = alg, fb, 0
            theirs = _assert_same(note_writes(v, fb, 600 + 97 * alg, 3000), 4000, f"alg {alg} fb {fb}")
    # and the test material is not silent
    assert np.abs(theirs).max() > 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(40))
def test_many_random_notes_are_bit_exact(seed):
    """1,200 more patches, longer notes (the EG counter past 4096 ticks, slow LFO cycles)."""
    rng = np.random.default_rng(10_000 + seed)
    for k in range(30):
        v = random_vector(rng)
        n = 30_000
        writes = note_writes(v, int(rng.integers(0, 8)), int(rng.integers(0, 2048)), int(rng.integers(n // 3, n)))
        _assert_same(writes, n, f"seed {seed} patch {k}")


def test_render_patch_and_batch_equal_the_register_path():
    rng = np.random.default_rng(3)
    vs = np.stack([random_vector(rng) for _ in range(8)])
    offs = rng.integers(500, 3000, 8)
    batch = emulator.render_batch(vs, 5, 700, 3000, offs)
    for k in range(8):
        single = emulator.render_patch(vs[k], 5, 700, 3000, int(offs[k]))
        theirs = _theirs(note_writes(vs[k], 5, 700, int(offs[k])), 3000)
        np.testing.assert_array_equal(single, theirs)
        np.testing.assert_array_equal(batch[k], theirs)


def test_a_released_note_ends_in_zeros_as_on_ymfm():
    """The engine stops early once every operator is released below hearing; the tail
    (SSG-EG in release included) must still be ymfm's, sample for sample."""
    rng = np.random.default_rng(21)
    silent_tails = 0
    for k in range(12):
        v = random_vector(rng)
        for op in range(4):
            v[P.op_base(op) + P.RELEASE_RATE] = rng.integers(10, 16)
        n = 12_000
        theirs = _assert_same(note_writes(v, 4, 900, int(rng.integers(500, 3000))), n, f"patch {k}")
        silent_tails += not theirs[-1000:].any()
    assert silent_tails >= 6


def _broken_engine(**traits):
    """The engine recompiled with some of its named traits or tables changed (fault
    injection): every compiled function of emulator.chip is rebuilt on the new globals."""
    g = dict(vars(chip), **traits)
    for name, f in vars(chip).items():
        if isinstance(f, Dispatcher) and f.py_func.__module__ == chip.__name__:
            g[name] = njit(**{k: v for k, v in f.targetoptions.items() if k == "inline"})(
                types.FunctionType(f.py_func.__code__, g, name))
    return g["render_writes"]


@pytest.mark.parametrize("traits", [
    {"CLIP_MIN": -256, "CLIP_MAX": 255},                            # a 9-bit clamp
    {"EG_CLOCK_DIVIDER": 2},                                         # the wrong envelope clock
    {"DETUNE": np.where(np.arange(32) == 17, chip.DETUNE + 1, chip.DETUNE)},  # keycode 17 off by one
])
def test_comparison_catches_a_broken_engine(traits):
    broken = _broken_engine(**traits)
    rng = np.random.default_rng(11)
    caught = 0
    for _ in range(30):
        writes = note_writes(random_vector(rng), 4, 1000, 2000)
        arr = np.array(writes, np.int64)
        out = np.empty(2500, np.int16)
        broken(arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), out)
        caught += np.any(out.astype(np.int64) != _theirs(writes, 2500))
    assert caught > 0


def test_ymfm_output_mapping_matches_ymfm():
    """The ladder-and-scale formula gives exactly ymfm-py's numbers for a held note."""
    rng = np.random.default_rng(5)
    v = random_vector(rng)
    writes = note_writes(v, 4, 1084, -1)
    left = ymfm_render(writes, 3000)
    ours = emulator.render_register_writes(writes, 3000)
    np.testing.assert_array_equal([chip.ymfm_output(int(x)) for x in ours], left)
    assert chip.ymfm_output(0) == 504   # silence, per the doc


@pytest.mark.parametrize("seed", range(3))
def test_engine_shortcuts_are_bit_exact(seed):
    """The engine's shortcuts: attenuation kept between envelope ticks, LFO steps and
    SSG-EG events, envelope ticks skipped while no operator can move, segments between
    writes. Stress them: SSG-EG on every operator (holding and repeating, key-off while
    inverted), fast LFOs with AM and PM, writes and key-offs on every sample phase of
    the 3-sample envelope clock, and notes long enough for the slow envelope rates."""
    rng = np.random.default_rng(500 + seed)
    for k in range(12):
        v = random_vector(rng)
        v[P.LFO] = P.LFO_ENABLE | int(rng.integers(0, 8)) if k % 3 else 0
        v[P.AMS], v[P.FMS] = int(rng.integers(0, 4)), int(rng.integers(0, 8))
        for op in range(4):
            b = P.op_base(op)
            v[b + P.SSG_EG] = 8 | int(rng.integers(0, 8)) if rng.random() < 0.7 else 0
            v[b + P.AM] = int(rng.integers(0, 2))
            v[b + P.DECAY_RATE] = int(rng.integers(0, 32))
            v[b + P.SUSTAIN_RATE] = int(rng.integers(0, 32)) if rng.random() < 0.7 else 0
        n = 20_000
        key_off = int(rng.integers(n // 4, n // 2)) * 3 + k % 3
        writes = note_writes(v, int(rng.integers(0, 8)), int(rng.integers(0, 2048)), key_off)
        t = key_off + 1 + k % 3
        writes += [(t, 0x28, 0xF0), (t + 2000 + k, 0x40, int(rng.integers(0, 40))),
                   (t + 4001, 0x28, 0x00)]
        _assert_same(writes, n, f"seed {seed} patch {k}")


def test_numba_cache_is_dropped_when_a_source_changes(tmp_path, monkeypatch):
    """numba's cache only watches a cached function's own file; the package drops all of
    its cache files when any of its sources changed (emulator/_numba_cache.py)."""
    from emulator import _numba_cache
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    stale = tmp_path / "__pycache__" / "a.f-1.py311.nbi"
    monkeypatch.setattr(_numba_cache, "_HERE", tmp_path)
    _numba_cache.drop_stale_cache()
    stale.write_text("")
    _numba_cache.drop_stale_cache()          # unchanged sources: kept
    assert stale.exists()
    (tmp_path / "a.py").write_text("x = 2\n")
    _numba_cache.drop_stale_cache()          # changed: dropped
    assert not stale.exists()

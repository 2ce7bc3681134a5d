"""The search finds patches that sound like the target, judged by ymfm-py's render."""
from dataclasses import replace

import numpy as np

import emulator
from fmfit.patch import Operator, Patch
from fmfit.search import find_patches, rank_algorithms
from tests.test_emulator.ymfm_reference import channel_values, ymfm_render
from tests.test_emulator.random_patches import note_writes

RATE = emulator.SAMPLE_RATE
N, KEY_OFF = 40000, 30000


def _ymfm(vector):
    return channel_values(ymfm_render(note_writes(vector, 4, 650, KEY_OFF), N)).astype(float)


def _lsd(a, b):
    from fmfit.metrics import lsd_db
    return lsd_db(a, b)


def test_finds_a_simple_patch_near_exactly():
    # one carrier with one modulator at a 2:1 ratio: any decent search nails it
    truth = Patch(algorithm=4, feedback=0, operators=(
        Operator(multiple=2, total_level=35, decay_rate=3, sustain_level=4),
        Operator(multiple=1, total_level=0, decay_rate=2, sustain_level=2, release_rate=8),
        Operator(total_level=127), Operator(total_level=127)))
    target = _ymfm(truth.to_params())
    report = find_patches(target, RATE, 261.6, 4, 650, KEY_OFF, renders=1500, seed=1)
    best = report.found[0]
    assert report.renders <= 1600
    assert _lsd(target, _ymfm(best.vector)) < 1.5
    # and a random patch is far away, so the threshold means something
    other = Patch(algorithm=7, operators=(Operator(multiple=5),) * 4)
    assert _lsd(target, _ymfm(other.to_params())) > 5


def test_same_seed_same_result():
    truth = Patch(algorithm=2, feedback=4, operators=(
        Operator(multiple=3, total_level=40), Operator(multiple=1, total_level=30),
        Operator(multiple=2, total_level=35), Operator(total_level=0, decay_rate=5)))
    target = emulator.render_patch(truth.to_params(), 4, 650, 20000, 15000).astype(float)
    a = find_patches(target, RATE, 261.6, 4, 650, 15000, renders=200, seed=3)
    b = find_patches(target, RATE, 261.6, 4, 650, 15000, renders=200, seed=3)
    np.testing.assert_array_equal(a.found[0].vector, b.found[0].vector)
    assert a.found[0].distance == b.found[0].distance


def test_rank_algorithms_weighs_the_warm_start():
    best = {a: 1.0 + 0.1 * a for a in range(8)}
    assert rank_algorithms(best)[:3] == [0, 1, 2]
    prior = np.full(8, 0.02)
    prior[7] = 0.86                      # the model is sure: algorithm 7 goes first
    assert rank_algorithms(best, prior)[0] == 7


def test_algorithms_are_ranked_by_their_closest_start_at_any_note():
    from fmfit.search import Lead, closest_starts

    heard = Lead(note=None, screen=None, evaluators=[], pools={},
                 best={a: (None, 3.0 + 0.1 * a) for a in range(8)})
    octave = Lead(note=None, screen=None, evaluators=[], pools={},
                  best={a: (None, 1.0 if a == 5 else 9.0) for a in range(8)})
    closest = closest_starts([heard, octave])
    assert closest[5] == 1.0 and closest[0] == 3.0
    assert rank_algorithms(closest)[:3] == [5, 0, 1]


def _looping_target():
    """One carrier whose envelope loops (SSG-EG 8, a sawtooth of ~0.1 s), judged by ymfm-py."""
    loop = Operator(multiple=1, total_level=0, decay_rate=20, sustain_level=0, ssg_eg=0)
    truth = Patch(algorithm=7, feedback=0, operators=(
        Operator(total_level=127), Operator(total_level=127), Operator(total_level=127), loop))
    plain = Patch(algorithm=7, feedback=0, operators=(*truth.operators[:3], replace(loop, ssg_eg=None)))
    return truth, plain


def test_a_looping_target_gets_a_looping_start():
    from fmfit.search import NoteOption, screen_starts
    from fmfit.search.evaluator import Budget

    truth, plain = _looping_target()
    target = _ymfm(truth.to_params())
    lead = screen_starts(target, RATE, NoteOption(261.6, 4, 650, (plain.to_params(),)), KEY_OFF,
                         range(8), Budget(10_000))
    v, d = lead.best[7]
    assert Patch.from_params(v).operators[3].ssg_eg is not None
    assert d < 0.5 * lead.screen(plain.to_params())[0]


def test_a_plain_target_gets_no_looping_start():
    from fmfit.search import NoteOption, screen_starts
    from fmfit.search.evaluator import Budget

    _, plain = _looping_target()
    target = _ymfm(plain.to_params())
    lead = screen_starts(target, RATE, NoteOption(261.6, 4, 650, (plain.to_params(),)), KEY_OFF,
                         range(8), Budget(10_000))
    assert all(Patch.from_params(v).operators[op].ssg_eg is None
               for pool in lead.pools.values() for v in pool for op in range(4))

"""fmfit.algorithms: the reachability rule, checked against the emulator.

The rule is checked independently of its own reasoning: every patch equivalent_patch
builds is rendered beside the original by emulator.render_patch (bit-exact with ymfm)
and the samples must be identical. The other direction (no algorithm is left out that
an operator relabelling could reach) is checked by brute force: for loud, distinct
operators, every relabelling outside the rule renders differently.
"""
from itertools import permutations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import emulator
from fmfit.algorithms import equivalent_patch, operator_mapping, reachable_algorithms
from fmfit.notes import block_fnum, midi_to_hz
from fmfit.patch import Operator, Patch

N_SAMPLES, KEY_OFF = 4096, 3000


def render(patch: Patch, midi: int = 60, n: int = N_SAMPLES, key_off: int | None = KEY_OFF) -> np.ndarray:
    block, fnum = block_fnum(midi_to_hz(midi))
    return emulator.render_patch(patch.to_params(), block, fnum, n, key_off)


def render_many(patches, midi: int = 60, n: int = 2048) -> np.ndarray:
    block, fnum = block_fnum(midi_to_hz(midi))
    return emulator.render_batch(np.array([p.to_params() for p in patches]), block, fnum, n, 1500)


# -- random patches ---------------------------------------------------------------------------
@st.composite
def operators(draw):
    return Operator(
        multiple=draw(st.integers(0, 15)), detune=draw(st.integers(-3, 3)),
        # TL 127 often: partly silent patches are where other algorithms become reachable
        total_level=draw(st.one_of(st.just(127), st.integers(0, 126), st.integers(0, 20))),
        attack_rate=draw(st.integers(0, 31)), decay_rate=draw(st.integers(0, 31)),
        sustain_level=draw(st.integers(0, 15)), sustain_rate=draw(st.integers(0, 31)),
        release_rate=draw(st.integers(0, 15)), rate_scaling=draw(st.integers(0, 3)),
        am=draw(st.booleans()), ssg_eg=draw(st.one_of(st.none(), st.integers(0, 7))))


@st.composite
def patches(draw):
    return Patch(algorithm=draw(st.integers(0, 7)), feedback=draw(st.integers(0, 7)),
                 operators=tuple(draw(operators()) for _ in range(4)),
                 ams=draw(st.integers(0, 3)), fms=draw(st.integers(0, 7)))


@settings(max_examples=120, deadline=None)
@given(patches(), st.integers(45, 72))
def test_every_reachable_algorithm_renders_identically(patch, midi):
    reachable = reachable_algorithms(patch)
    assert patch.algorithm in reachable
    original = render(patch, midi)
    for b in range(8):
        other = equivalent_patch(patch, b)
        if b not in reachable:
            assert other is None
            continue
        assert other is not None and other.algorithm == b
        np.testing.assert_array_equal(render(other, midi), original, err_msg=f"{patch} as algorithm {b}")


# -- every algorithm x every silent-operator pattern ---------------------------------------------
LOUD = (Operator(multiple=1, detune=1, total_level=0, attack_rate=31, decay_rate=6, sustain_level=3,
                 sustain_rate=2, release_rate=7),
        Operator(multiple=3, detune=-2, total_level=14, attack_rate=25, decay_rate=9, sustain_level=5,
                 sustain_rate=4, release_rate=9, rate_scaling=1),
        Operator(multiple=5, detune=2, total_level=2, attack_rate=28, decay_rate=4, sustain_level=2,
                 sustain_rate=1, release_rate=5, rate_scaling=2),
        Operator(multiple=2, detune=-1, total_level=0, attack_rate=30, decay_rate=7, sustain_level=4,
                 sustain_rate=3, release_rate=8))


def pattern_patches():
    """Every algorithm x every set of TL-127 operators x feedback off/on, loud otherwise."""
    out = []
    for alg in range(8):
        for mask in range(16):
            ops = tuple(Operator(total_level=127) if mask >> i & 1 else LOUD[i] for i in range(4))
            for fb in (0, 5):
                out.append(Patch(algorithm=alg, feedback=fb, operators=ops))
    return out


def test_every_pattern_renders_identically_where_reachable():
    for patch in pattern_patches():
        original = render(patch)
        for b in reachable_algorithms(patch):
            np.testing.assert_array_equal(render(equivalent_patch(patch, b)), original,
                                          err_msg=f"{patch} as algorithm {b}")


def _relabellings(patch: Patch, b: int):
    """Every placement of the audible operators on b's operators, the rest silent,
    with the feedback kept and dropped: what could reproduce the patch by moving operators."""
    audible = patch.audible_operators()
    for image in permutations(range(4), len(audible)):
        ops = [Operator(total_level=127)] * 4
        for src, dst in zip(audible, image):
            ops[dst] = patch.operators[src]
        for fb in {0, patch.feedback}:
            yield dict(zip(audible, image)), Patch(algorithm=b, feedback=fb, operators=tuple(ops))


def test_relabellings_render_identically_exactly_when_the_rule_allows():
    """Every placement of the audible operators on every algorithm, rendered:

    - with the feedback the rule gives it, a relabelling renders identically exactly when
      the rule accepts it (so each clause is necessary as well as sufficient);
    - where the rule rules an algorithm out, no relabelling with any feedback renders the
      same samples: the rule is not too strict.
    Loud operators of distinct ratios, so that every edge and every carrier counts.
    """
    from fmfit.algorithms import _valid

    accepted = rejected = ruled_out = 0
    for patch in pattern_patches():
        audible = patch.audible_operators()
        if not audible:
            continue
        original = render(patch, n=2048, key_off=1500)
        reachable = reachable_algorithms(patch)
        for b in range(8):
            pairs = list(_relabellings(patch, b))
            renders = render_many([p for _, p in pairs])
            for (pi, p), r in zip(pairs, renders):
                same = np.array_equal(r, original)
                if b not in reachable:
                    ruled_out += 1
                    assert not same, f"{patch} is reproduced by {p} though algorithm {b} is ruled out"
                if p.feedback != (patch.feedback if pi.get(0) == 0 else 0):
                    continue
                if _valid(pi, patch, audible, b):
                    accepted += 1
                    assert same, f"{patch} relabelled {pi} onto {b} differs"
                elif not _valid(pi, patch, audible, b, sum_order=False):
                    rejected += 1
                    assert not same, f"{patch} relabelled {pi} onto {b} is identical"
                # else: rejected only for the carrier-sum order, which shows only when the
                # sum clips (test_carrier_sum_order_matters)
    assert accepted > 500 and rejected > 500 and ruled_out > 1000


def test_carrier_sum_order_never_changes_the_reachable_set():
    """Clause (iv) only chooses among relabellings: with or without it, the same algorithms."""
    from fmfit.algorithms import _valid

    for patch in pattern_patches():
        audible = patch.audible_operators()
        loose = {b for b in range(8) if any(_valid(dict(zip(audible, image)), patch, audible, b, False)
                                             for image in permutations(range(4), len(audible)))}
        assert loose == reachable_algorithms(patch), patch


# -- known cases ----------------------------------------------------------------------------
def silent_except(alg: int, heard, fb: int = 0) -> Patch:
    return Patch(algorithm=alg, feedback=fb, operators=tuple(
        LOUD[i] if i in heard else Operator(total_level=127) for i in range(4)))


@pytest.mark.parametrize("alg", range(8))
def test_full_patches_reach_only_their_own_algorithm(alg):
    # ... except that 2 and 3 are one graph (a chain of two and one modulator into the
    # carrier) with OP1 in different places: alike without feedback, apart with it
    alike = {2, 3} if alg in (2, 3) else {alg}
    assert reachable_algorithms(Patch(algorithm=alg, operators=LOUD)) == alike
    assert reachable_algorithms(Patch(algorithm=alg, feedback=7, operators=LOUD)) == {alg}


def test_known_cases():
    # one sine: every algorithm has a carrier
    assert reachable_algorithms(silent_except(7, {3})) == set(range(8))
    # OP1 alone with feedback must stay OP1, and only algorithm 7 hears OP1 directly
    assert reachable_algorithms(silent_except(7, {0}, fb=5)) == {7}
    assert reachable_algorithms(silent_except(7, {0}, fb=0)) == set(range(8))
    # the chain OP1 -> OP2 (algorithm 4 with OP3, OP4 silent) lives in 0-6
    assert reachable_algorithms(silent_except(4, {0, 1})) == set(range(7))
    # ... with feedback it needs OP1 -> a carrier: algorithms 2 (OP1 -> OP4), 4, 5, 6
    assert reachable_algorithms(silent_except(4, {0, 1}, fb=3)) == {2, 4, 5, 6}
    # two independent sines: algorithms with two carriers 4-7
    assert reachable_algorithms(silent_except(7, {2, 3})) == {4, 5, 6, 7}
    # one modulator on two carriers: algorithm 5 only
    assert reachable_algorithms(silent_except(5, {0, 1, 2})) == {5}
    # three sines: 5 (OP1 silent), 6 and 7, keeping their order in the carrier sum
    assert reachable_algorithms(silent_except(7, {0, 1, 2})) == {5, 6, 7}
    assert operator_mapping(silent_except(7, {0, 1, 2}), 6)[2] == 2     # summed last in both
    # a patch silent altogether: any algorithm
    assert reachable_algorithms(silent_except(0, set())) == set(range(8))


def test_carrier_sum_order_matters():
    """The chip clamps after each carrier addition (O4, O1, O2, O3): three loud sines that
    clip, summed in another order, render differently; the first two of the sum may swap."""
    a, b, c, silent = Operator(multiple=1), Operator(multiple=1, detune=1), Operator(multiple=2), \
        Operator(total_level=127)
    patch = Patch(algorithm=7, operators=(a, b, c, silent))            # summed a, b, c
    out_of_order = Patch(algorithm=7, operators=(c, b, a, silent))     # summed c, b, a
    assert not np.array_equal(render(out_of_order), render(patch))
    first_two = Patch(algorithm=7, operators=(b, a, c, silent))        # summed b, a, c
    np.testing.assert_array_equal(render(first_two), render(patch))
    # in algorithm 5 (carriers summed O4, O2, O3) c must land on OP3
    assert operator_mapping(patch, 5)[2] == 2
    np.testing.assert_array_equal(render(equivalent_patch(patch, 5)), render(patch))


def test_own_algorithm_maps_to_itself():
    patch = Patch(algorithm=2, feedback=4, operators=LOUD)
    assert operator_mapping(patch, 2) == {0: 0, 1: 1, 2: 2, 3: 3}
    assert equivalent_patch(patch, 2) == patch
    with pytest.raises(ValueError):
        operator_mapping(patch, 8)


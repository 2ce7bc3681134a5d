import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import params as P
from fmfit.search.encoding import DIMENSIONS, decode, encode
from fmfit.search.polish import neighbours


@st.composite
def searchable_vectors(draw):
    v = np.zeros(P.SIZE, np.int64)
    v[P.ALGORITHM] = draw(st.integers(0, 7))
    v[P.FEEDBACK] = draw(st.integers(0, 7))
    for op in range(4):
        b = P.op_base(op)
        for field in (P.MULTIPLE, P.DETUNE, P.TOTAL_LEVEL, P.DECAY_RATE, P.SUSTAIN_LEVEL,
                      P.SUSTAIN_RATE, P.RELEASE_RATE, P.RATE_SCALING):
            v[b + field] = draw(st.integers(0, int(P.MAXIMA[b + field])))
        v[b + P.ATTACK_RATE] = draw(st.integers(1, 31))
        if v[b + P.DETUNE] == 4:
            v[b + P.DETUNE] = 0
    return v


@settings(max_examples=200, deadline=None)
@given(searchable_vectors())
def test_decode_inverts_encode(v):
    x = encode(v)
    assert x.shape == (1, DIMENSIONS) and np.all((x >= 0) & (x <= 1))
    np.testing.assert_array_equal(decode(x, int(v[P.ALGORITHM]))[0], v)


@settings(max_examples=50, deadline=None)
@given(searchable_vectors(), st.integers(1, 7), st.integers(1, 3), st.integers(0, 7))
def test_decode_keeps_the_templates_unsearched_fields(v, fms, ams, ssg):
    """A start with vibrato, tremolo or an SSG-EG loop keeps them through CMA-ES."""
    template = v.copy()
    template[P.FMS], template[P.AMS], template[P.LFO] = fms, ams, P.LFO_ENABLE
    template[P.op_base(2) + P.SSG_EG] = 8 | ssg
    template[P.op_base(1) + P.AM] = 1
    x = encode(v)
    out = decode(x, int(v[P.ALGORITHM]), template)[0]
    np.testing.assert_array_equal(out, template)
    moved = decode(np.clip(x + 0.3, 0, 1), int(v[P.ALGORITHM]), template)[0]
    for field in (P.FMS, P.AMS, P.LFO, P.op_base(2) + P.SSG_EG, P.op_base(1) + P.AM):
        assert moved[field] == template[field]
    assert np.array_equal(decode(x, int(v[P.ALGORITHM]))[0], v)     # no template: all off


@settings(max_examples=50, deadline=None)
@given(searchable_vectors())
def test_neighbours_are_one_step_away_and_in_range(v):
    ns = neighbours(v)
    assert len(ns) > 20
    assert np.all(ns >= 0) and np.all(ns <= P.MAXIMA)
    changed = (ns != v).sum(axis=1)
    assert np.all(changed == 1)


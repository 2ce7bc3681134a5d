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
@given(searchable_vectors())
def test_neighbours_are_one_step_away_and_in_range(v):
    ns = neighbours(v)
    assert len(ns) > 20
    assert np.all(ns >= 0) and np.all(ns <= P.MAXIMA)
    changed = (ns != v).sum(axis=1)
    assert np.all(changed == 1)


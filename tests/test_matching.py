"""fmfit.matching: the notes a target may have been played at, and where its search starts."""
import numpy as np
import pytest

import emulator
from emulator import params as P
from fmfit import matching
from fmfit.analysis import analyse
from fmfit.notes import block_fnum_to_hz, hz_to_midi
from fmfit.patch import Operator, Patch

RATE = emulator.SAMPLE_RATE


class _Model:
    """A stand-in warm start whose nearest bank renders were played at `shifts` from their
    heard pitch (nearest first)."""

    def __init__(self, shifts):
        self.shifts = np.array(shifts, np.int64)

    def algorithm_probabilities(self, f):
        return np.full((1, 8), 1 / 8)

    def propose_notes(self, f, k):
        vectors = np.zeros((len(self.shifts), P.SIZE), np.int64)
        vectors[:, 0] = np.arange(len(self.shifts)) % 8          # distinct vectors
        return vectors[:k], self.shifts[:k]


@pytest.fixture(scope="module")
def analysed():
    patch = Patch(algorithm=7, operators=(Operator(total_level=0),) + (Operator(total_level=127),) * 3)
    audio = emulator.render_patch(patch.to_params(), 4, 650, RATE, RATE // 2).astype(np.float64)
    a = analyse(audio, RATE)
    return a, a.hold_samples


def _midis(options):
    return [round(hz_to_midi(block_fnum_to_hz(o.block, o.fnum))) for o in options]


def test_the_neighbours_votes_order_and_weigh_the_notes(monkeypatch, analysed):
    a, key_off = analysed
    # 20 neighbours heard an octave below their note, 9 where played, 2 at the 3rd harmonic,
    # one stray at the 5th (one vote is not enough to be tried)
    shifts = [12] * 20 + [0] * 9 + [-19] * 2 + [-28]
    monkeypatch.setattr("fmfit.warmstart.load_default", lambda *args: _Model(shifts))
    options = matching._note_options(a, key_off, warm_start=True, proposals=64, other_notes=True)
    heard = round(a.midi)
    assert _midis(options) == [heard + 12, heard, heard - 19, heard - 12]
    # the heard note and the favourite compete as equals, the others must fit clearly better
    assert [o.handicap for o in options] == [1.0, 1.0, matching.OCTAVE_HANDICAP, matching.OCTAVE_HANDICAP]
    # each neighbour starts the search at its own note; the presets at the heard note and octaves
    presets = len(matching._preset_starts())
    assert [len(o.starts) for o in options] == [20 + presets, 9 + presets, 2, presets]


def test_a_given_note_is_the_only_one(monkeypatch, analysed):
    a, key_off = analysed
    monkeypatch.setattr("fmfit.warmstart.load_default", lambda *args: _Model([12] * 30))
    options = matching._note_options(a, key_off, warm_start=True, proposals=64, other_notes=False)
    assert _midis(options) == [round(a.midi)] and options[0].handicap == 1.0
    assert len(options[0].starts) == 30 + len(matching._preset_starts())


def test_without_the_model_the_octaves_are_handicapped(analysed):
    a, key_off = analysed
    options = matching._note_options(a, key_off, warm_start=False, proposals=16, other_notes=True)
    heard = round(a.midi)
    assert _midis(options) == [heard, heard + 12, heard - 12]
    assert [o.handicap for o in options] == [1.0, matching.OCTAVE_HANDICAP, matching.OCTAVE_HANDICAP]

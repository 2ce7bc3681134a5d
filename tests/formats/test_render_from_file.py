"""A patch read from a real file renders the same in fmfit's emulator and in ymfm-py.

ymfm-py is driven here straight from the file's register values (its own writes, in
slot order), so the formats' operator order and DT decoding are checked end to end.
"""
import numpy as np
import pytest

import emulator
from fmfit import formats
from tests.conftest import shared_path
from tests.test_emulator.ymfm_reference import channel_values, ymfm_render

N, KEY_OFF = 8000, 6000
BLOCK, FNUM = 4, 700


def _raw_writes(patch):
    """Writes built by hand from the slot-order operators, not through the emulator."""
    writes = [(0, 0x22, 0x08 if patch.uses_lfo else 0)]
    for slot, op in zip((0, 4, 8, 12), patch.slot_operators()):
        writes += [
            (0, 0x30 + slot, op.detune_register << 4 | op.multiple),
            (0, 0x40 + slot, op.total_level),
            (0, 0x50 + slot, op.rate_scaling << 6 | op.attack_rate),
            (0, 0x60 + slot, int(op.am) << 7 | op.decay_rate),
            (0, 0x70 + slot, op.sustain_rate),
            (0, 0x80 + slot, op.sustain_level << 4 | op.release_rate),
            (0, 0x90 + slot, op.ssg_register),
        ]
    writes += [(0, 0xB0, patch.feedback << 3 | patch.algorithm), (0, 0xB4, 0xC0 | patch.ams << 4 | patch.fms),
               (0, 0xA4, BLOCK << 3 | FNUM >> 8), (0, 0xA0, FNUM & 0xFF), (0, 0x28, 0xF0), (KEY_OFF, 0x28, 0x00)]
    return writes


@pytest.mark.parametrize("relative", [
    "megatoy", "furnace/instruments/OPN", "libOPNMIDI", "BambooTracker",
])
def test_corpus_files_render_identically(relative):
    folder = shared_path("corpus", *relative.split("/"))
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in formats.EXTENSIONS)
    files = files[:: max(1, len(files) // 12)]
    checked = 0
    for path in files:
        try:
            patches = formats.read(path)
        except formats.FormatError:
            continue                       # the YM2151 files of the corpus
        for patch in patches[:5]:
            ours = emulator.render_patch(patch.to_params(), BLOCK, FNUM, N, KEY_OFF)
            theirs = channel_values(ymfm_render(_raw_writes(patch), N))
            np.testing.assert_array_equal(ours, theirs, err_msg=str(path))
            checked += 1
    assert checked >= 5


def test_committed_fixture_renders_identically():
    from tests.conftest import ROOT

    for path in sorted((ROOT / "tests" / "data" / "megatoy").rglob("*.dmp")):
        patch = formats.read(path)[0]
        ours = emulator.render_patch(patch.to_params(), BLOCK, FNUM, N, KEY_OFF)
        np.testing.assert_array_equal(ours, channel_values(ymfm_render(_raw_writes(patch), N)))

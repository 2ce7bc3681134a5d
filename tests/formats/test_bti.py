"""fmfit.formats.bti: BambooTracker instruments."""
import struct

import pytest
from hypothesis import given

from fmfit.formats import FormatError, bti, read_bytes, storable, write_bytes
from fmfit.patch import Patch

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(patches)
def test_round_trip(patch):
    assert read_bytes(write_bytes(patch, ".bti"), ".bti") == [storable(patch, ".bti")]


def test_layout_logical_order_and_ssg_nibble():
    patch = sample_patch("Bass")
    data = bti.write(patch)
    assert data[:16] == b"BambooTrackerIst"
    assert struct.unpack_from("<II", data, 16) == (len(data) - 16, 0x00010501)
    assert data[24:32] == b"INSTRMNT"
    assert struct.unpack_from("<I", data, 36)[0] == 4
    assert data[40:44] == b"Bass"
    envelope_at = data.index(b"INSTPROP") + 12
    assert data[envelope_at:envelope_at + 3] == bytes([0x00, 26, 4 << 4 | 5])
    ops = data[envelope_at + 3:envelope_at + 27]
    # Logical order: the 5th byte of each 6-byte block is TL = 10, 20, 30, 40.
    assert [ops[6 * i + 4] for i in range(4)] == [10, 20, 30, 40]
    # OP2 has no SSG-EG: high nibble 8; OP1 has mode 0: high nibble 0.
    assert ops[6 * 1 + 5] >> 4 == 8 and ops[5] >> 4 == 0
    lfo = data[envelope_at + 27:]
    assert lfo == bytes([0x01, 4, 3, 0b1010 << 4 | 2, 0])   # AM on OP2 and OP4


def test_no_lfo_subsection_without_lfo():
    data = bti.write(Patch())
    assert data.endswith(b"INSTPROP" + struct.pack("<I", 4 + 27) + data[-27:])


def test_disabled_operator_reads_as_silent():
    data = bytearray(bti.write(Patch()))
    envelope_at = data.index(b"INSTPROP") + 12 + 3
    data[envelope_at + 6] &= ~0x20                     # OP2 disabled
    assert [op.total_level for op in bti.read(bytes(data)).operators] == [0, 127, 0, 0]


def test_non_fm_instrument_is_refused():
    data = bytearray(bti.write(Patch(name="")))
    data[40] = 1                                       # type byte right after the empty name
    with pytest.raises(FormatError, match="SSG instrument"):
        read_bytes(bytes(data), ".bti")

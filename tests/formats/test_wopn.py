"""fmfit.formats.wopn: libOPNMIDI banks."""
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmfit.formats import FormatError, read_bytes, storable, wopn, wopn_entry, write_bytes
from fmfit.patch import Patch

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(st.lists(patches, min_size=1, max_size=12))
def test_round_trip(bank):
    assert read_bytes(write_bytes(bank, ".wopn"), ".wopn") == [storable(p, ".wopn") for p in bank]


def test_layout_one_melodic_and_one_empty_percussion_bank():
    data = wopn.write([sample_patch("a"), Patch(name="b")])
    assert len(data) == 18 + 34 * 2 + 69 * 128 * 2
    assert data[:11] == b"WOPN2-B2NK\0"
    assert struct.unpack_from("<H", data, 11)[0] == 2
    assert struct.unpack_from(">HH", data, 13) == (1, 1)
    assert data[17] == 0x08                            # sample_patch uses the LFO
    first = 18 + 68
    assert data[first:first + 2] == b"a\0"
    assert data[first + 65:first + 69] != b"\0\0\0\0"   # used entries are not blank
    assert data[first + 2 * 69:] == bytes(69 * 254)    # the rest is blank


def test_lfo_stays_off_without_lfo_patches():
    assert wopn.write([Patch()])[17] == 0


def test_128_patches_fit_and_129_do_not():
    assert len(read_bytes(wopn.write([Patch(name=str(i)) for i in range(128)]), ".wopn")) == 128
    with pytest.raises(FormatError, match="129 patches"):
        write_bytes([Patch()] * 129, ".wopn")


def test_blank_entries_are_skipped_and_percussion_follows_melodic():
    melodic, drum = sample_patch("mel"), Patch(name="drum", algorithm=7)
    entries = [wopn_entry.write_entry(p) + b"\x9c\x40\0\0" for p in (melodic,)]
    blank = bytes(69)
    # One melodic bank (entry 5 used) and one percussion bank (entry 0 used).
    body = blank * 5 + entries[0] + blank * 122
    body += wopn_entry.write_entry(drum) + b"\0\x10\0\0" + blank * 127
    data = b"WOPN2-B2NK\0" + struct.pack("<H", 2) + struct.pack(">HHB", 1, 1, 0) + bytes(68) + body
    assert read_bytes(data, ".wopn") == [melodic, drum]


def test_reads_version_1():
    bank = [sample_patch("one"), Patch(name="two")]
    entries = b"".join(wopn_entry.write_entry(p) for p in bank) + bytes(65 * 126)
    data = b"WOPN2-BANK\0" + struct.pack(">HHB", 1, 0, 0) + entries
    assert read_bytes(data, ".wopn") == bank


def test_truncated_and_empty_banks_are_errors():
    data = wopn.write([Patch()])
    with pytest.raises(FormatError, match="truncated"):
        read_bytes(data[:-1], ".wopn")
    with pytest.raises(FormatError, match="no instruments"):
        read_bytes(data[:86] + bytes(len(data) - 86), ".wopn")
    with pytest.raises(FormatError, match="at least one"):
        write_bytes([], ".wopn")

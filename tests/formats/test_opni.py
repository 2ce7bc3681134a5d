"""fmfit.formats.opni: libOPNMIDI single instruments."""
import struct

import pytest
from hypothesis import given

from fmfit.formats import FormatError, opni, read_bytes, storable, write_bytes

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(patches)
def test_round_trip(patch):
    assert read_bytes(write_bytes(patch, ".opni"), ".opni") == [storable(patch, ".opni")]


def test_writes_v2_in_79_bytes():
    data = opni.write(sample_patch())
    assert len(data) == 79
    assert data[:11] == b"WOPN2-IN2T\0"
    assert struct.unpack_from("<H", data, 11)[0] == 2
    entry = data[14:]
    assert entry[:7] == b"sample\0"
    assert entry[35] == 5 << 3 | 4                    # FB << 3 | ALG
    assert entry[36] == 2 << 4 | 3                    # AMS << 4 | FMS


def test_reads_v1_and_v2_with_delay_bytes():
    patch = sample_patch()
    v2 = opni.write(patch)
    v1 = b"WOPN2-INST\0" + b"\0" + v2[14:]
    assert opni.read(v1) == patch
    assert opni.read(v2 + b"\0\0\0\0") == patch       # older editors append the delays


def test_newer_version_and_bad_magic_are_refused():
    data = bytearray(opni.write(sample_patch()))
    data[11] = 3
    with pytest.raises(FormatError, match="version 3"):
        read_bytes(bytes(data), ".opni")
    with pytest.raises(FormatError, match="not an OPNI"):
        read_bytes(b"WOPN2-B2NK\0" + bytes(70), ".opni")


def test_long_names_are_cut_to_31_bytes():
    [patch] = read_bytes(opni.write(sample_patch("x" * 40)), ".opni")
    assert patch.name == "x" * 31

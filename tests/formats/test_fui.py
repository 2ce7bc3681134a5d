"""fmfit.formats.fui: Furnace instruments (new FINS/FINB and old -Furnace instr.-)."""
import struct

import pytest
from hypothesis import given

from fmfit.formats import FormatError, fui, read_bytes, storable, write_bytes
from fmfit.patch import Patch

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(patches)
def test_round_trip(patch):
    assert read_bytes(write_bytes(patch, ".fui"), ".fui") == [storable(patch, ".fui")]


def test_write_layout_v201_with_name_and_fm_features():
    data = fui.write(sample_patch("Bass"))
    assert data[:8] == b"FINS" + struct.pack("<HH", 201, 1)
    assert data[8:17] == b"NA\x05\x00Bass\0"
    fm = data[17:]
    assert fm[:4] == b"FM\x24\x00" and len(fm) == 4 + 36
    assert fm[4:8] == bytes([0xF4, 4 << 4 | 5, 2 << 3 | 3, 0x20])
    # First operator (OP1): KSR 0, DT centre-3 of -2 = 1, MULT 1; KVS 2 in the D2R byte.
    assert fm[8] == 1 << 4 | 1
    assert fm[8 + 4] == 2 << 5 | 5


def test_nameless_48_byte_file_like_furnace_ships():
    data = fui.write(Patch())[:8] + b"FM\x24\x00" + fui.write(Patch())[-36:]
    assert len(data) == 48
    [patch] = read_bytes(data, ".fui")
    assert patch == Patch()


def test_finb_variant_and_block_byte_from_version_224():
    patch = sample_patch("x")
    data = fui.write(patch)
    assert fui.read(b"FINB" + data[4:]) == patch
    fm_at = data.index(b"FM")
    fm = data[fm_at + 4:]
    newer = (b"FINS" + struct.pack("<HH", 224, 1) + data[8:fm_at]
             + b"FM" + struct.pack("<H", 37) + fm[:4] + b"\0" + fm[4:])
    assert fui.read(newer) == patch


def test_disabled_operator_reads_as_silent():
    data = bytearray(fui.write(Patch()))
    fm_at = data.index(b"FM") + 4
    data[fm_at] = 0xD4                                # bit 5 = slot 1 = OP3 disabled
    patch = fui.read(bytes(data))
    assert [op.total_level for op in patch.operators] == [0, 0, 127, 0]


def test_other_instrument_types_are_refused():
    data = bytearray(fui.write(Patch()))
    data[6] = 33
    with pytest.raises(FormatError, match=r"type 33 \(OPM"):
        read_bytes(bytes(data), ".fui")


def _old_format(patch: Patch, version: int = 100, enabled: int = 0) -> bytes:
    """A "-Furnace instr.-" file as Furnace before dev127 wrote it."""
    name = patch.name.encode() + b"\0"
    body = struct.pack("<HBB", version, 1, 0) + name
    body += bytes([patch.algorithm, patch.feedback, patch.fms, patch.ams, 4, 0, 0, 0])
    for op in patch.slot_operators():
        body += bytes([int(op.am), op.attack_rate, op.decay_rate, op.multiple, op.release_rate,
                       op.sustain_level, op.total_level, 0, op.rate_scaling, op.detune + 3,
                       op.sustain_rate, op.ssg_register, 0, 0, 0, 0, 0, 0, 0, 0, enabled, 0])
        body += bytes(10)
    body += bytes(40)                                 # macros etc. follow; not read
    inst = b"INST" + struct.pack("<I", len(body)) + body
    return b"-Furnace instr.-" + struct.pack("<HHI", version, 0, 32) + bytes(8) + inst


def test_old_format():
    patch = sample_patch("Old one")
    assert fui.read(_old_format(patch)) == patch
    # From version 114 an "operator enabled" byte exists; 0 means muted.
    muted = fui.read(_old_format(patch, version=120, enabled=0))
    assert all(op.total_level == 127 for op in muted.operators)
    with pytest.raises(FormatError, match="INST"):
        fui.read(_old_format(patch)[:32] + b"XXXX" + bytes(200))

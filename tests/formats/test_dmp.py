"""fmfit.formats.dmp: DefleMask presets."""
import pytest
from hypothesis import given

from fmfit.formats import FormatError, dmp, read, read_bytes, storable, write_bytes
from fmfit.patch import Patch

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(patches)
def test_round_trip(patch):
    assert read_bytes(write_bytes(patch, ".dmp"), ".dmp") == [storable(patch, ".dmp")]


def test_write_layout_is_v11_genesis_in_slot_order():
    patch = sample_patch()
    data = dmp.write(patch)
    assert len(data) == 51
    assert data[:7] == bytes([0x0B, 0x02, 0x01, patch.fms, patch.feedback, patch.algorithm,
                              patch.ams])
    # TL (2nd operator byte) in slot order S1,S3,S2,S4 = OP1,OP3,OP2,OP4.
    assert [data[7 + 11 * s + 1] for s in range(4)] == [10, 30, 20, 40]
    # DT is centre-3: OP1 detune -2 -> 1.
    assert data[7 + 8] == 1


def test_megatoy_init_preset(megatoy):
    [patch] = read(megatoy / "init.dmp")
    assert patch.name == "init"                       # no name field: the file stem
    assert (patch.algorithm, patch.feedback, patch.ams, patch.fms) == (3, 4, 0, 0)
    assert [op.total_level for op in patch.operators] == [48, 36, 24, 12]
    # File DT bytes (slot order) are 7,6,7,3: 7 is read as no detune.
    assert [op.detune for op in patch.operators] == [0, 0, 3, 0]


def _v11(patch: Patch) -> bytes:
    return dmp.write(patch)


def test_older_versions_read_the_same_patch():
    patch = sample_patch().replace(name="")
    v11 = _v11(patch)
    header = v11[3:7]                                  # FMS FB ALG AMS
    ops = v11[7:]
    v10 = bytes([10, 1]) + header + ops
    v9 = bytes([9, 1, 1]) + header + ops
    v0 = bytes([0, 1]) + header[1:] + ops              # no FMS
    assert dmp.read(v10) == patch
    assert dmp.read(v9) == patch
    assert dmp.read(bytes([5]) + v9[1:]) == patch
    assert dmp.read(v0) == patch.replace(fms=0)


def test_trailing_bytes_are_ignored():
    assert dmp.read(_v11(sample_patch()) + b"\0") == dmp.read(_v11(sample_patch()))


def test_ym2151_and_std_instruments_are_refused():
    data = bytearray(_v11(Patch()))
    data[1] = 0x08
    with pytest.raises(FormatError, match=r"x\.dmp: system 0x08 \(YM2151"):
        read_bytes(bytes(data), ".dmp", name="x.dmp")
    data[1], data[2] = 0x02, 0
    with pytest.raises(FormatError, match="not FM"):
        read_bytes(bytes(data), ".dmp")


def test_truncation_message_names_the_file():
    with pytest.raises(FormatError) as error:
        read_bytes(_v11(Patch())[:40], ".dmp", name="bass.dmp")
    assert str(error.value) == "bass.dmp: truncated: 40 bytes, a v11 DMP needs 51"


def test_out_of_range_values_are_format_errors():
    data = bytearray(_v11(Patch()))
    data[7 + 1] = 200                                  # TL
    with pytest.raises(FormatError, match="total_level"):
        read_bytes(bytes(data), ".dmp")

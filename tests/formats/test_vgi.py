"""fmfit.formats.vgi: VGM Music Maker instruments."""
from hypothesis import given

from fmfit.formats import read_bytes, storable, vgi, write_bytes

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(patches)
def test_round_trip(patch):
    assert read_bytes(write_bytes(patch, ".vgi"), ".vgi") == [storable(patch, ".vgi")]


def test_layout():
    data = vgi.write(sample_patch())
    assert len(data) == 43
    assert data[:3] == bytes([4, 5, 2 << 4 | 3])
    # Slot 2 is OP2 (index 1): DT centre-3 of -1 is 2; AM on -> bit 7 of the DR byte.
    block = data[3 + 20:3 + 30]
    assert block[1] == 2
    assert block[5] == 0x80 | 4

"""fmfit.formats.y12: Gens KMod register dumps."""
import warnings

from hypothesis import given

from fmfit.formats import FormatWarning, read_bytes, storable, write_bytes, y12

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(patches)
def test_round_trip(patch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        data = write_bytes(patch, ".y12")
    assert read_bytes(data, ".y12") == [storable(patch, ".y12")]


def test_layout_uses_raw_register_detune_and_slot_order():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        data = y12.write(sample_patch("A very long instrument name"))
    assert len(data) == 128
    # Slot 1 = OP3: DT 0, MUL 3; slot 0 = OP1: DT -2 -> register 6.
    assert data[0] == 6 << 4 | 1
    assert data[16] == 0 << 4 | 3
    assert (data[0x40], data[0x41]) == (4, 5)
    assert data[0x50:0x60] == b"A very long inst"
    assert read_bytes(data, ".y12")[0].name == "A very long inst"

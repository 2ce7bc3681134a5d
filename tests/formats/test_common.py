"""fmfit.formats.common: detune codes, names, what a format holds."""
import warnings

import pytest

from fmfit.formats.common import (ByteReader, FormatError, FormatWarning, decode_name,
                                  detune_from_centre3, detune_to_centre3, encode_name,
                                  fit_name, storable, warn_dropped)
from fmfit.patch import Operator, Patch


def test_centre3_matches_the_register_table_of_formats_md():
    # c3 -> register = [7,6,5,0,1,2,3,(7 -> 4)]
    register = [7, 6, 5, 0, 1, 2, 3, 4]
    for c3, reg in enumerate(register):
        assert detune_from_centre3(c3) == Operator.detune_from_register(reg)
    for detune in range(-3, 4):
        assert detune_from_centre3(detune_to_centre3(detune)) == detune


def test_centre3_out_of_range_is_a_format_error():
    with pytest.raises(FormatError, match="detune 9"):
        detune_from_centre3(9)


def test_names_decode_leniently_and_stop_at_nul():
    assert decode_name(b"Piano\0garbage") == "Piano"
    assert decode_name("Flûte".encode("utf-8")) == "Flûte"
    assert decode_name("Flûte".encode("latin-1")) == "Flûte"      # not UTF-8: Latin-1
    assert decode_name(b"\0\0") == ""


def test_names_are_cut_at_a_character_boundary():
    assert fit_name("ééé", 5) == "éé"
    assert encode_name("ééé", 5) == "éé".encode("utf-8") + b"\0"
    assert fit_name("a\0b", None) == "a"


def test_storable_drops_what_a_format_cannot_hold():
    patch = Patch(ams=2, fms=3, name="x").with_operator(1, am=True)
    kept = storable(patch, lfo=False, am=False, has_name=False)
    assert (kept.ams, kept.fms, kept.name) == (0, 0, "")
    assert not any(op.am for op in kept.operators)


def test_warn_dropped_names_every_lost_field():
    patch = Patch(ams=2, fms=3).with_operator(1, am=True)
    with pytest.warns(FormatWarning, match=r"AMS 2, FMS 3, AM on OP2"):
        warn_dropped(patch, storable(patch, lfo=False, am=False), "TFI")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_dropped(Patch(), Patch(), "TFI")


def test_byte_reader_reports_truncation():
    reader = ByteReader(b"\x01\x02", what="a header")
    assert reader.u8() == 1
    with pytest.raises(FormatError, match="truncated"):
        reader.u16le()
    with pytest.raises(FormatError, match="no end"):
        ByteReader(b"abc").cstring()

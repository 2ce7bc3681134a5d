"""fmfit.formats.tfi: TFM Music Maker instruments."""
import warnings

import pytest
from hypothesis import given

from fmfit.formats import FormatWarning, read_bytes, storable, tfi, write_bytes
from fmfit.patch import Patch

from .helpers import ROUND_TRIP, patches, sample_patch


@ROUND_TRIP
@given(patches)
def test_round_trip(patch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        data = write_bytes(patch, ".tfi")
    assert read_bytes(data, ".tfi") == [storable(patch, ".tfi")]


def test_layout():
    patch = sample_patch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        data = tfi.write(patch)
    assert len(data) == 42
    assert data[:2] == bytes([4, 5])
    # slot 1 (second block) is OP3: MUL 3, DT 0+3, TL 30.
    assert data[12:15] == bytes([3, 3, 30])


def test_lfo_fields_are_dropped_with_a_warning():
    with pytest.warns(FormatWarning, match="AMS 2, FMS 3"):
        tfi.write(Patch(ams=2, fms=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tfi.write(Patch())

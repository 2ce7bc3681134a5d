"""fmfit.formats.btb: BambooTracker banks (read only)."""
import pytest

from fmfit.formats import FormatError, read_bytes, write_bytes
from fmfit.patch import Patch

from .helpers import btb_bytes, sample_patch


def test_reads_fm_instruments_in_order_skipping_others():
    one, two = sample_patch("one"), Patch(name="two", algorithm=7, feedback=1)
    data = btb_bytes([("one", 0, one), ("noise", 1, None), ("two", 0, two)])
    assert read_bytes(data, ".btb") == [one, two]


def test_bank_without_fm_instruments_is_an_error():
    with pytest.raises(FormatError, match="no FM instruments"):
        read_bytes(btb_bytes([("noise", 1, None)]), ".btb", name="SSG.btb")


def test_missing_envelope_is_an_error():
    data = bytearray(btb_bytes([("one", 0, Patch())]))
    at = data.index(b"\x80" * 10) - 1                  # envelope number, before the LFO byte
    data[at] = 9
    with pytest.raises(FormatError, match="envelope 9"):
        read_bytes(bytes(data), ".btb")


def test_is_read_only():
    with pytest.raises(FormatError, match="read only"):
        write_bytes([Patch()], ".btb")

"""Every reader, given any bytes, returns patches or raises FormatError: nothing else."""
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmfit.formats import (EXTENSIONS, WRITABLE_EXTENSIONS, FormatError, FormatWarning,
                           read_bytes, write_bytes)
from fmfit.patch import Patch

from .helpers import FUZZ, btb_bytes, sample_patch


def _valid(ext: str) -> bytes:
    if ext == ".btb":
        return btb_bytes([("one", 0, sample_patch()), ("ssg", 1, None), ("two", 0, Patch())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        if ext == ".wopn":
            return write_bytes([sample_patch(), Patch(name="two")], ext)
        return write_bytes(sample_patch(), ext)


VALID = {ext: _valid(ext) for ext in EXTENSIONS}


def _read_or_format_error(data: bytes, ext: str) -> None:
    try:
        result = read_bytes(data, ext, name="fuzz")
    except FormatError as error:
        assert str(error).startswith("fuzz: ")
        return
    assert result and all(isinstance(p, Patch) for p in result)


@pytest.mark.parametrize("ext", EXTENSIONS)
@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes(ext, data):
    _read_or_format_error(data, ext)


@pytest.mark.parametrize("ext", EXTENSIONS)
@FUZZ
@given(prefix=st.binary(max_size=4), data=st.binary(max_size=200))
def test_random_bytes_after_the_magic(ext, prefix, data):
    magic = VALID[ext][:16] if ext in (".fui", ".bti", ".btb", ".opni", ".wopn") else b""
    _read_or_format_error(magic + prefix + data, ext)


@pytest.mark.parametrize("ext", EXTENSIONS)
@FUZZ
@given(st.data())
def test_mutated_valid_files(ext, data):
    raw = bytearray(VALID[ext])
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        at = data.draw(st.integers(0, len(raw) - 1), label="at")
        raw[at] = data.draw(st.integers(0, 255), label="value")
    cut = data.draw(st.integers(0, len(raw)), label="length")
    tail = data.draw(st.binary(max_size=8), label="tail")
    _read_or_format_error(bytes(raw[:cut]) + tail, ext)


@pytest.mark.parametrize("ext", [e for e in EXTENSIONS if e != ".wopn"])
def test_every_truncation(ext):
    raw = VALID[ext]
    for length in range(len(raw)):
        _read_or_format_error(raw[:length], ext)


def test_wopn_truncations():
    raw = VALID[".wopn"]
    for length in list(range(0, 200)) + list(range(200, len(raw), 97)):
        with pytest.raises(FormatError):
            read_bytes(raw[:length], ".wopn")


@pytest.mark.parametrize("ext", WRITABLE_EXTENSIONS)
def test_valid_samples_read(ext):
    assert read_bytes(VALID[ext], ext)

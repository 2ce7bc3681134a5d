"""fmfit.formats: the registry, read/write by path, errors and warnings."""
import warnings

import pytest

from fmfit import formats
from fmfit.atomic import OutputExistsError
from fmfit.formats import (EXTENSIONS, WRITABLE_EXTENSIONS, FormatError, FormatWarning,
                           is_bank, read, read_bytes, write, write_bytes)
from fmfit.patch import Patch

from .helpers import sample_patch


def test_extensions():
    assert set(EXTENSIONS) == {".dmp", ".fui", ".tfi", ".y12", ".vgi", ".opni", ".wopn",
                               ".bti", ".btb"}
    assert set(EXTENSIONS) - set(WRITABLE_EXTENSIONS) == {".btb"}
    assert is_bank(".wopn") and is_bank("btb") and is_bank("WOPN")
    assert not any(is_bank(ext) for ext in (".dmp", ".fui", ".tfi", ".y12", ".vgi", ".opni",
                                            ".bti"))


def test_unknown_extension():
    with pytest.raises(FormatError, match="unknown instrument extension"):
        read_bytes(b"", ".xyz")
    with pytest.raises(FormatError, match="unknown instrument extension"):
        write_bytes(Patch(), "xyz")


@pytest.mark.parametrize("ext", WRITABLE_EXTENSIONS)
def test_write_then_read_by_path(tmp_path, ext):
    patch = sample_patch("Named")
    path = tmp_path / f"My Patch{ext}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        assert write(path, [patch]) == path
    [back] = read(path)
    expected = formats.storable(patch, ext)
    # A format without a name field (or an empty name) gives the file stem.
    assert back == expected.replace(name=expected.name or "My Patch")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]     # no temporary left


def test_write_refuses_to_overwrite_unless_forced(tmp_path):
    path = tmp_path / "a.dmp"
    write(path, Patch())
    with pytest.raises(OutputExistsError):
        write(path, Patch(algorithm=7))
    assert read(path)[0].algorithm == 0
    write(path, Patch(algorithm=7), force=True)
    assert read(path)[0].algorithm == 7


def test_single_patch_formats_take_exactly_one(tmp_path):
    with pytest.raises(FormatError, match=r"two\.tfi: TFM Music Maker \.tfi holds one patch, got 2"):
        write(tmp_path / "two.tfi", [Patch(), Patch()])
    with pytest.raises(FormatError, match="got 0"):
        write_bytes([], ".dmp")
    assert not list(tmp_path.iterdir())


def test_a_single_patch_may_be_passed_bare():
    assert write_bytes(Patch(), ".dmp") == write_bytes([Patch()], ".dmp")


def test_bank_read_keeps_names_and_order(tmp_path):
    bank = [Patch(name="first"), Patch(name="", algorithm=3), Patch(name="third")]
    write(tmp_path / "b.wopn", bank)
    assert [p.name for p in read(tmp_path / "b.wopn")] == ["first", "", "third"]


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match=r"nope\.dmp: cannot read"):
        read(tmp_path / "nope.dmp")


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "bass.dmp"
    path.write_bytes(bytes([11, 2, 1]) + bytes(37))
    with pytest.raises(FormatError) as error:
        read(path)
    assert str(error.value) == "bass.dmp: truncated: 40 bytes, a v11 DMP needs 51"


def test_dropped_fields_warn_on_write(tmp_path):
    with pytest.warns(FormatWarning, match="TFM Music Maker .tfi cannot hold AMS 1"):
        write(tmp_path / "x.tfi", Patch(ams=1))
    with pytest.warns(FormatWarning, match="Gens KMod .y12 cannot hold FMS 2"):
        write_bytes(Patch(fms=2), ".y12")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_bytes(Patch(ams=1, fms=2), ".dmp")

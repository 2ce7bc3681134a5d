"""fmfit.convert: between formats, banks to folders and files to banks."""
import warnings

import pytest

from fmfit import formats
from fmfit.atomic import OutputExistsError
from fmfit.convert import convert, safe_filename
from fmfit.formats import FormatError, FormatWarning
from fmfit.patch import Patch

from .helpers import sample_patch


@pytest.fixture
def bank(tmp_path):
    path = tmp_path / "bank.wopn"
    formats.write(path, [sample_patch("Grand Piano"), Patch(name="a/b: c?"), Patch(name="")])
    return path


def test_single_to_single(tmp_path, megatoy):
    out = tmp_path / "init.fui"
    assert convert(megatoy / "init.dmp", out) == [out]
    assert formats.read(out) == formats.read(megatoy / "init.dmp")


def test_single_to_single_warns_about_dropped_fields(tmp_path):
    source = tmp_path / "lfo.dmp"
    formats.write(source, Patch(ams=1))
    with pytest.warns(FormatWarning, match="AMS 1"):
        convert(source, tmp_path / "lfo.tfi")


def test_several_singles_into_a_bank(tmp_path, megatoy):
    sources = [megatoy / "init.dmp", megatoy / "bass" / "bass.dmp"]
    out = tmp_path / "two.wopn"
    assert convert(sources, out) == [out]
    assert [p.name for p in formats.read(out)] == ["init", "bass"]


def test_several_singles_into_a_single_format_is_an_error(tmp_path, megatoy):
    with pytest.raises(FormatError, match="holds one patch"):
        convert([megatoy / "init.dmp", megatoy / "bass" / "bass.dmp"], tmp_path / "x.tfi")


def test_bank_to_single_format_makes_a_folder(tmp_path, bank):
    written = convert(bank, tmp_path / "out.dmp")
    assert [p.name for p in written] == ["001 Grand Piano.dmp", "002 a_b_ c.dmp", "003 patch.dmp"]
    assert all(p.parent == tmp_path / "out" for p in written)
    assert formats.read(written[0])[0] == formats.storable(sample_patch("Grand Piano"), ".dmp") \
        .replace(name="001 Grand Piano")


def test_bank_to_existing_folder_with_a_format(tmp_path, bank):
    folder = tmp_path / "singles"
    folder.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        written = convert(bank, folder, ext="tfi")
    assert len(written) == 3 and all(p.suffix == ".tfi" and p.parent == folder for p in written)


def test_nothing_is_written_when_an_output_exists(tmp_path, bank):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "002 a_b_ c.dmp").write_bytes(b"keep")
    with pytest.raises(OutputExistsError):
        convert(bank, tmp_path / "out.dmp")
    assert [p.name for p in folder.iterdir()] == ["002 a_b_ c.dmp"]
    assert len(convert(bank, tmp_path / "out.dmp", force=True)) == 3


def test_bank_to_bank_and_the_128_limit(tmp_path, bank):
    big = tmp_path / "big.btb"
    from .helpers import btb_bytes
    big.write_bytes(btb_bytes([(str(i), 0, Patch()) for i in range(129)]))
    with pytest.raises(FormatError, match="129 patches"):
        convert(big, tmp_path / "big.wopn")
    assert not (tmp_path / "big.wopn").exists()
    assert formats.read(convert(bank, tmp_path / "copy.wopn")[0]) == formats.read(bank)


def test_unknown_output_extension(tmp_path, bank):
    with pytest.raises(FormatError, match=r"x\.mid: unknown instrument extension"):
        convert(bank, tmp_path / "x.mid")


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "etc_passwd"
    assert safe_filename("  ") == "patch"
    assert safe_filename("* Piano") == "Piano"
    assert len(safe_filename("x" * 500)) <= 60

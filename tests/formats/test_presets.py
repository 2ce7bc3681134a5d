"""The built-in preset library (fmfit/data/presets) and the committed test fixtures."""
from pathlib import Path

from fmfit import formats

PRESETS = Path(formats.__file__).parents[1] / "data" / "presets"


def test_builtin_presets_read_and_carry_their_licence():
    assert "CC0" in (PRESETS / "LICENSE").read_text()
    files = sorted(PRESETS.rglob("*.dmp"))
    assert len(files) >= 40
    for path in files:
        [patch] = formats.read(path)
        assert patch.name == path.stem


def test_fixtures_carry_their_licence(megatoy):
    assert "CC0" in (megatoy / "LICENSE").read_text()
    assert len(list(megatoy.rglob("*.dmp"))) >= 5
    for path in megatoy.rglob("*.dmp"):
        assert (PRESETS / path.relative_to(megatoy)).read_bytes() == path.read_bytes()

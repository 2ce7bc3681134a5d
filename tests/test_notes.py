"""fmfit.notes against independent facts: A4 = 440 Hz, C4 = MIDI 60 = 261.626 Hz, and
the frequency formula of docs/ym2612.md §3 (440 Hz at block 4 needs fnum ~1084)."""
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from fmfit.notes import (
    CHIP_RATE,
    CLOCK,
    block_fnum,
    block_fnum_to_hz,
    cents_between,
    hz_to_midi,
    midi_to_hz,
    note_and_cents,
    note_name,
    parse_note,
)

NOTES_PY = Path(__file__).resolve().parents[1] / "fmfit" / "notes.py"


def test_reference_pitches():
    assert midi_to_hz(69) == 440.0
    assert midi_to_hz(60) == pytest.approx(261.6256, abs=1e-4)
    assert midi_to_hz(57) == pytest.approx(220.0)
    assert hz_to_midi(440.0) == pytest.approx(69.0)
    assert hz_to_midi(261.6256) == pytest.approx(60.0, abs=1e-5)
    assert cents_between(880.0, 440.0) == pytest.approx(1200.0)
    assert cents_between(440.0, 880.0) == pytest.approx(-1200.0)


def test_chip_constants():
    assert CLOCK == 7_670_453
    assert CHIP_RATE == 53_267 == CLOCK // 144


@pytest.mark.parametrize(
    "text, midi",
    [
        ("C4", 60), ("A4", 69), ("a4", 69), ("F#3", 54), ("Bb2", 46), ("bb2", 46),
        ("c#-1", 1), ("C-1", 0), ("B3", 59), ("B#3", 60), ("Cb4", 59), ("E♭5", 75),
        ("C♯4", 61), ("G9", 127), ("  D4 ", 62), ("F##4", 67), ("Ebb4", 62),
        ("60", 60), ("60.5", 60.5), ("0", 0), ("127", 127),
    ],
)
def test_parse_names_and_numbers(text, midi):
    assert parse_note(text) == pytest.approx(midi)


@pytest.mark.parametrize("text, midi", [("440Hz", 69), ("440 hz", 69), ("261.6256hz", 60), ("880HZ", 81)])
def test_parse_frequencies(text, midi):
    assert parse_note(text) == pytest.approx(midi, abs=1e-4)


def test_parse_accepts_numbers():
    assert parse_note(64) == 64.0
    assert parse_note(61.25) == 61.25


@pytest.mark.parametrize(
    "text",
    ["", "H4", "C", "C#", "#4", "hello", "C4.5", "4C", "-5", "128",
     "0hz", "-3hz", "nan", "infhz", "C#b4", "C10"],
)
def test_parse_rejects_with_a_clear_message(text):
    with pytest.raises(ValueError) as info:
        parse_note(text)
    assert repr(text) in str(info.value) or text.strip() in str(info.value)


def test_note_names():
    assert note_name(60) == "C4"
    assert note_name(69) == "A4"
    assert note_name(61) == "C#4"
    assert note_name(59.6) == "C4"
    assert note_name(0) == "C-1"
    assert note_and_cents(60.25) == ("C4", pytest.approx(25.0))
    assert note_and_cents(68.9) == ("A4", pytest.approx(-10.0))


@given(st.integers(min_value=0, max_value=127))
def test_name_round_trip(midi):
    assert parse_note(note_name(midi)) == midi


def test_block_fnum_for_a4_matches_the_chip_doc():
    block, fnum = block_fnum(440.0)
    assert block == 4
    assert abs(fnum - 1084) <= 2  # ym2612.md: "440 Hz at block 4 needs fnum ~1084"
    assert fnum == round(440.0 * 144 * 2**21 / (CLOCK * 2**4))


def test_block_fnum_for_c4():
    block, fnum = block_fnum(midi_to_hz(60))
    assert (block, fnum) == (3, 1288)


@pytest.mark.parametrize("midi", range(24, 109))
def test_block_is_the_smallest_with_fnum_at_most_1300(midi):
    freq = midi_to_hz(midi)
    block, fnum = block_fnum(freq)
    assert 650 <= fnum <= 1300
    assert fnum == round(freq * 144 * 2**21 / (CLOCK * 2**block))
    if block > 0:
        assert round(freq * 144 * 2**21 / (CLOCK * 2 ** (block - 1))) > 1300
    assert abs(cents_between(block_fnum_to_hz(block, fnum), freq)) < 1.4  # half an fnum step at 650


def test_fractional_midi_folds_into_fnum():
    (block, low), (_, mid), (_, high) = (block_fnum(midi_to_hz(m)) for m in (62, 62.5, 63))
    assert block == 4 and low < mid < high
    assert mid == round(midi_to_hz(62.5) * 144 * 2**21 / (CLOCK * 2**4))
    assert block_fnum(midi_to_hz(60.5)) == (4, 663)  # C4 + 50 cents no longer fits at block 3


def test_range_ends():
    assert block_fnum(8.0)[0] == 0 and 1 <= block_fnum(8.0)[1] < 650
    assert block_fnum(0.01) == (0, 1)  # still sounds
    assert block_fnum(20_000.0) == (7, 2047)
    with pytest.raises(ValueError):
        block_fnum(0.0)
    with pytest.raises(ValueError):
        block_fnum(float("nan"))


def test_block_fnum_to_hz():
    assert block_fnum_to_hz(4, 1084) == pytest.approx(1084 * 16 * CLOCK / (144 * 2**21))
    assert block_fnum_to_hz(4, 1083) == pytest.approx(440.0, rel=1e-3)
    with pytest.raises(ValueError):
        block_fnum_to_hz(8, 100)
    with pytest.raises(ValueError):
        block_fnum_to_hz(0, 2048)


@given(st.floats(min_value=20.0, max_value=4000.0))
def test_block_fnum_is_closest_at_its_block(freq):
    block, fnum = block_fnum(freq)
    played = block_fnum_to_hz(block, fnum)
    step = block_fnum_to_hz(block, 1)
    assert abs(played - freq) <= step / 2 + 1e-9


def test_notes_module_stands_alone_without_numba():
    """fmfit.notes must be importable by light tools: load the file alone, check numba."""
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('notes_alone', {str(NOTES_PY)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "assert module.block_fnum(440.0)[0] == 4\n"
        "assert 'numba' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cents_helper_is_consistent():
    assert cents_between(midi_to_hz(60.3), midi_to_hz(60)) == pytest.approx(30.0)
    assert math.isclose(hz_to_midi(midi_to_hz(33.3)), 33.3)

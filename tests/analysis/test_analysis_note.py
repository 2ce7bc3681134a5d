"""analyse(): from a recording to the chip-rate target, its block/fnum and its hold."""
import dataclasses

import numpy as np
import pytest

from fmfit.analysis import AudioError, analyse, load_audio
from fmfit.notes import CHIP_RATE, midi_to_hz

from .synth import gated_note, realnotes_dir

SR = 44_100


@pytest.fixture(scope="module")
def gated():
    """A3 (220 Hz) at 44.1 kHz: 0.25 s of silence, held 2.0 s, -150 dB/s release."""
    return gated_note(SR, hold=2.0, release_db_per_s=150, seconds=3.5, lead_silence=0.25)


@pytest.fixture(scope="module")
def analysed(gated):
    return analyse(gated, SR)


def test_pitch_and_registers(analysed):
    assert analysed.f0_hz == pytest.approx(220.0, rel=0.002)
    assert analysed.midi == pytest.approx(57.0, abs=0.03)
    assert (analysed.block, analysed.fnum) == (3, 1083)  # A3 by the judge's formula
    assert analysed.pitched and analysed.pitch_confidence > 0.9
    assert analysed.note_name.startswith("A3")


def test_target_is_trimmed_to_the_onset_at_the_chip_rate(gated, analysed):
    assert analysed.rate == CHIP_RATE
    assert analysed.onset_seconds == pytest.approx(0.25, abs=0.004)
    assert analysed.onset_seconds <= 0.25
    expected = round((3.5 - analysed.onset_seconds) * CHIP_RATE)
    assert abs(analysed.total_samples - expected) <= 2
    assert analysed.target.size == analysed.total_samples
    assert np.max(np.abs(analysed.target)) == pytest.approx(np.max(np.abs(gated)), rel=0.05)


def test_hold_is_the_gate(analysed):
    assert analysed.note_off_found
    assert analysed.hold_seconds + analysed.onset_seconds == pytest.approx(2.25, abs=0.015)


def test_result_is_immutable(analysed):
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysed.fnum = 1
    with pytest.raises(ValueError):
        analysed.target[0] = 1.0


def test_note_overrides_the_pitch(gated):
    result = analyse(gated, SR, note="A4")
    assert result.f0_hz == 440.0 and result.midi == 69.0
    assert (result.block, result.fnum) == (4, 1083)
    assert analyse(gated, SR, note=60.5).f0_hz == pytest.approx(midi_to_hz(60.5))
    with pytest.raises(ValueError):
        analyse(gated, SR, note="H2")


@pytest.mark.parametrize("cents", [-8.0, 3.0, 35.0])
def test_a_detected_pitch_is_played_at_the_nearest_note(cents):
    """As a tracker (and the judge) plays it: A3 is block 3, fnum 1083 by the judge's
    formula, a few cents either side or not. Far off the note, the user is told."""
    f0 = 220.0 * 2 ** (cents / 1200)
    result = analyse(gated_note(SR, hold=1.0, release_db_per_s=150, seconds=1.5, f0=f0), SR)
    assert result.f0_hz == pytest.approx(f0, rel=0.002)
    assert (result.block, result.fnum) == (3, 1083)
    assert any("cents off A3" in w for w in result.warnings) == (abs(cents) >= 20)


def test_a_given_frequency_is_played_as_given(gated):
    result = analyse(gated, SR, note="221.5hz")
    assert (result.block, result.fnum) == (3, 1090)  # round(1082.66 * 221.5 / 220)


def test_length_is_bounded(gated):
    long_note = np.tile(gated[: SR], 10)
    result = analyse(long_note, SR, max_seconds=4.0)
    assert result.total_samples == 4 * CHIP_RATE
    assert any("first 4 s" in w for w in result.warnings)
    assert analyse(gated, SR, max_seconds=1.0).total_samples == CHIP_RATE


def test_sustained_to_the_end_holds_for_the_whole_target():
    x = gated_note(SR, hold=10.0, release_db_per_s=100, seconds=2.0)
    result = analyse(x, SR)
    assert not result.note_off_found
    assert result.hold_samples == result.total_samples


def test_dc_is_removed_and_earlier_warnings_are_kept(gated):
    result = analyse(gated + 0.2, SR, warnings=["from the file"])
    assert result.warnings[0] == "from the file"
    assert abs(np.mean(result.target[: result.hold_samples])) < 1e-3
    assert result.f0_hz == pytest.approx(220.0, rel=0.002)


def test_dc_carried_only_while_sounding_stays_and_silence_stays_silent():
    """An FM carrier at MUL 1:1 (or an asymmetric sample) has DC while it sounds; the
    silence after its release must stay at zero, or the release would look unfinished."""
    t = np.arange(int(3.0 * SR)) / SR
    sounding = t < 2.0
    phase = 2 * np.pi * 220.0 * t
    x = np.where(sounding, 0.4 * np.sin(phase + 0.8 * np.sin(phase)) + 0.1, 0.0)
    result = analyse(x, SR)
    assert result.note_off_found
    assert result.hold_seconds + result.onset_seconds == pytest.approx(2.0, abs=0.01)
    tail = result.target[int(2.2 * CHIP_RATE) :]
    assert np.max(np.abs(tail)) < 1e-3


def test_noise_is_unpitched_but_playable():
    rng = np.random.default_rng(4)
    result = analyse(rng.standard_normal(SR) * 0.3, SR)
    assert not result.pitched
    assert 0 <= result.block <= 7 and 1 <= result.fnum <= 2047
    assert any("no clear pitch" in w for w in result.warnings)


def test_unusable_samples_raise_audio_error():
    with pytest.raises(AudioError):
        analyse(np.zeros(SR), SR)
    with pytest.raises(AudioError):
        analyse(np.full(SR, np.nan), SR)


# Real notes: note-on at 0 s, note-off at 2.0 s (README). For sustaining instruments the
# release must be found within 30 ms; p019 (church organ) fades gradually from ~1.7 s
# and the knee lands 0.25 s early, so it is only required to be within 0.3 s.
SUSTAINING = ["p016", "p040", "p048", "p056", "p057", "p061", "p065", "p068", "p071", "p073", "p080", "p081"]
DAMPED = ["p000", "p004", "p024", "p027", "p029", "p033", "p038"]  # decaying, but cut at note-off
NO_AUDIBLE_RELEASE = ["drum_kick", "drum_snare", "drum_closed_hat", "p105", "p108"]  # died or ringing on


@pytest.fixture(scope="module")
def realnote_analyses():
    folder = realnotes_dir()
    results = {}
    for path in sorted(folder.glob("*.wav")):
        samples, sr, warnings = load_audio(path)
        results[path.stem.split("_n60")[0]] = analyse(samples, sr, warnings=warnings)
    return results


def realnote(analyses, tag):
    return next(result for name, result in analyses.items() if name.startswith(tag))


@pytest.mark.parametrize("tag", SUSTAINING + DAMPED)
def test_realnote_note_off_at_two_seconds(realnote_analyses, tag):
    result = realnote(realnote_analyses, tag)
    assert result.note_off_found
    assert result.hold_seconds + result.onset_seconds == pytest.approx(2.0, abs=0.03)


def test_church_organ_note_off_is_near_two_seconds(realnote_analyses):
    result = realnote(realnote_analyses, "p019")
    assert result.note_off_found
    assert result.hold_seconds + result.onset_seconds == pytest.approx(2.0, abs=0.3)


@pytest.mark.parametrize("tag", NO_AUDIBLE_RELEASE)
def test_realnote_without_an_audible_release(realnote_analyses, tag):
    assert not realnote(realnote_analyses, tag).note_off_found


def test_realnotes_start_at_once(realnote_analyses):
    assert all(result.onset_seconds < 0.006 for result in realnote_analyses.values())


def test_a_slow_attack_that_carries_dc_keeps_its_first_milliseconds():
    """The offset is read off the quietest frames, here the sound itself: taken off
    digital silence first, it would lift that silence to where the climb starts."""
    t = np.arange(3 * SR) / SR
    tone = np.sin(2 * np.pi * 220 * t) + 0.5              # a sound with DC of its own
    x = 0.5 * tone * 10 ** (np.clip(-60 + 200 * (t - 0.1), -60, 0) / 20) * (t >= 0.1)
    result = analyse(x, SR)
    assert 0.1 - 0.004 <= result.onset_seconds <= 0.1

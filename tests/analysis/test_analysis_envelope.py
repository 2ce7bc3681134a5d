"""Onset and note-off on notes whose gate is known by construction."""
import numpy as np
import pytest

from fmfit.analysis.envelope import find_note_off, find_onset
from fmfit.notes import CHIP_RATE

from .synth import gain_curve_db, gated_note, harmonic_tone

SR = CHIP_RATE


def note_off_seconds(x):
    found = find_note_off(x, SR)
    return None if found is None else found / SR


def test_onset_after_leading_silence():
    x = gated_note(SR, hold=1.0, release_db_per_s=100, lead_silence=0.3)
    onset = find_onset(x, SR) / SR
    assert 0.3 - 0.004 <= onset <= 0.3


def test_onset_over_a_noise_floor():
    x = gated_note(SR, hold=1.0, release_db_per_s=100, lead_silence=0.25)
    x = x + 10 ** (-70 / 20) * np.random.default_rng(0).standard_normal(x.size)
    assert 0.25 - 0.004 <= find_onset(x, SR) / SR <= 0.25


def test_onset_at_the_start():
    assert find_onset(gated_note(SR, hold=1.0, release_db_per_s=100), SR) == 0


def _slow_attack(lead_silence: float, noise_db: float | None = None) -> np.ndarray:
    """A tone climbing from -60 dB at its key-on to full level over 0.3 s, linear in dB
    (a slow FM attack): 40 dB under its peak only 0.1 s after the key-on."""
    x = gated_note(SR, hold=2.0, release_db_per_s=100, lead_silence=lead_silence, attack=1e-6)
    on = np.arange(x.size) / SR - lead_silence
    x = x * 10 ** (np.clip(-60 + 200 * on, -60, 0) / 20) * (on >= 0)
    if noise_db is not None:
        x = x + 10 ** (noise_db / 20) * np.random.default_rng(1).standard_normal(x.size)
    return x


@pytest.mark.parametrize("lead", [0.0, 0.3])
def test_a_slow_attack_starts_where_it_leaves_the_silence(lead):
    assert lead - 0.004 <= find_onset(_slow_attack(lead), SR) / SR <= lead


def test_a_slow_attack_starts_where_it_leaves_the_noise():
    assert 0.3 - 0.004 <= find_onset(_slow_attack(0.3, noise_db=-90), SR) / SR <= 0.3


@pytest.mark.parametrize("release", [1000.0, 300.0, 100.0, 40.0])
@pytest.mark.parametrize("hold", [0.5, 2.0])
def test_release_after_a_flat_sustain(release, hold):
    x = gated_note(SR, hold=hold, release_db_per_s=release)
    assert note_off_seconds(x) == pytest.approx(hold, abs=0.015)


def test_instant_cut():
    x = harmonic_tone(220.0, 3.0, SR)
    x[2 * SR :] = 0.0
    assert note_off_seconds(x) == pytest.approx(2.0, abs=0.01)


def test_a_decay_that_ends_in_the_chips_cut_to_silence_has_no_note_off():
    """The chip mutes an envelope past 0x3F0 at once, 40-60 dB under the peak: that cut
    is the decay's end, not a key-off (the key-off here comes later, in silence). Read as
    a fall to silence it made a wobble of the decay a note-off (0.73 s for this patch)."""
    import emulator
    from fmfit.notes import block_fnum, midi_to_hz
    from fmfit.patch import Operator, Patch

    op = Operator(multiple=2, total_level=14, decay_rate=15, sustain_level=15, release_rate=6)
    patch = Patch(algorithm=7, operators=(op.replace(total_level=19), op, op, op))
    block, fnum = block_fnum(midi_to_hz(60))
    x = emulator.render_patch(patch.to_params(), block, fnum, 3 * SR, 2 * SR).astype(np.float64)
    assert np.all(x[int(1.0 * SR):] == 0)          # silent well before the key-off
    assert note_off_seconds(x) is None


@pytest.mark.parametrize("attack_rate", [12, 13, 14, 15])
def test_a_note_off_is_never_on_the_attack(attack_rate):
    """A slow attack straight into a fast decay (a chip render, keyed off at 2.0 s when
    it is long silent). Its top looks like a short hold and a release, which the level
    alone cannot tell apart; but a release cannot start before the note's loudest
    moment, and the hinge fit used to put it there (0.05-0.14 s, on the attack)."""
    import emulator
    from fmfit.notes import block_fnum, midi_to_hz
    from fmfit.patch import Operator, Patch

    mod = Operator(multiple=4, total_level=20, attack_rate=attack_rate + 2, decay_rate=6,
                   sustain_rate=19, release_rate=6)
    car = Operator(total_level=0, attack_rate=attack_rate, decay_rate=15, sustain_rate=15, release_rate=7)
    patch = Patch(algorithm=4, feedback=7, operators=(
        mod.replace(multiple=1, total_level=38), car, mod, car.replace(total_level=10)))
    block, fnum = block_fnum(midi_to_hz(54))
    x = emulator.render_patch(patch.to_params(), block, fnum, 3 * SR, 2 * SR).astype(np.float64)
    power = np.convolve(x**2, np.ones(SR // 100), mode="valid")
    loudest = (np.argmax(power) + SR // 200) / SR
    found = note_off_seconds(x)
    assert found is None or found >= loudest - 0.01  # its top is flat within 10 ms


def test_release_after_a_decaying_sustain():
    """Like a piano whose dampers fall: -8 dB/s while held, -120 dB/s after."""
    x = gated_note(SR, hold=2.0, release_db_per_s=120, sustain_db_per_s=-8.0)
    assert note_off_seconds(x) == pytest.approx(2.0, abs=0.015)


def test_release_after_a_tremolo_sustain():
    x = gated_note(SR, hold=1.5, release_db_per_s=80, tremolo_db=3.0)
    assert note_off_seconds(x) == pytest.approx(1.5, abs=0.03)


def test_release_after_a_slow_swell():
    """A pad still rising when the key is let go: the bend is from rising to falling."""
    swell = gain_curve_db(SR, 3.0, [(0.0, -40.0), (2.0, 0.0), (3.0, -80.0)])
    x = harmonic_tone(330.0, 3.0, SR) * swell
    assert note_off_seconds(x) == pytest.approx(2.0, abs=0.02)


def test_no_note_off_while_still_sounding():
    assert note_off_seconds(harmonic_tone(220.0, 3.0, SR)) is None
    tremolo = gated_note(SR, hold=10.0, release_db_per_s=100, tremolo_db=4.0)
    assert note_off_seconds(tremolo) is None


def test_no_note_off_for_a_natural_decay():
    """A pluck: one steady exponential decay, or a fast then slow one (two strings)."""
    t = np.arange(3 * SR) / SR
    steady = harmonic_tone(220.0, 3.0, SR) * 10 ** (-25 * t / 20)
    assert note_off_seconds(steady) is None
    double = harmonic_tone(220.0, 3.0, SR) * (10 ** (-60 * t / 20) + 0.1 * 10 ** (-10 * t / 20))
    assert note_off_seconds(double) is None


def test_no_note_off_for_a_percussive_hit():
    t = np.arange(SR) / SR
    hit = np.random.default_rng(2).standard_normal(SR) * np.exp(-t / 0.05)
    assert note_off_seconds(hit) is None


def test_short_input_is_not_an_error():
    assert note_off_seconds(harmonic_tone(220.0, 0.05, SR)) is None

"""fmfit.metrics: the judge's four distances (docs/evaluation.md) on signals whose
answers are known without the code under test."""
import numpy as np
import pytest
from scipy.fft import dct

from fmfit.metrics import (
    JUDGE_RATE,
    env_db,
    judge,
    lsd_db,
    mfcc,
    mfcc_mae,
    mrstft,
    rms_envelope_db,
    slaney_mel_filterbank,
    to_judge_rate,
)
from fmfit.notes import CHIP_RATE

SR = JUDGE_RATE
METRICS = ("lsd_db", "mrstft", "mfcc_mae", "env_db")


def note(freq, seconds=1.5, harmonics=8, sr=SR, hold=1.0, release_db_per_s=60.0):
    """A harmonic tone (1/h amplitudes) with a 10 ms attack, a hold and a linear-dB release."""
    t = np.arange(int(seconds * sr)) / sr
    tone = sum(np.sin(2 * np.pi * h * freq * t) / h for h in range(1, harmonics + 1) if h * freq < sr / 2)
    gain_db = np.where(t < hold, 0.0, -release_db_per_s * (t - hold))
    return tone * np.minimum(1.0, t / 0.01) * 10 ** (gain_db / 20)


@pytest.fixture(scope="module")
def c4():
    return note(261.63)


def test_identical_signals_score_exactly_zero(c4):
    assert judge(c4, c4.copy(), SR) == {name: 0.0 for name in METRICS}


def test_gain_is_not_judged(c4):
    scores = judge(c4, 0.125 * c4, SR)
    assert all(abs(value) < 1e-9 for value in scores.values())
    other = note(261.63 * 1.01, harmonics=5)
    assert judge(3.0 * c4, 0.2 * other, SR) == pytest.approx(judge(c4, other, SR), rel=1e-9, abs=1e-9)


def test_lengths_are_truncated_to_the_shorter(c4):
    longer = np.concatenate([c4, np.random.default_rng(0).standard_normal(SR)])
    assert judge(c4, longer, SR) == {name: 0.0 for name in METRICS}


def test_roughly_symmetric(c4):
    other = note(261.63 * 2 ** (1 / 12))
    forward, backward = judge(c4, other, SR), judge(other, c4, SR)
    assert forward["mfcc_mae"] == pytest.approx(backward["mfcc_mae"])
    assert forward["env_db"] == pytest.approx(backward["env_db"])
    for name in ("lsd_db", "mrstft"):  # the lsd floor and the SC norm follow the target
        assert 0.5 < forward[name] / backward[name] < 2.0


def test_detuning_and_octaves_rank_as_the_calibration_says(c4):
    """evaluation.md: a semitone or an octave off costs ~6 dB lsd on rich tones."""
    five_cents = judge(c4, note(261.63 * 2 ** (5 / 1200)), SR)
    quarter_tone = judge(c4, note(261.63 * 2 ** (50 / 1200)), SR)
    semitone = judge(c4, note(261.63 * 2 ** (1 / 12)), SR)
    octave = judge(c4, note(2 * 261.63), SR)
    assert five_cents["lsd_db"] < 1.0 < quarter_tone["lsd_db"] < semitone["lsd_db"]
    assert 4.0 < semitone["lsd_db"] < 9.0
    assert 4.0 < octave["lsd_db"] < 9.0
    assert semitone["mfcc_mae"] < octave["mfcc_mae"]
    assert max(semitone["env_db"], octave["env_db"]) < 1.0  # same envelope


def test_sine_against_its_octave_is_far():
    t = np.arange(SR) / SR
    sine = np.sin(2 * np.pi * 440 * t)
    octave = np.sin(2 * np.pi * 880 * t)
    scores = judge(sine, octave, SR)
    assert scores["lsd_db"] > 3.0  # a near-identical match is <= 1.0
    assert scores["mrstft"] > 1.0
    assert scores["mfcc_mae"] > 10.0


def test_env_db_known_value():
    """A steady tone vs the same tone 20 dB down in its second half: 10 dB exactly.

    After RMS normalisation the candidate's halves sit a and a-20 dB against 0 dB,
    with 0 < a < 20, so the mean absolute difference is (a + 20 - a) / 2.
    """
    frame = round(0.01 * SR)
    t = np.arange(100 * frame) / SR
    tone = np.sin(2 * np.pi * 100.0 * t)  # 100 Hz: exactly one period per 10 ms frame
    step = np.where(np.arange(t.size) < 50 * frame, 1.0, 0.1)
    assert env_db(tone, tone * step, SR) == pytest.approx(10.0, abs=1e-6)


def test_env_db_floor_is_minus_80_db():
    frame = round(0.01 * SR)
    x = np.zeros(10 * frame)
    x[: 5 * frame] = 1.0
    assert rms_envelope_db(x, SR).min() == -80.0
    assert rms_envelope_db(x, SR).size == 10


def test_lsd_ignores_frames_where_the_target_is_silent():
    t = np.arange(2 * SR) / SR
    tone = np.where(t < 1.0, np.sin(2 * np.pi * 330 * t), 0.0)
    hiss = 1e-3 * np.random.default_rng(1).standard_normal(t.size)
    candidate = np.where(t < 1.0, tone, hiss)  # differs only where the target is silent
    assert lsd_db(tone, candidate) < 1.5
    everywhere = tone + hiss
    assert lsd_db(tone, everywhere) > lsd_db(tone, candidate)


def test_silent_target_is_refused_and_silent_candidate_scores_finite(c4):
    with pytest.raises(ValueError):
        judge(np.zeros(SR), c4, SR)
    scores = judge(c4, np.zeros(c4.size), SR)
    assert all(np.isfinite(v) and v > 0 for v in scores.values())


def test_slaney_mel_filterbank_shape_and_area():
    bank = slaney_mel_filterbank(SR, 2048, 40)
    assert bank.shape == (40, 1025)
    assert (bank >= 0).all()
    peaks = bank.argmax(axis=1)
    assert (np.diff(peaks) > 0).all()  # centres rise
    area = bank.sum(axis=1) * SR / 2048  # slaney norm: each triangle has unit area in Hz
    assert area[5:] == pytest.approx(np.ones(35), rel=0.05)


def test_mfcc_is_an_orthonormal_dct_of_the_log_mel_spectrum():
    x = note(440.0, seconds=0.5)
    coefficients = mfcc(x, SR)
    assert coefficients.shape == (13, 1 + x.size // 512)
    # c0 of an ortho DCT-II is the sum of the 40 log-mel values over sqrt(40): check
    # against a direct DCT of a flat spectrum: only c0 survives.
    flat = dct(np.full((40, 1), 7.0), type=2, norm="ortho", axis=0)
    assert flat[0, 0] == pytest.approx(7.0 * np.sqrt(40))
    assert np.abs(flat[1:]).max() < 1e-9
    assert mfcc_mae(x, x, SR) == 0.0


def test_individual_functions_match_judge(c4):
    other = note(300.0)
    scores = judge(c4, other, SR)
    assert lsd_db(c4, other) == scores["lsd_db"]
    assert mrstft(c4, other) == scores["mrstft"]
    assert mfcc_mae(c4, other, SR) == scores["mfcc_mae"]
    assert env_db(c4, other, SR) == scores["env_db"]


def test_to_judge_rate_keeps_pitch_level_and_duration():
    t = np.arange(2 * CHIP_RATE) / CHIP_RATE
    x = 0.5 * np.sin(2 * np.pi * 1000.0 * t)
    y = to_judge_rate(x, CHIP_RATE)
    assert abs(y.size - x.size * SR / CHIP_RATE) <= 1
    middle = y[SR // 4 : SR // 4 + SR]  # one second, away from the filter's edges
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size)))
    assert np.argmax(spectrum) == pytest.approx(1000, abs=1)  # 1 Hz bins
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)

import numpy as np

import emulator
from fmfit.patch import Operator, Patch
from fmfit.search.distance import SpectralDistance

RATE = emulator.SAMPLE_RATE


def _render(patch, n=30000, key_off=20000):
    return emulator.render_patch(patch.to_params(), 4, 650, n, key_off)


BASE = Patch(algorithm=4, feedback=3, operators=(
    Operator(multiple=2, total_level=30), Operator(total_level=0, decay_rate=4, sustain_level=3),
    Operator(multiple=3, total_level=45), Operator(total_level=6, decay_rate=2)))


def test_identical_is_zero_and_gain_does_not_count():
    x = _render(BASE)
    d = SpectralDistance(x.astype(float), RATE)
    same, louder = d(np.stack([x, x]))[0], d(np.stack([x.astype(np.float32) * 0.25]))[0]
    assert same == 0.0
    assert louder < 1e-3


def test_distance_grows_with_the_change():
    x = _render(BASE)
    d = SpectralDistance(x.astype(float), RATE)
    steps = [d(_render(BASE.with_operator(0, total_level=30 - k)))[0] for k in (0, 2, 8, 20)]
    assert steps[0] == 0 and steps[1] < steps[2] < steps[3]


def test_silent_candidate_is_infinitely_far():
    x = _render(BASE)
    d = SpectralDistance(x.astype(float), RATE)
    assert np.isinf(d(np.zeros((1, len(x)), np.int16))[0])


def _frame_power(x, n_fft, hop):
    """|rfft|^2 of Hann-windowed frames centred on multiples of hop (zero-padded ends)."""
    w = np.hanning(n_fft + 1)[:-1]
    padded = np.pad(x, n_fft // 2)
    frames = np.array([padded[i:i + n_fft] for i in range(0, len(x) + 1, hop)])
    return np.abs(np.fft.rfft(frames * w, axis=1)) ** 2


def test_distance_is_the_mean_of_two_log_spectral_distances():
    """The fused loop computes what the module docstring says: per resolution, the frame
    mean of the RMS over bins of the dB difference (each signal scaled to the same
    energy under 18 kHz, floor 60 dB under the target's peak, frames within
    60 dB of the loudest), averaged over the resolutions; checked against the same formula
    written with plain numpy, frame by frame. The note is long enough (1.9 s) that each
    resolution's frames are transformed in more than one block."""
    from fmfit.search.distance import BLOCK_SAMPLES, FLOOR, FRAME_RANGE_DB, HEARD_HZ, RESOLUTIONS

    n = 100_000
    assert all(n // hop > BLOCK_SAMPLES // n_fft for n_fft, hop in RESOLUTIONS)
    x = _render(BASE, n, 70_000).astype(np.float64)
    y = _render(BASE.with_operator(2, multiple=5, total_level=30), n, 70_000).astype(np.float64)
    x, y = x / np.sqrt(np.mean(x * x)), y / np.sqrt(np.mean(y * y))
    expected = []
    for n_fft, hop in RESOLUTIONS:
        bins = int(HEARD_HZ * n_fft / RATE) + 1
        fx, fy = (_frame_power(s, n_fft, hop) for s in (x, y))
        energy = fx[:, :bins].sum(axis=1)
        keep = energy >= energy.max() * 10 ** (-FRAME_RANGE_DB / 10)
        px, py = (f[:, :bins] / f[keep, :bins].sum() for f in (fx, fy))
        floor = FLOOR * px.max()
        diff = 10 * np.log10(py[keep] + floor) - 10 * np.log10(px[keep] + floor)
        expected.append(np.mean(np.sqrt(np.mean(diff ** 2, axis=1))))
    got = SpectralDistance(x, RATE)(y[None])[0]
    assert abs(got - np.mean(expected)) < 1e-3 * np.mean(expected)


def test_threads_share_the_candidates_without_changing_a_distance():
    """Candidates are scored in chunks on numba's threads; each gets the value it gets alone."""
    import numba

    x = _render(BASE)
    d = SpectralDistance(x.astype(float), RATE)
    batch = np.stack([_render(BASE.with_operator(k % 4, total_level=10 + 3 * k)) for k in range(19)])
    batch[7] = 0                                   # a silent one among them
    alone = np.array([d(row)[0] for row in batch])
    before = numba.get_num_threads()
    try:
        for threads in {1, numba.config.NUMBA_NUM_THREADS}:
            numba.set_num_threads(threads)
            np.testing.assert_array_equal(d(batch), alone)
    finally:
        numba.set_num_threads(before)
    assert np.isinf(alone[7]) and np.isfinite(np.delete(alone, 7)).all()


def test_a_copy_through_44k1_is_as_close_as_a_copy():
    """What the chip puts above 18 kHz does not set the gain: a bright render (FM chain,
    feedback) against its own copy resampled through 44.1 kHz, as a recording of it would
    be, is close to zero, not 0.5 dB out in every bin (RMS over the chip's whole band)."""
    from fmfit.analysis.resample import resample

    bright = Patch(algorithm=0, feedback=6, operators=(
        Operator(multiple=7, total_level=20), Operator(multiple=5, total_level=18),
        Operator(multiple=3, total_level=14), Operator(multiple=1, total_level=0)))
    x = _render(bright).astype(np.float64)
    heard = resample(resample(x, RATE, 44100), 44100, RATE)[: len(x)]
    raw = np.sum(x ** 2) / np.sum(heard ** 2)            # the chip's share above 22 kHz
    assert raw > 10 ** 0.05                             # a bright test: more than 0.5 dB of it
    assert SpectralDistance(heard, RATE)(x[None])[0] < 0.15


def test_a_held_render_keeps_its_own_dc_through_the_analysis():
    """FM carriers carry DC while they sound, and the judge hears it (its RMS and lowest
    bins count it). A render held from the first sample to the last, read from a 44.1 kHz
    file, keeps that DC, so the true patch stays at ~0 (1.03 on a validation render when
    the analysis took the DC off as an offset)."""
    from fmfit.analysis import analyse
    from fmfit.analysis.resample import resample

    dc = Patch(algorithm=7, feedback=6, operators=(
        Operator(total_level=12), Operator(multiple=2, total_level=20),
        Operator(total_level=127), Operator(total_level=127)))
    x = emulator.render_patch(dc.to_params(), 4, 650, 60000, None).astype(np.float64)
    assert abs(x.mean()) > 0.02 * np.sqrt(np.mean(x * x))          # the chip's own DC
    a = analyse(resample(x, RATE, 44100) / 8192, 44100)
    target = np.asarray(a.target, np.float64)
    render = emulator.render_patch(dc.to_params(), 4, 650, len(target), None)
    assert SpectralDistance(target, RATE)(render[None])[0] < 0.1

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


def test_distance_is_the_mean_of_two_log_spectral_distances():
    """The fused loop computes what the module docstring says: per resolution, the frame
    mean of the RMS over bins of the dB difference (floor 60 dB under the target's peak,
    frames within 60 dB of the loudest), averaged over the resolutions; checked against
    the same formula written with plain numpy and scipy.signal.stft."""
    from scipy.signal import stft

    from fmfit.search.distance import FLOOR, FRAME_RANGE_DB, RESOLUTIONS

    x = _render(BASE).astype(np.float64)
    y = _render(BASE.with_operator(2, multiple=5, total_level=30)).astype(np.float64)
    x, y = x / np.sqrt(np.mean(x * x)), y / np.sqrt(np.mean(y * y))
    expected = []
    for n_fft, hop in RESOLUTIONS:
        bins = int(20_000 * n_fft / RATE) + 1
        px, py = (np.abs(stft(s, nperseg=n_fft, noverlap=n_fft - hop, window="hann", boundary="zeros",
                              padded=False, scaling="spectrum")[2][:bins]).T ** 2 for s in (x, y))
        floor = FLOOR * px.max()
        energy = px.sum(axis=1)
        keep = energy >= energy.max() * 10 ** (-FRAME_RANGE_DB / 10)
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

"""The warm-start model: fit/propose behaviour, storage and its failure modes."""
import warnings

import numpy as np
import pytest

import emulator
from emulator import params as P
from fmfit import features as F
from fmfit.warmstart import DEFAULT_PATH, AlgorithmNet, ModelError, WarmStart, load_default
from tests.test_emulator.random_patches import random_vector

RATE = emulator.SAMPLE_RATE
N, HOLD = 40000, 30000


def _bank(n=60, seed=0):
    rng = np.random.default_rng(seed)
    vs = np.stack([random_vector(rng) for _ in range(n)])
    vs[:, [P.LFO, P.AMS, P.FMS]] = 0
    audio = emulator.render_batch(vs, 4, 650, N, HOLD)
    return vs, F.describe(audio.astype(np.float32), RATE, 261.6, HOLD)


def test_features_are_fixed_size_and_gain_invariant():
    vs, feats = _bank(4)
    assert feats.shape == (4, F.SIZE) and np.all(np.isfinite(feats))
    x = emulator.render_patch(vs[0], 4, 650, N, HOLD).astype(np.float32)
    np.testing.assert_allclose(F.describe(x * 0.1, RATE, 261.6, HOLD), feats[:1], atol=1e-3)


def test_a_bank_patch_is_its_own_nearest_proposal():
    vs, feats = _bank()
    model = WarmStart(n_neighbors=5, vote_neighbors=3).fit(feats, vs)
    for i in (0, 7, 33):
        np.testing.assert_array_equal(model.propose(feats[i])[0], vs[i])
    proba = model.algorithm_probabilities(feats[:3])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.argmax(proba, axis=1) == vs[:3, P.ALGORITHM])


def test_proposals_come_with_the_note_each_is_played_at():
    vs, feats = _bank(20)
    shifts = np.arange(20) % 3 * 12 - 12
    model = WarmStart(n_neighbors=5, vote_neighbors=3).fit(feats, vs, shifts=shifts)
    vectors, got = model.propose_notes(feats[4], 5)
    rows = [int(np.flatnonzero((vs == v).all(axis=1))[0]) for v in vectors]
    assert rows[0] == 4 and got.tolist() == shifts[rows].tolist()
    with pytest.raises(ValueError):
        WarmStart().fit(feats, vs, shifts=shifts[:5])


def test_fit_validates_its_input():
    vs, feats = _bank(5)
    with pytest.raises(ValueError):
        WarmStart().fit(feats[:, :10], vs)
    bad = feats.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        WarmStart().fit(bad, vs)


def test_save_load_round_trip_and_clear_errors(tmp_path):
    vs, feats = _bank(30)
    model = WarmStart(n_neighbors=4, vote_neighbors=3).fit(feats, vs)
    path = tmp_path / "m.npz"
    model.save(path, {"seed": 1})
    loaded = WarmStart.load(path)
    assert loaded.card == {"seed": 1}
    np.testing.assert_array_equal(loaded.propose(feats[3]), model.propose(feats[3]))
    np.testing.assert_array_equal(loaded.shifts_, model.shifts_)
    with pytest.raises(ModelError, match="no warm-start model"):
        WarmStart.load(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="junk.npz"):
        WarmStart.load(tmp_path / "junk.npz")
    data = dict(np.load(path))
    data["version"] = np.int64(99)
    np.savez(tmp_path / "old.npz", **data)
    with pytest.raises(ModelError, match="version"):
        WarmStart.load(tmp_path / "old.npz")


def test_the_shipped_model_loads_and_is_small():
    assert DEFAULT_PATH.stat().st_size <= 25 * 2**20
    model = load_default()
    assert model.vectors_.shape[1] == P.SIZE and len(model.vectors_) >= 1000
    assert {"seed", "bank_size", "date", "algorithm_accuracy_held_out_bank"} <= set(model.card)


def _net_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, F.SIZE)).astype(np.float32)
    y = np.stack([x[:, a] + 0.3 * x[:, a + 8] > 0 for a in range(8)], axis=1)
    y[:, 0] |= ~y.any(axis=1)
    return x, y


def test_algorithm_net_forward_pass_is_sklearns():
    from sklearn.neural_network import MLPClassifier

    x, y = _net_data()
    net = AlgorithmNet.fit(x, y, hidden=(16, 8), seed=3)
    reference = MLPClassifier((16, 8), alpha=1e-4, batch_size=256, max_iter=60, early_stopping=True,
                              random_state=3)
    with warnings.catch_warnings():            # the same capped training
        warnings.simplefilter("ignore")
        reference.fit((x - x.mean(axis=0)) / (x.std(axis=0) + 1e-3), y.astype(int))
    expected = reference.predict_proba((x[:20] - x.mean(axis=0)) / (x.std(axis=0) + 1e-3))
    np.testing.assert_allclose(net.predict(x[:20]), expected, atol=1e-4)


def test_the_classifier_is_saved_as_plain_arrays_and_checked_on_load(tmp_path):
    vs, feats = _bank(30)
    x, y = _net_data()
    model = WarmStart(n_neighbors=4, vote_neighbors=3).fit(feats, vs)
    model.net = AlgorithmNet.fit(x, y, hidden=(16,), seed=0)
    path = tmp_path / "m.npz"
    model.save(path, {"seed": 1})
    with np.load(path, allow_pickle=False) as z:              # nothing needs a pickle
        assert z["net_w0"].shape == (F.SIZE, 16) and z["net_w1"].shape == (16, 8)
    loaded = WarmStart.load(path)
    proba = loaded.algorithm_probabilities(feats[:5])
    np.testing.assert_allclose(proba, model.algorithm_probabilities(feats[:5]), atol=2e-3)   # float16 table
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    data = dict(np.load(path))
    data["net_w1"] = data["net_w1"][:, :5]                    # 5 outputs, not 8
    np.savez(tmp_path / "bad.npz", **data)
    with pytest.raises(ModelError, match="classifier"):
        WarmStart.load(tmp_path / "bad.npz")


def test_scores_blend_the_classifier_and_the_neighbour_vote():
    vs, feats = _bank(30)
    model = WarmStart(n_neighbors=4, vote_neighbors=3).fit(feats, vs)
    x, y = _net_data()
    model.net, model.net_weight = AlgorithmNet.fit(x, y, hidden=(16,), seed=0), 0.25
    net = model.net.predict(feats[:4])
    expected = 0.25 * net / net.sum(axis=1, keepdims=True) + 0.75 * model.neighbour_vote(feats[:4])
    np.testing.assert_allclose(model.algorithm_probabilities(feats[:4]), expected)

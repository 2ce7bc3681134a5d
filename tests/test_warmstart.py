"""The warm-start model: fit/propose behaviour, storage and its failure modes."""
import numpy as np
import pytest

import emulator
from emulator import params as P
from fmfit import features as F
from fmfit.warmstart import DEFAULT_PATH, ModelError, WarmStart, load_default
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

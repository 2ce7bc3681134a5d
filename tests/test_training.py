"""`fmfit train`: the bank is drawn from the prior deterministically, and the model reproduces."""
import numpy as np

from emulator import params as P
from fmfit.formats import read
from fmfit.training import perturb, sample_bank, searchable, train
from fmfit.warmstart import WarmStart
from tests.conftest import ROOT, shared_path

PRESETS = sorted((ROOT / "tests" / "data" / "megatoy").rglob("*.dmp"))


def _real():
    return np.array([p.to_params() for f in PRESETS for p in read(f)], np.int64)


def test_bank_is_deterministic_valid_and_never_copies_a_real_patch():
    real = _real()
    a, notes_a = sample_bank(real, 300, seed=5)
    b, notes_b = sample_bank(real, 300, seed=5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(notes_a, notes_b)
    assert np.all((a >= 0) & (a <= P.MAXIMA)) and np.all((notes_a >= 45) & (notes_a <= 72))
    assert not np.any(a[:, [P.AMS, P.FMS, P.LFO]])
    for op in range(4):
        assert np.all(a[:, P.op_base(op) + P.ATTACK_RATE] >= 1)
    copies = {r.tobytes() for r in searchable(real)} & {r.tobytes() for r in a}
    # a perturbation can leave a patch unchanged by chance, but rarely
    assert len(copies) <= 0.05 * len(a)
    assert len(set(np.unique(a[:, P.ALGORITHM]))) == 8


def test_perturb_moves_little():
    rng = np.random.default_rng(0)
    v = _real()[0]
    for _ in range(50):
        w = perturb(v, rng)
        assert np.abs(w - v)[P.CHANNEL_FIELDS:].max() <= 7


def test_train_reproduces_from_the_corpus(tmp_path):
    shared_path("corpus", "dev_patches.jsonl")
    card1 = train(size=150, seed=2, path=tmp_path / "a.npz")
    card2 = train(size=150, seed=2, path=tmp_path / "b.npz")
    a, b = WarmStart.load(tmp_path / "a.npz"), WarmStart.load(tmp_path / "b.npz")
    np.testing.assert_array_equal(a.vectors_, b.vectors_)
    np.testing.assert_array_equal(a.features_, b.features_)
    assert card1["evaluation_patches_excluded"] > 0 and card1["bank_size"] == 150
    assert (tmp_path / "a.card.json").is_file()

"""`fmfit train`: the bank is drawn from the prior deterministically, and the model reproduces."""
import numpy as np

from emulator import params as P
from fmfit.training import bank_plan, heard_features, real_renders, sample_bank, searchable, train
from fmfit.warmstart import WarmStart
from tests.conftest import megatoy_vectors, shared_path


def test_bank_is_deterministic_valid_and_never_copies_a_real_patch():
    real = megatoy_vectors()
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


def test_train_reproduces_from_the_corpus(tmp_path):
    shared_path("corpus", "dev_patches.jsonl")
    card1 = train(size=150, seed=2, path=tmp_path / "a.npz")
    card2 = train(size=150, seed=2, path=tmp_path / "b.npz")
    a, b = WarmStart.load(tmp_path / "a.npz"), WarmStart.load(tmp_path / "b.npz")
    np.testing.assert_array_equal(a.vectors_, b.vectors_)
    np.testing.assert_array_equal(a.features_, b.features_)
    timing = {"train_seconds", "date"}
    assert {k: v for k, v in card1.items() if k not in timing} == {k: v for k, v in card2.items() if k not in timing}
    assert card1["evaluation_patches_excluded"] > 0 and card1["bank_size"] == 150
    assert (tmp_path / "a.card.json").is_file()
    assert a.net is not None and card1["real_patch_renders"] + len(a.vectors_) <= 150


def test_real_renders_play_every_real_patch_at_distinct_notes():
    real = searchable(megatoy_vectors())
    vectors, notes = real_renders(real, 3, seed=0)
    assert len(vectors) == 3 * len(real) and np.all((notes >= 45) & (notes <= 72))
    for i in range(len(real)):
        np.testing.assert_array_equal(vectors[3 * i:3 * i + 3], np.repeat(real[i:i + 1], 3, axis=0))
        assert len(set(notes[3 * i:3 * i + 3])) == 3


def test_bank_plan_puts_the_table_first_and_counts_every_render():
    real = megatoy_vectors()
    vectors, notes, table = bank_plan(real, 200, seed=0)
    assert len(vectors) == len(notes) == 200
    assert table == 200 - min(100, 4 * len(real))                  # real renders: at most half
    real_rows = {r.tobytes() for r in searchable(real)}
    assert all(r.tobytes() in real_rows for r in vectors[table:])
    assert sum(r.tobytes() in real_rows for r in vectors[:table]) <= 0.05 * table


def test_heard_features_describe_the_pitch_analysis_hears():
    """A lone MUL 2 sine keyed at A3 sounds A4: described as match describes it, at 440 Hz."""
    import emulator
    from fmfit.notes import CHIP_RATE, block_fnum, midi_to_hz

    v = np.zeros(P.SIZE, np.int64)
    v[P.ALGORITHM] = 7
    for op in range(4):
        b = P.op_base(op)
        v[b + P.TOTAL_LEVEL] = 127 if op < 3 else 0
        v[b + P.ATTACK_RATE], v[b + P.RELEASE_RATE], v[b + P.MULTIPLE] = 31, 8, 2
        v[b + P.SUSTAIN_LEVEL] = 0
    block, fnum = block_fnum(midi_to_hz(57))
    audio = emulator.render_patch(v, block, fnum, 3 * CHIP_RATE, 2 * CHIP_RATE)
    f = heard_features(audio)
    assert abs(f[-1] - 10 * np.log2(440.0 / 261.6256)) < 0.1          # the octave feature
    assert heard_features(np.zeros(3 * CHIP_RATE, np.int16)) is None  # silence: no note


def test_note_shifts_say_where_a_patch_is_played_for_the_pitch_heard():
    """A lone MUL 2 sine keyed at A3 is heard at A4: its patch is played 12 below the
    pitch heard; a lone x0.5 (MUL 0) sine keyed at A4 is heard at A3: 12 above."""
    import emulator
    from fmfit.notes import CHIP_RATE, block_fnum, midi_to_hz
    from fmfit.warmstart import note_shifts

    feats, notes = [], []
    for multiple, note in ((2, 57), (0, 69), (1, 60)):
        v = np.zeros(P.SIZE, np.int64)
        v[P.ALGORITHM] = 7
        for op in range(4):
            b = P.op_base(op)
            v[b + P.TOTAL_LEVEL] = 127 if op < 3 else 0
            v[b + P.ATTACK_RATE], v[b + P.RELEASE_RATE], v[b + P.MULTIPLE] = 31, 8, multiple
        block, fnum = block_fnum(midi_to_hz(note))
        feats.append(heard_features(emulator.render_patch(v, block, fnum, 3 * CHIP_RATE, 2 * CHIP_RATE)))
        notes.append(note)
    assert note_shifts(np.array(feats), np.array(notes)).tolist() == [-12, 12, 0]

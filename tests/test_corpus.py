"""fmfit.corpus: the dev patch corpus loads, and its train/evaluation split is by source file."""
from __future__ import annotations

import json

import pytest

from fmfit import corpus
from fmfit.corpus import is_evaluation_source, source_file, split_dev_patches
from fmfit.patch import Patch



def _dev_patches():
    """The real dev_patches.jsonl, or a clean skip where ../shared is absent."""
    path = corpus.dev_patches_path()
    if path is None:
        pytest.skip("../shared/corpus/dev_patches.jsonl not present (only on developer and CI machines)")
    return path


def _record(src: str, alg: int = 4, dt: int = 5, ssg: int = 0, name: str = "") -> dict:
    op = {"ar": 31, "dr": 5, "sr": 2, "rr": 7, "sl": 3, "tl": 20, "rs": 1, "mul": 2, "dt": dt,
          "ssg": ssg, "am": 0}
    return {"id": "x", "src": src, "n_src": 1, "name": name,
            "patch": {"alg": alg, "fb": 3, "ams": 0, "fms": 0, "ops": [op, {**op, "tl": 0}, op, op]}}


def test_source_file_drops_only_the_bank_entry_suffix():
    assert source_file("libOPNMIDI/fm_banks/gm.wopn#melodic:0:5") == "libOPNMIDI/fm_banks/gm.wopn"
    assert source_file("libOPNMIDI/fm_banks/gm.wopn#percussion:0:35") == "libOPNMIDI/fm_banks/gm.wopn"
    assert source_file("BambooTracker/data/demos/instruments/x.btb#i3") == "BambooTracker/data/demos/instruments/x.btb"
    # a '#' in a file name is part of the name
    assert source_file("furnace/instruments/OPN/drums/Heavy EDM Kick F#5.fui") == \
        "furnace/instruments/OPN/drums/Heavy EDM Kick F#5.fui"


def test_split_is_deterministic_and_keeps_bank_entries_together():
    names = [f"furnace/instruments/OPN/x/patch{i}.dmp" for i in range(400)]
    first = [is_evaluation_source(n) for n in names]
    assert first == [is_evaluation_source(n) for n in names]
    assert 0.08 < sum(first) / len(first) < 0.22            # about 15%
    banks = [f"libOPNMIDI/fm_banks/bank{i}.wopn" for i in range(60)]
    for bank in banks:
        sides = {is_evaluation_source(f"{bank}#melodic:0:{k}") for k in range(20)}
        sides |= {is_evaluation_source(f"{bank}#percussion:0:{k}") for k in range(35, 40)}
        assert sides == {is_evaluation_source(bank)}


def test_bundled_megatoy_presets_are_always_train():
    assert not any(is_evaluation_source(f"megatoy/assets/presets/p{i}.dmp") for i in range(200))


def test_load_and_split_a_small_file(tmp_path):
    path = tmp_path / "dev_patches.jsonl"
    srcs = [f"furnace/f{i}.fui" for i in range(40)] + [f"bank{i}.wopn#melodic:0:{k}"
                                                        for i in range(10) for k in range(3)]
    path.write_text("\n".join(json.dumps(_record(s, dt=5, ssg=9, name=f"n{j}"))
                              for j, s in enumerate(srcs)) + "\n")
    loaded = corpus.load_dev_patches(path)
    assert [s for _, s in loaded] == srcs
    patch = loaded[0][0]
    assert isinstance(patch, Patch) and patch.name == "n0" and patch.algorithm == 4
    assert patch.operators[0].detune == -1                  # register 5 is -1
    assert patch.operators[0].ssg_eg == 1                   # register 9: enabled, mode 1
    assert patch.operators[1].total_level == 0 and patch.operators[0].sustain_rate == 2
    train, evaluation = split_dev_patches(path)
    assert len(train) + len(evaluation) == len(srcs)
    assert all(not is_evaluation_source(s) for _, s in train)
    assert all(is_evaluation_source(s) for _, s in evaluation)


def test_find_shared_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(corpus.SHARED_ENV, str(tmp_path))
    assert corpus.find_shared() == tmp_path
    monkeypatch.setenv(corpus.SHARED_ENV, str(tmp_path / "absent"))
    assert corpus.find_shared() is None
    with pytest.raises(FileNotFoundError):
        corpus.load_dev_patches()


# -- the real corpus (skipped where ../shared is absent) ------------------------------------
@pytest.fixture(scope="module")
def real_split():
    path = _dev_patches()
    return corpus.load_dev_patches(path), split_dev_patches(path)


def test_real_corpus_loads(real_split):
    loaded, _ = real_split
    lines = [line for line in _dev_patches().read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(loaded) == len(lines) > 2000
    for (patch, src), line in zip(loaded[:200], lines):
        record = json.loads(line)
        assert src == record["src"]
        for op, d in zip(patch.operators, record["patch"]["ops"]):
            assert op.detune_register == (d["dt"] if d["dt"] != 4 else 0)
            assert op.ssg_register == (d["ssg"] if d["ssg"] & 8 else 0)
            assert (op.total_level, op.multiple, op.sustain_level) == (d["tl"], d["mul"], d["sl"])


def test_real_split_is_by_source_file(real_split):
    loaded, (train, evaluation) = real_split
    assert len(train) + len(evaluation) == len(loaded)
    train_files = {source_file(s) for _, s in train}
    eval_files = {source_file(s) for _, s in evaluation}
    assert not train_files & eval_files                     # no source file on both sides
    share = len(eval_files) / len(train_files | eval_files)
    assert 0.10 < share < 0.20
    assert len(evaluation) > 100
    assert split_dev_patches(_dev_patches()) == (train, evaluation)   # deterministic

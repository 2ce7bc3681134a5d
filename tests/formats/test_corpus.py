"""The real corpus in ../shared/corpus: every OPN FM file reads, and agrees with
dev_patches.jsonl (the corpus's own list of unique patches, by sound)."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from fmfit import formats
from fmfit.formats import EXTENSIONS, FormatError
from fmfit.patch import Operator, Patch

#: Sub-entry markers of dev_patches.jsonl's "src" (bank entries), e.g. "#melodic:0:5", "#i3".
SUB_ENTRY = re.compile(r"#(?:(?:melodic|percussion):\d+:\d+|i\d+)$")
YM2151_DMP_FILES = 27
NON_FM_BTB_FILES = 3            # Rerrah/SSG.btb, Rerrah/PMD-like Drums.btb, papiezak/SSG.btb


def _is_ym2151_dmp(path: Path) -> bool:
    data = path.read_bytes()
    return path.suffix == ".dmp" and data[:2] == bytes([11, 0x08])


def _is_non_fm_btb(path: Path) -> bool:
    return path.suffix == ".btb" and ("SSG" in path.name or "Drums" in path.name)


@pytest.fixture(scope="module")
def corpus_files(corpus) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix.lower() in EXTENSIONS)


@pytest.fixture(scope="module")
def parsed(corpus_files) -> dict[Path, list[Patch]]:
    return {p: formats.read(p) for p in corpus_files
            if not _is_ym2151_dmp(p) and not _is_non_fm_btb(p)}


def _dev_patch(d: dict) -> Patch:
    ops = tuple(Operator(
        multiple=o["mul"], detune=Operator.detune_from_register(o["dt"]), total_level=o["tl"],
        attack_rate=o["ar"], decay_rate=o["dr"], sustain_level=o["sl"], sustain_rate=o["sr"],
        release_rate=o["rr"], rate_scaling=o["rs"], am=bool(o["am"]),
        ssg_eg=Operator.ssg_from_register(o["ssg"])) for o in d["ops"])
    return Patch(algorithm=d["alg"], feedback=d["fb"], ams=d["ams"], fms=d["fms"],
                 operators=ops)


@pytest.fixture(scope="module")
def dev(corpus) -> list[dict]:
    return [json.loads(line) for line in (corpus / "dev_patches.jsonl").open()]


def test_every_opn_fm_file_reads(corpus_files, parsed):
    assert len(corpus_files) > 800
    assert sum(len(v) for v in parsed.values()) > 5000
    not_opn = [p for p in corpus_files if p not in parsed]
    assert sum(_is_ym2151_dmp(p) for p in not_opn) == YM2151_DMP_FILES
    assert sum(_is_non_fm_btb(p) for p in not_opn) == NON_FM_BTB_FILES
    for path in not_opn:
        with pytest.raises(FormatError, match=r"YM2151|no FM instruments"):
            formats.read(path)


def test_the_ym2151_dmps_are_the_uhrwerk_ones(corpus_files):
    assert all("uhrwerk" in p.parts for p in corpus_files if _is_ym2151_dmp(p))


def test_parsed_patches_are_dev_patches_by_sound(parsed, dev):
    """Same unique sounds, and each heard as often as dev_patches' n_src says."""
    counts = Counter(p.canonical() for patches in parsed.values() for p in patches)
    expected = {_dev_patch(row["patch"]).canonical(): row["n_src"] for row in dev}
    assert len(expected) == len(dev)
    assert set(counts) == set(expected)
    assert counts == Counter(expected)


def test_names_agree_with_dev_patches(corpus, parsed, dev):
    names_by_sound = {path: defaultdict(set) for path in parsed}
    for path, patches in parsed.items():
        for patch in patches:
            names_by_sound[path][patch.canonical()].add(patch.name)
    checked = 0
    for row in dev:
        if not row["name"]:
            continue
        src = row["src"]
        match = SUB_ENTRY.search(src)
        path = corpus / (src[:match.start()] if match else src)
        assert row["name"] in names_by_sound[path][_dev_patch(row["patch"]).canonical()], src
        checked += 1
    assert checked > 1000


def test_a_patch_in_two_formats_reads_the_same_from_both(parsed):
    by_sound = defaultdict(dict)
    for path, patches in parsed.items():
        for patch in patches:
            by_sound[patch.canonical()].setdefault(path.suffix, patch)
    pairs = 0
    for found in by_sound.values():
        exts = sorted(found)
        for i, a in enumerate(exts):
            for b in exts[i + 1:]:
                # Compare on what both formats hold, names aside.
                def fit(p):
                    return formats.storable(formats.storable(p, a), b).replace(name="")
                assert fit(found[a]) == fit(found[b]), (a, b)
                pairs += 1
    assert pairs >= 4


def test_megatoy_presets_match_the_corpus(corpus):
    package = Path(formats.__file__).parents[1] / "data" / "presets"
    shipped = sorted(p.relative_to(package) for p in package.rglob("*") if p.is_file())
    source = corpus / "megatoy" / "assets" / "presets"
    original = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    assert shipped == original
    for rel in shipped:
        assert (package / rel).read_bytes() == (source / rel).read_bytes()

"""The development patch corpus (../shared/corpus) and its train / evaluation split.

A development-only helper: nothing in fmfit's matching depends on it, and it imports
fine where ../shared is absent (find_shared() then returns None and loading raises
FileNotFoundError).

dev_patches.jsonl holds one line per unique patch (duplicates merged by sound), with
operators in logical order OP1..OP4, DT in its register encoding (0..7) and SSG-EG as
the register nibble; "src" is the first file that holds the patch, with a "#..." suffix
naming the entry of a bank file ("#melodic:0:5", "#percussion:0:35", "#i3").

The split is by SOURCE FILE, so that near-duplicates inside one bank or one folder of
variants cannot sit on both sides: a file belongs to the evaluation side when the SHA-1
of its path (without the bank-entry suffix) falls in the lowest EVALUATION_FRACTION of
the hash range. It depends on nothing but the path, so it never changes when the corpus
grows or is reordered.

    EVALUATION PATCHES MUST NEVER BE USED FOR TRAINING OR TUNING: no model fitting, no
    search-start libraries, no hyper-parameter or threshold choices made by looking at
    them. Only benchmarks/bench_match.py scores on them, and its numbers mean something
    only as long as fmfit has never seen them. Use `split_dev_patches()[0]` (train) for
    anything that learns from the corpus.

The megatoy presets are bundled with fmfit (fmfit/data/presets, its search starts), so
fmfit has already seen them: their source files always go to the train side.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .patch import Operator, Patch

SHARED_ENV = "FMFIT_SHARED"
DEV_PATCHES = Path("corpus") / "dev_patches.jsonl"
EVALUATION_FRACTION = 0.15
SPLIT_SALT = "fmfit-dev-split-v1:"
#: Source folders whose files are always train: fmfit ships them (fmfit/data/presets).
ALWAYS_TRAIN_PREFIXES = ("megatoy/",)
#: The bank-entry suffix of a "src" ("#melodic:0:5", "#percussion:0:35", "#i3"). A plain
#: "#" may also be part of a file name ("Heavy EDM Kick F#5.fui"), so only these count.
_SUB_ENTRY = re.compile(r"#(?:(?:melodic|percussion):\d+:\d+|i\d+)$")


def find_shared() -> Path | None:
    """The shared development folder: $FMFIT_SHARED, else ../shared beside the repository.

    None when it is absent (an installed fmfit, a user's machine).
    """
    env = os.environ.get(SHARED_ENV)
    if env:
        path = Path(env).expanduser()
        return path if path.is_dir() else None
    path = Path(__file__).resolve().parents[1].parent / "shared"
    return path if path.is_dir() else None


def dev_patches_path() -> Path | None:
    """../shared/corpus/dev_patches.jsonl, or None when it is absent."""
    shared = find_shared()
    if shared is None:
        return None
    path = shared / DEV_PATCHES
    return path if path.is_file() else None


def patch_from_dev_dict(d: dict, name: str = "") -> Patch:
    """A canonical dev-patch dict ({"alg", "fb", "ams", "fms", "ops": [...]}) as a Patch."""
    ops = tuple(Operator(
        multiple=o["mul"], detune=Operator.detune_from_register(o["dt"]), total_level=o["tl"],
        attack_rate=o["ar"], decay_rate=o["dr"], sustain_level=o["sl"], sustain_rate=o["sr"],
        release_rate=o["rr"], rate_scaling=o["rs"], am=bool(o["am"]),
        ssg_eg=Operator.ssg_from_register(o["ssg"])) for o in d["ops"])
    if len(ops) != 4:
        raise ValueError(f"a dev patch has 4 operators, got {len(ops)}")
    return Patch(algorithm=d["alg"], feedback=d["fb"], ams=d["ams"], fms=d["fms"],
                 operators=ops, name=name or "")


def load_dev_patches(path: str | Path | None = None) -> list[tuple[Patch, str]]:
    """Every patch of dev_patches.jsonl as (Patch, src), in file order.

    Raises FileNotFoundError when no path is given and ../shared is absent.
    """
    if path is None:
        path = dev_patches_path()
        if path is None:
            raise FileNotFoundError(
                f"dev_patches.jsonl not found: no ../shared beside the repository and no ${SHARED_ENV}")
    patches = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                patch = patch_from_dev_dict(record["patch"], record.get("name") or "")
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a dev patch ({exc})") from None
            patches.append((patch, str(record["src"])))
    return patches


def source_file(src: str) -> str:
    """The file of a "src": the path without its bank-entry suffix."""
    return _SUB_ENTRY.sub("", src)


def is_evaluation_source(src: str) -> bool:
    """True when the patch's source file is on the evaluation side of the split.

    Deterministic: SHA-1 of the source file's path (bank-entry suffix dropped), so every
    entry of one bank file lands on the same side; about 15% of source files.
    """
    file = source_file(src)
    if file.startswith(ALWAYS_TRAIN_PREFIXES):
        return False
    digest = hashlib.sha1((SPLIT_SALT + file).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < EVALUATION_FRACTION * 2**64


def split_dev_patches(path: str | Path | None = None
                      ) -> tuple[list[tuple[Patch, str]], list[tuple[Patch, str]]]:
    """(train, evaluation) lists of (Patch, src), split by source file.

    Never train or tune on the evaluation list (see the module docstring).
    """
    train, evaluation = [], []
    for patch, src in load_dev_patches(path):
        (evaluation if is_evaluation_source(src) else train).append((patch, src))
    return train, evaluation

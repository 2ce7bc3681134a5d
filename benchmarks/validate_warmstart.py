"""Model selection for the warm start, on the TRAIN split only (never the evaluation split).

    .venv/bin/python benchmarks/validate_warmstart.py --size 20000     # fit on the fit side, score
    .venv/bin/python benchmarks/validate_warmstart.py --model PATH      # score a saved model
    .venv/bin/python benchmarks/validate_warmstart.py --size 20000 --save /tmp/fit20k.npz

The corpus TRAIN split is cut again by source file (a salted SHA-1 of the path, as
fmfit.corpus cuts train from evaluation): a quarter of its files are a validation side,
the rest is what a candidate model may be fitted on (fit_patches). Validation targets are
made exactly as bench_match/bench_warmstart make theirs (render_targets: algorithms in
turn, notes 45-72, the judge's protocol) and analysed on the path fmfit.matching takes,
so the figures here predict bench_warmstart's part a without looking at its targets.

With --size the model is trained here as `fmfit train` trains it, on the fit side only.
A saved model (--model, the shipped one) was trained on the whole train split, the
validation files included: its figure here is optimistic and not for model selection.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_match as BM  # noqa: E402
import judge as J  # noqa: E402
from fmfit.algorithms import reachable_algorithms  # noqa: E402
from fmfit.corpus import source_file, split_dev_patches  # noqa: E402

VALIDATION_SALT = "fmfit-warm-validation-v1:"
VALIDATION_FRACTION = 0.25
VALIDATION_SEED = 7


def is_validation_source(src: str) -> bool:
    """The validation side of the train split: by source file, so near-duplicates stay together."""
    digest = hashlib.sha1((VALIDATION_SALT + source_file(src)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < VALIDATION_FRACTION * 2**64


def validation_split():
    """(fit, validation) lists of (Patch, src), both from the corpus TRAIN split."""
    train, _ = split_dev_patches()
    fit = [(p, s) for p, s in train if not is_validation_source(s)]
    val = [(p, s) for p, s in train if is_validation_source(s)]
    return fit, val


def analysed_targets(count: int, seed: int = VALIDATION_SEED) -> list[dict]:
    """Validation renders analysed as fmfit.matching analyses a target: the chip-rate
    target, the heard f0 and key-off, and the algorithms that can play the true patch."""
    from fmfit.analysis import analyse

    _, val = validation_split()
    out = []
    for t in BM.render_targets(count, val, seed):
        a = analyse(np.asarray(t.audio, np.float64), J.JUDGE_RATE)
        reach = np.zeros(8, bool)
        reach[list(reachable_algorithms(t.patch))] = True
        out.append({"target": np.asarray(a.target, np.float32), "rate": a.rate, "f0": a.f0_hz,
                    "key_off": a.hold_samples if a.note_off_found else None, "reachable": reach,
                    "midi": t.midi, "algorithm": t.patch.algorithm})
    return out


def top_k_accuracy(proba: np.ndarray, reachable: np.ndarray) -> tuple[float, float]:
    """Top-1 and top-3 accuracy, a guess right when it can play the true patch."""
    top = np.argsort(-proba, axis=1, kind="stable")
    rows = np.arange(len(top))[:, None]
    return float(np.mean(reachable[rows[:, 0], top[:, 0]])), float(np.mean(np.any(reachable[rows, top[:, :3]], axis=1)))


def model_probabilities(scores, targets: list[dict]) -> np.ndarray:
    """scores(features) -> (n, 8) for every target, described as fmfit.matching does."""
    from fmfit import features

    return np.concatenate([scores(features.describe(t["target"], t["rate"], t["f0"], t["key_off"]))
                           for t in targets])


def fit_side_model(size: int, seed: int):
    """The warm-start model as fmfit.training builds it, from the fit side's patches only."""
    from fmfit import training as T

    fit, _ = validation_split()
    real = np.unique(T.searchable(np.array([p.to_params() for p, _ in fit], np.int64)), axis=0)
    vectors, notes, table = T.bank_plan(real, size, seed)
    feats, heard = T.describe_bank(vectors, notes)
    return T.fit_model(feats, vectors, notes, heard, table, seed)


def main(argv=None) -> int:
    from fmfit.warmstart import WarmStart

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--model", help="score a saved model (optimistic: see above)")
    group.add_argument("--size", type=int, help="train on the fit side with this many renders, then score")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--targets", type=int, default=240)
    ap.add_argument("--save", metavar="PATH", help="with --size: save the fit-side model there (for "
                    "validate_match.py --model)")
    args = ap.parse_args(argv)
    targets = analysed_targets(args.targets)
    model = WarmStart.load(args.model) if args.model else fit_side_model(args.size, args.seed)
    if args.save and args.size:
        model.save(args.save, {"model": "fit side of the train split (validate_warmstart.py)",
                               "bank_size": args.size, "seed": args.seed})
    reachable = np.stack([t["reachable"] for t in targets])
    rows = [("model", model.algorithm_probabilities), ("neighbour vote only", model.neighbour_vote)]
    for name, scores in rows:
        top1, top3 = top_k_accuracy(model_probabilities(scores, targets), reachable)
        print(f"{name:<22} top-1 {100 * top1:5.1f}%  top-3 {100 * top3:5.1f}%  "
              f"({len(targets)} renders of validation-side train patches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

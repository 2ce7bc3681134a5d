"""fmfit.match on validation renders of the TRAIN split (never the evaluation split), judged.

    .venv/bin/python benchmarks/validate_warmstart.py --size 20000 --save /tmp/fit20k.npz
    .venv/bin/python benchmarks/validate_match.py --model /tmp/fit20k.npz --targets 48
    .venv/bin/python benchmarks/validate_match.py --model /tmp/fit20k.npz --note-given --json out.json

For trying a change to the search: the targets are made as bench_match makes its renders,
from the validation side of the train split (validate_warmstart.validation_split), and
each is judged as bench_match judges (ymfm-py, lsd_db at the true note), with its
fragility (judge.fragility) and the found and true patches in --json.

The shipped model's bank holds these very patches (it is trained on the whole train
split), so with it fmfit finds many of them exactly: pass a fit-side model (--model; the
first command above makes one in about 6 minutes). FMFIT_MODEL is set from it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_match as BM  # noqa: E402
import judge as J  # noqa: E402
from validate_warmstart import VALIDATION_SEED, validation_split  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="the warm-start model to match with (a fit-side one; see above)")
    ap.add_argument("--targets", type=int, default=48)
    ap.add_argument("--target-seed", type=int, default=VALIDATION_SEED)
    ap.add_argument("--pick", help="only these target indices, comma-separated")
    ap.add_argument("--note-given", action="store_true", help="tell match the true note")
    ap.add_argument("--true-algorithm", action="store_true", help="hold match to the true algorithm")
    ap.add_argument("--budget", type=int, default=None, help="renders per match (default: fmfit's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", metavar="PATH")
    args = ap.parse_args(argv)
    if args.model:
        os.environ["FMFIT_MODEL"] = str(Path(args.model).resolve())
    import fmfit

    _, val = validation_split()
    targets = BM.render_targets(args.targets, val, args.target_seed)
    if args.pick:
        picked = [int(i) for i in args.pick.split(",")]
        if not all(0 <= i < len(targets) for i in picked):
            ap.error(f"--pick: indices must be under --targets ({len(targets)})")
        targets = [targets[i] for i in picked]
    rows = []
    for t in targets:
        t0 = time.perf_counter()
        result = fmfit.match(t.audio, J.JUDGE_RATE, note=t.midi if args.note_given else None,
                             renders=args.budget, seed=args.seed,
                             algorithms=[t.patch.algorithm] if args.true_algorithm else None)
        row = {"name": t.name, "fragility": J.fragility(t.patch, t.audio, t.midi),
               "lsd_db": J.score_patch(result.patch, t.audio, t.midi, J.RENDER_HOLD_S,
                                       J.RENDER_RELEASE_S)["lsd_db"],
               "distance": result.distance, "algorithm": result.patch.algorithm,
               "true_algorithm": t.patch.algorithm, "seconds": time.perf_counter() - t0,
               "midi": t.midi, "played": [result.analysis.block, result.analysis.fnum],
               "found": result.patch.to_params().tolist(), "true": t.patch.to_params().tolist()}
        rows.append(row)
        print(f"{t.name:<18} fragility {row['fragility']:5.2f}  lsd_db {row['lsd_db']:5.2f}  "
              f"distance {row['distance']:5.2f}  algorithm {row['algorithm']} (true {row['true_algorithm']})"
              f"  {row['seconds']:.1f} s", flush=True)
    split = BM.near_identical_by_fragility(
        [{"fragility": r["fragility"], "fmfit": {"metrics": {"lsd_db": r["lsd_db"]}}} for r in rows], "fmfit")
    lsd = np.array([r["lsd_db"] for r in rows])
    print(f"near-identical {int(np.sum(lsd <= BM.NEAR_IDENTICAL_LSD))}/{len(rows)} "
          f"(robust {split['robust'][0]}/{split['robust'][1]}, fragile {split['fragile'][0]}/{split['fragile'][1]}); "
          f"median lsd_db {np.median(lsd):.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

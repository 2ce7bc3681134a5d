"""`fmfit batch` throughput: samples per minute with 1 and 2 worker processes.

    .venv/bin/python benchmarks/bench_batch.py                      # 8 real notes, default budget
    .venv/bin/python benchmarks/bench_batch.py --limit 4 --budget 300 --fast

The first N files of ../shared/realnotes (or $FMFIT_SHARED/realnotes), copied to a
temporary folder and matched by fmfit.batch.run into a fresh output folder per --jobs
value. The wall time counts everything a user waits for: starting the workers, matching,
writing the outputs and the summary; samples/min counts the samples matched (not failed).
Skips (exit 0) when the shared folder is absent.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmfit import batch  # noqa: E402
from fmfit.corpus import find_shared  # noqa: E402

JOBS = (1, 2)


def measure(samples: Path, out: Path, options: batch.MatchOptions, jobs: int) -> dict:
    t0 = time.perf_counter()
    result = batch.run(samples, out, options, jobs=jobs)
    wall = time.perf_counter() - t0
    for row in result.failed:
        print(f"jobs {jobs}: failed: {row['file']}: {row['error']}", file=sys.stderr)
    distances = [r["distance"] for r in result.rows if r["distance"] is not None]
    matched = result.count("ok")
    return {"jobs": jobs, "samples": len(result.rows), "failed": result.count("failed"),
            "wall_s": wall, "per_minute": 60 * matched / wall,
            "median_distance": statistics.median(distances) if distances else float("nan")}


def table(rows: list[dict], options: batch.MatchOptions, cores: int) -> str:
    lines = [f"{'jobs':>4}{'samples':>9}{'failed':>8}{'wall s':>9}{'samples/min':>13}{'median dist':>13}"]
    for r in rows:
        lines.append(f"{r['jobs']:>4}{r['samples']:>9}{r['failed']:>8}{r['wall_s']:>9.1f}"
                     f"{r['per_minute']:>13.1f}{r['median_distance']:>13.3f}")
    lines.append(f"budget {options.budget or 'default'}, fast={options.fast}, formats "
                 f"{','.join(options.formats)}; {cores} cores; numba threads per worker = cores // jobs")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=8, metavar="N", help="real notes to match (default 8)")
    ap.add_argument("--budget", type=int, default=None, metavar="N", help="renders per match (default: fmfit's)")
    ap.add_argument("--fast", action="store_true", help="match with --fast")
    args = ap.parse_args(argv)

    shared = find_shared()
    folder = shared / "realnotes" if shared is not None else None
    if folder is None or not folder.is_dir():
        print("bench_batch: skipped, ../shared/realnotes not found", file=sys.stderr)
        return 0
    options = batch.MatchOptions(budget=args.budget, fast=args.fast)
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        samples = Path(tmp) / "samples"
        samples.mkdir()
        for path in sorted(folder.glob("*.wav"))[:args.limit]:
            shutil.copy(path, samples / path.name)
        rows = []
        for jobs in JOBS:
            rows.append(measure(samples, Path(tmp) / f"out-{jobs}", options, jobs))
            print(f"jobs {jobs}: {rows[-1]['wall_s']:.1f} s", file=sys.stderr, flush=True)
    print(table(rows, options, batch.available_cores()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

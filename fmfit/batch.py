"""`batch`: match every note of a folder tree, in parallel, resumably.

Workers (local processes, or a Dask cluster) match a sample and make its output files
as bytes; only this process writes them, atomically. So a kill leaves whole files or
none, and a worker orphaned by a kill writes nothing. A sample whose outputs all exist
is done: a rerun skips it, which is what makes a batch resumable.

The Dask workers read the samples by their paths: they must see the same files
(one machine, or a shared file system). Their results come back as bytes, so the
outputs need no shared file system.
"""
from __future__ import annotations

import csv
import glob
import io
import json
import math
import multiprocessing
import os
import signal
import statistics
import threading
import time
import warnings
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .atomic import write_atomic
from .errors import user_errors

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".aif", ".aiff")
PREVIEW_SUFFIX = ".preview.wav"          # fmfit's own output, never a sample
METRICS = ("lsd_db", "mrstft", "mfcc_mae", "env_db")
SUMMARY_FIELDS = ("file", "status", "note", "algorithm", "distance", *METRICS,
                  "seconds", "error", "warnings")
SUMMARY_NAMES = ("summary.csv", "summary.json")
BANK_SIZE = 128                          # patches a .wopn bank holds
SUMMARY_EVERY_S = 1.0                    # the summary is rewritten at most this often while running


@dataclass(frozen=True)
class MatchOptions:
    """The match options every sample of a batch gets (see fmfit.matching.match)."""
    formats: tuple[str, ...] = ("dmp", "fui", "tfi", "y12", "opni")
    algorithms: tuple[int, ...] | None = None
    budget: int | None = None        # renders
    seconds: float | None = None     # a time limit per sample (results then depend on the machine)
    fast: bool = False
    seed: int = 0
    candidates: int = 1
    warm_start: bool = True

    def __post_init__(self):
        """Refuse bad options before any work starts, not once per sample."""
        from .formats import WRITABLE_EXTENSIONS

        formats = tuple(f.strip().lower().lstrip(".") for f in self.formats if f.strip())
        for f in formats:
            if "." + f not in WRITABLE_EXTENSIONS:
                raise ValueError(f"--format {f}: not a format fmfit writes "
                                 f"({', '.join(e[1:] for e in WRITABLE_EXTENSIONS)})")
        if not formats:
            raise ValueError("--format: no format given")
        object.__setattr__(self, "formats", formats)
        if self.algorithms is not None:
            if not self.algorithms or any(not 0 <= a <= 7 for a in self.algorithms):
                raise ValueError("--algorithms: numbers 0-7")
            object.__setattr__(self, "algorithms", tuple(sorted(set(self.algorithms))))
        if self.budget is not None and self.budget < 1:
            raise ValueError("--budget: at least 1")
        if self.seconds is not None and not self.seconds > 0:
            raise ValueError("--budget: a time above 0 s")
        if not 1 <= self.candidates <= 8:
            raise ValueError("--candidates: 1 to 8")


@dataclass(frozen=True)
class Sample:
    """One audio file and where its outputs go (its folder mirrored under OUT_DIR)."""
    source: Path
    relative: str            # path under the input folder, with "/": the summary's "file"
    out_dir: Path
    stem: str


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: every output file by name, in writing order, or one error line."""
    files: dict[str, bytes] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchProgress:
    """Sent after planning (done 0) and after each sample matched or failed."""
    done: int
    total: int                       # samples to match in this run (skipped ones excluded)
    failed: int
    median_distance: float | None    # over every sample with a result, skipped ones too
    row: dict | None                 # the summary row of the sample just finished


@dataclass
class BatchResult:
    rows: list[dict]                 # summary rows, in file order
    summary: list[Path]
    banks: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.rows)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] == "failed"]


# -- finding the samples -----------------------------------------------------------------
def find_samples(in_dir: Path, out_dir: Path) -> list[Sample]:
    """The audio files under in_dir, sorted; hidden files and folders, fmfit's previews and
    anything inside out_dir (when it lies in in_dir) are left out."""
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise ValueError(f"{in_dir}: no such folder")
    own = out_dir.resolve()
    samples = []
    for path in sorted(in_dir.rglob("*")):
        rel = path.relative_to(in_dir)
        if (path.suffix.lower() not in AUDIO_SUFFIXES or path.name.lower().endswith(PREVIEW_SUFFIX)
                or any(part.startswith(".") for part in rel.parts) or not path.is_file()):
            continue
        if own != in_dir.resolve() and own in path.resolve().parents:
            continue
        samples.append(Sample(path, rel.as_posix(), out_dir / rel.parent, path.stem))
    return samples


def expected_outputs(sample: Sample, options: MatchOptions) -> list[Path]:
    from .matching import output_paths

    return output_paths(sample.out_dir, sample.stem, options.formats, options.candidates)


def is_complete(sample: Sample, options: MatchOptions) -> bool:
    return all(p.is_file() for p in expected_outputs(sample, options))


# -- the worker's side ---------------------------------------------------------------------
def match_sample(sample: Sample, options: MatchOptions) -> Outcome:
    """Match one sample and make its outputs; any failure becomes the Outcome's error line,
    so one bad file never ends a batch."""
    from . import matching  # noqa: F401 - imported before the clock starts: seconds are the match's

    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            files, notes = _make_outputs(sample, options)
    except Exception as error:  # noqa: BLE001 - reported in the summary, the batch goes on
        return Outcome(error=error_line(error), seconds=time.perf_counter() - t0)
    notes += tuple(str(w.message) for w in caught)
    return Outcome(files, seconds=time.perf_counter() - t0, warnings=notes)


def _make_outputs(sample: Sample, options: MatchOptions) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """What `fmfit match` writes, by name, in writing order: the spectrogram (not among
    the outputs that make a sample complete) first, so a complete sample has it too."""
    from .matching import match, output_files, spectrogram_name, spectrogram_png

    result = match(sample.source, algorithms=options.algorithms, renders=options.budget,
                   seconds=options.seconds, fast=options.fast, seed=options.seed, candidates=options.candidates,
                   warm_start=options.warm_start)
    png = spectrogram_png(result)
    files = {spectrogram_name(sample.stem): png} if png is not None else {}
    files.update(output_files(result, sample.stem, formats=options.formats, source=str(sample.source)))
    return files, tuple(result.warnings)


def error_line(error: BaseException) -> str:
    """fmfit's own errors as they are; anything else named as an internal error."""
    text = str(error) if isinstance(error, user_errors()) else f"internal error: {type(error).__name__}: {error}"
    return " ".join(text.split()) or type(error).__name__


# -- where the work runs -------------------------------------------------------------------
def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(numba_threads: int, parent_pid: int) -> None:
    """Each worker process: numba's threads sized so that the workers share the cores,
    Ctrl-C left to the parent, and an exit when the parent dies (kill -9) rather than an
    orphan. set_num_threads does the sizing (tasks run on this, the main, thread); the
    NUMBA_NUM_THREADS variable must not change here: numba has read it on import, and
    re-reads it whenever it compiles, which with a cold cache fails every task once the
    threads are running ("Cannot set NUMBA_NUM_THREADS to a different value")."""
    import numba

    numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


def local_outcomes(samples: list[Sample], options: MatchOptions, jobs: int) -> Iterator[tuple[Sample, Outcome]]:
    """(sample, outcome) as they finish, from `jobs` spawned worker processes."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    threads = max(1, available_cores() // jobs)
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(threads, os.getpid()))
    try:
        futures = {pool.submit(match_sample, s, options): s for s in samples}
        for future in as_completed(futures):
            yield futures[future], _outcome_of(future.result)
    except BaseException:  # Ctrl-C or the consumer stopped: no waiting for running matches
        _terminate(pool)
        raise
    pool.shutdown()


def _terminate(pool) -> None:
    """Cancel what is pending and stop the running workers (ProcessPoolExecutor has no
    public way before Python 3.14's terminate_workers)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def dask_outcomes(samples: list[Sample], options: MatchOptions, scheduler) -> Iterator[tuple[Sample, Outcome]]:
    """(sample, outcome) as they finish, from the Dask cluster at `scheduler`."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ValueError("--scheduler needs Dask: pip install 'fmfit[dask]'") from None
    with Client(scheduler) as client:
        futures = {client.submit(match_sample, s, options, pure=False): s for s in samples}
        try:
            for future in as_completed(list(futures)):
                yield futures[future], _outcome_of(future.result)
        except BaseException:
            client.cancel(list(futures))
            raise


def _outcome_of(result: Callable[[], Outcome]) -> Outcome:
    """A worker that died (killed, out of memory) fails its sample, not the batch."""
    try:
        return result()
    except Exception as error:  # noqa: BLE001
        return Outcome(error=f"worker failed: {error_line(error)}")


# -- writing -------------------------------------------------------------------------------
def write_sample(sample: Sample, files: dict[str, bytes]) -> None:
    """Write one sample's files in their order, replacing an earlier incomplete attempt
    (with the temporary files a kill left of it)."""
    remove_parts(sample.out_dir, files)
    for name, data in files.items():
        write_atomic(sample.out_dir / name, data, force=True)


def remove_parts(folder: Path, names) -> None:
    """Delete the temporary files (fmfit.atomic) a kill left of these outputs."""
    for name in names:
        for part in folder.glob(f".{glob.escape(name)}.*.part"):
            part.unlink(missing_ok=True)


def read_report(sample: Sample) -> dict:
    """The report of a sample done earlier ({} when unreadable): its summary row and patch."""
    try:
        return json.loads((sample.out_dir / f"{sample.stem}.report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def summary_row(sample: Sample, status: str, report: dict, *, seconds: float | None = None,
                error: str = "", notes=()) -> dict:
    metrics = report.get("metrics") or {}
    seconds = report.get("seconds") if seconds is None else seconds
    return {"file": sample.relative, "status": status, "note": report.get("note"),
            "algorithm": (report.get("patch") or {}).get("algorithm"),
            "distance": report.get("distance"), **{k: metrics.get(k) for k in METRICS},
            "seconds": None if seconds is None else round(seconds, 2),
            "error": error, "warnings": "; ".join(notes)}


def write_summary(out_dir: Path, rows: list[dict], info: dict) -> list[Path]:
    """summary.csv and summary.json in out_dir, each written atomically."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "failed", "skipped")}
    doc = {**info, "counts": counts, "files": rows}
    csv_name, json_name = SUMMARY_NAMES
    return [write_atomic(out_dir / csv_name, buf.getvalue().encode("utf-8"), force=True),
            write_atomic(out_dir / json_name,
                         (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                         force=True)]


def bank_paths(bank: Path, count: int) -> list[Path]:
    """NAME.wopn, or NAME-1.wopn, NAME-2.wopn... when `count` patches need several banks."""
    if count <= BANK_SIZE:
        return [bank]
    return [bank.with_name(f"{bank.stem}-{i}{bank.suffix}")
            for i in range(1, math.ceil(count / BANK_SIZE) + 1)]


def write_banks(bank: Path, patches: list) -> list[Path]:
    from .formats import write

    paths = bank_paths(bank, len(patches))
    return [write(path, patches[i * BANK_SIZE:(i + 1) * BANK_SIZE], force=True)
            for i, path in enumerate(paths)]


def _bank_patch(sample: Sample, report: dict):
    from .patch import Patch

    return Patch.from_dict(report["patch"]).replace(name=sample.stem)


# -- the batch -----------------------------------------------------------------------------
def run(in_dir, out_dir, options: MatchOptions = MatchOptions(), *, jobs: int = 1,
        scheduler=None, force: bool = False, bank=None,
        on_progress: Callable[[BatchProgress], None] | None = None) -> BatchResult:
    """Match every sample under in_dir into out_dir; see the module's docstring.

    `scheduler`: a Dask scheduler address (or cluster) to run on instead of `jobs` local
    processes. A KeyboardInterrupt stops the work, writes the summary of what finished
    and is raised again.
    """
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if jobs < 1:
        raise ValueError("--jobs: at least 1")
    if bank is not None and Path(bank).suffix.lower() != ".wopn":
        raise ValueError(f"--bank {bank}: must be a .wopn file")
    samples = find_samples(in_dir, out_dir)
    if not samples:
        raise ValueError(f"{in_dir}: no audio files ({', '.join(AUDIO_SUFFIXES)})")
    todo, rows, reports = _plan(samples, options, force)
    info = {"input": str(in_dir), "output": str(out_dir), "options": asdict(options),
            "jobs": jobs, "scheduler": None if scheduler is None else str(scheduler)}

    def summarise(finished: bool) -> list[Path]:
        ordered = [rows[s.relative] for s in samples if s.relative in rows]
        return write_summary(out_dir, ordered, {**info, "finished": finished})

    def tell(done: int, row: dict | None) -> None:
        if on_progress is not None:
            failed = sum(r["status"] == "failed" for r in rows.values())
            on_progress(BatchProgress(done, len(todo), failed, _median_distance(rows.values()), row))

    out_dir.mkdir(parents=True, exist_ok=True)
    remove_parts(out_dir, SUMMARY_NAMES)
    tell(0, None)
    finished, last_summary = False, time.monotonic()
    try:
        with closing(_outcomes(todo, options, jobs, scheduler)) as outcomes:
            for done, (sample, outcome) in enumerate(outcomes, 1):
                with _interrupt_held():
                    rows[sample.relative] = _record(sample, outcome, reports)
                tell(done, rows[sample.relative])
                if time.monotonic() - last_summary >= SUMMARY_EVERY_S:
                    summarise(finished=False)
                    last_summary = time.monotonic()
        finished = True
    finally:
        summary = summarise(finished)
    banks = []
    if bank is not None:
        patches = [_bank_patch(s, reports[s.relative]) for s in samples if reports.get(s.relative)]
        banks = write_banks(Path(bank), patches) if patches else []
    return BatchResult([rows[s.relative] for s in samples if s.relative in rows], summary, banks)


def _plan(samples: list[Sample], options: MatchOptions, force: bool) -> tuple[list[Sample], dict, dict]:
    """The samples to match, and the summary rows and reports of the others: those done
    before (skipped) and those whose outputs would overwrite another's (failed)."""
    clashes = name_clashes(samples)
    todo, rows, reports = [], {}, {}
    for s in samples:
        if s.relative in clashes:
            rows[s.relative] = summary_row(s, "failed", {}, error=clashes[s.relative])
        elif force or not is_complete(s, options):
            todo.append(s)
        else:
            reports[s.relative] = read_report(s)
            rows[s.relative] = summary_row(s, "skipped", reports[s.relative])
    return todo, rows, reports


def name_clashes(samples: list[Sample]) -> dict[str, str]:
    """Samples whose outputs would be another's (a.wav beside a.flac): each but the first,
    with the reason."""
    first: dict[tuple[Path, str], str] = {}
    clashes = {}
    for s in samples:
        owner = first.setdefault((s.out_dir, s.stem), s.relative)
        if owner != s.relative:
            clashes[s.relative] = f"{s.relative}: same name as {owner}, whose outputs it would overwrite"
    return clashes


def _outcomes(todo: list[Sample], options: MatchOptions, jobs: int, scheduler) -> Iterator[tuple[Sample, Outcome]]:
    if not todo:                 # no pool started when everything is done already
        return
    if scheduler is not None:
        yield from dask_outcomes(todo, options, scheduler)
    else:
        yield from local_outcomes(todo, options, jobs)


def _record(sample: Sample, outcome: Outcome, reports: dict) -> dict:
    """Write a matched sample's outputs and give its summary row (keeping its report)."""
    if outcome.error:
        return summary_row(sample, "failed", {}, seconds=outcome.seconds, error=outcome.error)
    try:
        write_sample(sample, outcome.files)
    except OSError as error:
        return summary_row(sample, "failed", {}, seconds=outcome.seconds, error=error_line(error))
    reports[sample.relative] = report = read_report(sample)
    return summary_row(sample, "ok", report, notes=outcome.warnings)


@contextmanager
def _interrupt_held():
    """Ctrl-C waits for the block: a sample whose files were written is in the summary
    (interrupted in between, its files were whole but the summary did not list it)."""
    if threading.current_thread() is not threading.main_thread():
        yield                    # signals only reach the main thread
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    if caught:
        raise KeyboardInterrupt


def _median_distance(rows) -> float | None:
    distances = [r["distance"] for r in rows if r["distance"] is not None]
    return statistics.median(distances) if distances else None

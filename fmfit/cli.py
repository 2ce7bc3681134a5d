"""The `fmfit` command: a thin layer over fmfit's modules."""
from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from .errors import user_errors

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn a recorded note into a Sega Genesis / Mega Drive (YM2612) FM patch.")
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def _error(message: str):
    err.print(f"[bold red]fmfit: error:[/] {message}", markup=True, soft_wrap=True)


def _fail(message: str, code: int = 1):
    _error(message)
    raise typer.Exit(code)


def friendly(fn):
    """Known problems become one clear line and exit 1; nothing prints a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
            for w in caught:
                err.print(f"[yellow]warning:[/] {w.message}")
            return result
        except user_errors() as e:
            _fail(str(e))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except typer.Exit:
            raise
        except Exception as e:  # a bug: still one line, with what to report
            _fail(f"internal error: {type(e).__name__}: {e} (please report this)", 2)
    return wrapper


def _int_list(text: Optional[str], name: str) -> Optional[list[int]]:
    if text is None:
        return None
    try:
        return [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise ValueError(f"--{name} takes numbers separated by commas, got {text!r}") from None


def parse_budget(text: Optional[str]) -> tuple[Optional[int], Optional[float]]:
    """--budget: a number of renders ("4000") or seconds ("8s")."""
    if text is None:
        return None, None
    t = text.strip().lower()
    try:
        if t.endswith("s"):
            seconds = float(t[:-1])
            if seconds > 0:
                return None, seconds
        elif int(t) > 0:
            return int(t), None
    except ValueError:
        pass
    raise ValueError(f"--budget {text!r}: give a number of renders (4000) or seconds (8s)")


@app.command()
@friendly
def match(
    samples: List[Path] = typer.Argument(..., help="Notes to match, one per file: WAV, FLAC, OGG or AIFF."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Folder for the results (default: beside each sample)."),
    note: Optional[str] = typer.Option(None, help="The note the sample was played at, if you know it (C4, 60 or 261.6hz): an FM sound can be heard an octave or more away from its note."),
    formats: str = typer.Option("dmp,fui,tfi,y12,opni", "--format", help="Patch formats to write, comma-separated."),
    algorithms: Optional[str] = typer.Option(None, help="Only these algorithms, e.g. 4,5,7."),
    budget: Optional[str] = typer.Option(None, help="Patches to render at most (default 6000; 1500 with --fast), or a time such as 8s."),
    fast: bool = typer.Option(False, "--fast", help="A quicker, rougher match."),
    seed: int = typer.Option(0, help="The same sample and seed give the same patch."),
    candidates: int = typer.Option(1, min=1, max=8, help="Write the N best distinct patches."),
    warm_start: bool = typer.Option(True, "--warm-start/--no-warm-start", help="Start from the trained model's proposals."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing outputs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
):
    """Find the YM2612 patch that sounds most like each SAMPLE and write it out.

    With several samples, a bad one is reported and the others are still matched
    (the exit status is 1 if any failed); `fmfit batch` does whole folders.
    """
    from .formats import WRITABLE_EXTENSIONS

    fmts = [f.strip().lower().lstrip(".") for f in formats.split(",") if f.strip()]
    for f in fmts:
        if "." + f not in WRITABLE_EXTENSIONS:
            raise ValueError(f"--format {f}: not a format fmfit writes ({', '.join(e[1:] for e in WRITABLE_EXTENSIONS)})")
    renders, seconds = parse_budget(budget)
    options = dict(note=note, algorithms=_int_list(algorithms, "algorithms"), renders=renders,
                   seconds=seconds, fast=fast, seed=seed, candidates=candidates, warm_start=warm_start)
    jobs = [(sample, output if output is not None else sample.parent) for sample in samples]
    seen: dict = {}
    for sample, out_dir in jobs:
        key = (out_dir.resolve(), sample.stem)
        if key in seen:
            raise ValueError(f"{seen[key]} and {sample} would both be written as {out_dir / sample.stem}.*")
        seen[key] = sample
    if len(jobs) == 1:
        _match_one(*jobs[0], fmts, options, force=force, quiet=quiet)
        return
    failed = []
    for sample, out_dir in jobs:
        try:
            _match_one(sample, out_dir, fmts, options, force=force, quiet=quiet)
        except user_errors() as e:
            _error(str(e))
            failed.append(sample)
    if failed:
        _fail(f"{len(failed)} of {len(jobs)} samples failed")


def _match_one(sample: Path, out_dir: Path, fmts: list[str], options: dict, *, force: bool, quiet: bool):
    from .analysis import check_audio_path
    from .matching import output_paths, write_outputs
    from .matching import match as run_match

    check_audio_path(sample)
    stem = sample.stem
    if not force:
        for p in output_paths(out_dir, stem, fmts, options["candidates"]):
            if p.exists():
                raise ValueError(f"{p}: already exists (use --force to overwrite)")

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]matching[/] {task.description}"), BarColumn(),
                  TextColumn("best distance {task.fields[best]}"), TimeElapsedColumn(),
                  console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task(sample.name, total=1.0, best="-")

        def progress(fraction, best):
            bar.update(task, completed=fraction, best=f"{best:.2f}")

        result = run_match(sample, progress=progress, **options)
    for w in result.warnings:
        err.print(f"[yellow]warning:[/] {sample}: {w}")
    written = write_outputs(result, out_dir, stem, formats=fmts, force=force, source=str(sample))
    if not quiet:
        from .describe import describe

        a = result.analysis
        out.print(f"{sample.name}: {a.note_name} ({a.f0_hz:.1f} Hz), "
                  + (f"note-off at {a.hold_seconds:.2f} s" if a.note_off_found else "no note-off found"))
        played = result.report()["played_note"]
        if not a.note_name.startswith(played + " "):
            out.print(f"[yellow]note:[/] the patch matches when played at {played} "
                      "(an FM sound's pitch is ambiguous by octaves; give --note to fix it)")
        out.print(describe(result.patch), markup=False)
        m = result.metrics
        out.print(f"distance {result.distance:.2f} | lsd {m['lsd_db']:.2f} dB, mrstft {m['mrstft']:.2f}, "
                  f"mfcc {m['mfcc_mae']:.2f}, envelope {m['env_db']:.2f} dB | "
                  f"{result.renders} renders in {result.seconds:.1f} s", soft_wrap=True)
        for p in written:
            out.print(f"  wrote {p}")


@app.command()
@friendly
def batch(
    samples: Path = typer.Argument(..., help="A folder of notes, searched with its subfolders."),
    out_dir: Path = typer.Argument(..., help="Where the results go, in the same folder tree."),
    formats: str = typer.Option("dmp,fui,tfi,y12,opni", "--format", help="Patch formats to write, comma-separated."),
    algorithms: Optional[str] = typer.Option(None, help="Only these algorithms, e.g. 4,5,7."),
    budget: Optional[str] = typer.Option(None, help="Patches to render at most per sample (default 6000; 1500 with --fast), or a time such as 8s."),
    fast: bool = typer.Option(False, "--fast", help="A quicker, rougher match."),
    seed: int = typer.Option(0, help="The same sample and seed give the same patch."),
    candidates: int = typer.Option(1, min=1, max=8, help="Write the N best distinct patches."),
    warm_start: bool = typer.Option(True, "--warm-start/--no-warm-start", help="Start from the trained model's proposals."),
    jobs: int = typer.Option(1, min=1, help="Samples matched at once, each in its own process."),
    scheduler: Optional[str] = typer.Option(None, help="Run on the Dask cluster at tcp://HOST:PORT instead (fmfit[dask]; its workers must see the samples)."),
    bank: Optional[Path] = typer.Option(None, help="Also collect every patch into this .wopn bank (128 a bank: NAME-1.wopn, NAME-2.wopn... beyond)."),
    force: bool = typer.Option(False, "--force", help="Match again samples whose outputs all exist (they are skipped otherwise)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
):
    """Match every note under SAMPLES into OUT_DIR, with summary.csv and summary.json; a rerun resumes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .batch import BANK_SIZE, MatchOptions, run

    renders, seconds = parse_budget(budget)
    options = MatchOptions(formats=tuple(formats.split(",")), algorithms=_int_list(algorithms, "algorithms"),
                           budget=renders, seconds=seconds, fast=fast, seed=seed, candidates=candidates, warm_start=warm_start)
    with Progress(TextColumn("[bold]batch[/]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("median distance {task.fields[median]}  failed {task.fields[failed]}"),
                  console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task("batch", total=None, median="-", failed=0)

        def progress(p):
            bar.update(task, completed=p.done, total=p.total, failed=p.failed,
                       median="-" if p.median_distance is None else f"{p.median_distance:.2f}")

        try:
            result = run(samples, out_dir, options, jobs=jobs, scheduler=scheduler, force=force,
                         bank=bank, on_progress=progress)
        except KeyboardInterrupt:
            _fail(f"interrupted; what finished is in {out_dir / 'summary.csv'} (run again to resume)", 130)
    for row in result.failed:
        named = Path(row["file"]).name in row["error"]
        err.print(f"[red]failed:[/] {'' if named else row['file'] + ': '}{row['error']}", markup=True, soft_wrap=True)
    if len(result.banks) > 1:
        err.print(f"[yellow]note:[/] more than {BANK_SIZE} patches: split into {len(result.banks)} banks")
    if not quiet:
        out.print(f"{result.count('ok')} matched, {result.count('skipped')} skipped (done before), "
                  f"{result.count('failed')} failed; summary in {result.summary[0]}")
        for p in result.banks:
            out.print(f"  wrote {p}")
    if result.failed:
        _fail(f"{len(result.failed)} of {len(result.rows)} samples failed")


@app.command()
@friendly
def show(file: Path = typer.Argument(..., help="An instrument file or bank.")):
    """Print a patch as a table, with its algorithm drawn."""
    from .describe import describe
    from .formats import read

    patches = read(file)
    for i, p in enumerate(patches):
        if len(patches) > 1:
            out.print(f"[bold]#{i}[/]")
        out.print(describe(p), markup=False)


@app.command()
@friendly
def convert(
    inputs: List[Path] = typer.Argument(..., help="Input file(s), then the output file or folder."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing outputs."),
):
    """Convert between formats: a file to another, a bank to a folder, files to a bank."""
    from .convert import convert as run_convert

    if len(inputs) < 2:
        raise ValueError("convert needs an input and an output")
    *ins, dest = inputs
    for p in run_convert(ins if len(ins) > 1 else ins[0], dest, force=force):
        out.print(f"wrote {p}")


@app.command()
@friendly
def render(
    file: Path = typer.Argument(..., help="An instrument file."),
    note: str = typer.Option("C4", help="C4, 60 or 261.6hz."),
    hold: float = typer.Option(1.0, min=0.0, help="Seconds from key-on to key-off."),
    release: float = typer.Option(0.5, min=0.0, help="Seconds after key-off."),
    output: Path = typer.Option(..., "-o", "--output", help="The WAV file to write."),
    rate: int = typer.Option(44100, help="Sample rate; 53267 is the chip's own."),
    index: int = typer.Option(0, help="Which patch of a bank."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output."),
):
    """Play a patch through the emulator into a WAV file."""
    from .formats import read
    from .playback import render_wav

    patches = read(file)
    if not 0 <= index < len(patches):
        raise ValueError(f"{file}: has {len(patches)} patch(es), no index {index}")
    path = render_wav(patches[index], note, hold, release, output, rate=rate, force=force)
    out.print(f"wrote {path}")


@app.command()
@friendly
def train(
    size: int = typer.Option(40000, min=100, help="Renders in the bank (the shipped model: 40,000)."),
    seed: int = typer.Option(0, help="The same size and seed give the same model."),
    jobs: Optional[int] = typer.Option(None, min=1, help="Threads for rendering (default: all cores)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where to write the model (default: models/warmstart.npz)."),
):
    """Regenerate the warm-start model from the patch corpus in ../shared (developers)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    if jobs:
        import numba
        numba.set_num_threads(min(jobs, numba.config.NUMBA_NUM_THREADS))
    from .training import train as run_train
    from .warmstart import DEFAULT_PATH

    with Progress("[bold]rendering the bank", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err) as bar:
        task = bar.add_task("bank", total=size)
        card = run_train(size=size, seed=seed, path=output or DEFAULT_PATH,
                         progress=lambda done, total: bar.update(task, completed=done))
    import json
    out.print(json.dumps(card, indent=2))


@app.command()
@friendly
def bench(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")):
    """Measure the emulator, side by side with ymfm-py when it is installed."""
    from .bench import main

    main(as_json=as_json)


def main():  # pragma: no cover
    sys.exit(app())

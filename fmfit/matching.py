"""`match`: from one recorded note to the patch that sounds most like it."""
from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

import emulator

from . import __version__
from .analysis import NoteAnalysis, analyse, load_audio
from .atomic import OutputExistsError, write_atomic
from .notes import block_fnum, block_fnum_to_hz, hz_to_midi, midi_to_hz, note_name
from .patch import Patch
from .search import NoteOption, find_patches

DEFAULT_FORMATS = ("dmp", "fui", "tfi", "y12", "opni")
DEFAULT_RENDERS = 6000       # the default budget: 5-8 s on a 2-core machine
FAST_RENDERS = 1500         # --fast: about 1.6 s here (1,200 took 1.3 s and was further on validation renders)
PROPOSALS = 256              # warm-start proposals per note (a glance keeps the best)
OCTAVE_HANDICAP = 1.15       # another note must fit 15% better than the heard one...
NOTE_VOTERS = 32             # ...unless most of these nearest bank renders were played there
MIN_NOTE_VOTES = 2           # (a note fewer of them name is not tried)


@dataclass(frozen=True)
class Candidate:
    patch: Patch
    distance: float


@dataclass(frozen=True, eq=False)
class MatchResult:
    patch: Patch
    distance: float
    candidates: list[Candidate]
    analysis: NoteAnalysis
    metrics: dict
    preview: np.ndarray            # the match rendered at the note and timing, chip rate, int16
    renders: int
    seconds: float
    seed: int
    warnings: tuple[str, ...] = field(default=())

    def report(self, source: str = "") -> dict:
        a = self.analysis
        return {
            "fmfit_version": __version__,
            "source": source,
            "note": a.note_name, "midi": round(a.midi, 3), "f0_hz": round(a.f0_hz, 3),
            "pitched": a.pitched, "block": a.block, "fnum": a.fnum,
            "played_note": note_name(hz_to_midi(block_fnum_to_hz(a.block, a.fnum))),
            "onset_s": round(a.onset_seconds, 4),
            "note_off_s": round(a.hold_seconds, 4) if a.note_off_found else None,
            "length_s": round(a.total_seconds, 4),
            "distance": round(self.distance, 4),
            "metrics": {k: round(v, 4) for k, v in self.metrics.items()},
            "patch": self.patch.to_dict(),
            "candidates": [{"distance": round(c.distance, 4), "patch": c.patch.to_dict()}
                           for c in self.candidates[1:]],
            "renders": self.renders, "seconds": round(self.seconds, 2), "seed": self.seed,
            "warnings": list(self.warnings),
        }


@lru_cache(maxsize=1)
def _preset_starts() -> tuple[np.ndarray, ...]:
    """The bundled presets as the search can reach them (read once; asked once per note)."""
    from .presets import library
    from .training import searchable

    return tuple(searchable(p.to_params()) for p in library())


def _note_options(a: NoteAnalysis, key_off, *, warm_start: bool, proposals: int,
                  other_notes: bool) -> list[NoteOption]:
    """The notes the target may have been played at, each with its starting points,
    likeliest first.

    An FM sound's pitch is ambiguous: a x0.5 operator puts it an octave below the note
    played, ratios that are all multiples of n put it n times above. The warm start's
    bank knows, for each of its renders, how far from its note it was heard: the
    nearest renders' patches start the search at the note that puts their pitch on the
    target's, and their votes rank the notes. The heard note and the octaves around it
    are always tried, with the presets and the guesses; a note that is neither heard
    nor the most voted must fit clearly better to be chosen (OCTAVE_HANDICAP).
    """
    presets = list(_preset_starts())
    groups: dict[int, list] = {0: [], 12: [], -12: []} if other_notes else {0: []}
    votes: Counter = Counter()
    prior = None
    if warm_start:
        from . import features
        from .warmstart import load_default

        model = load_default()
        f = features.describe(np.asarray(a.target, np.float32), a.rate, a.f0_hz, key_off)
        vectors, shifts = model.propose_notes(f, proposals)
        prior = model.algorithm_probabilities(f)[0]
        votes.update(int(s) for s in shifts[:NOTE_VOTERS])
        for v, shift in zip(vectors, shifts):
            shift = int(shift) if other_notes else 0
            # a note only a stray neighbour names is not worth its renders (the heard pitch
            # of an inharmonic render is anywhere)
            if shift in groups or votes[shift] >= MIN_NOTE_VOTES:
                groups.setdefault(shift, []).append(v)
    favourite = max(groups, key=lambda s: (votes[s], s == 0))
    heard = round(a.midi)
    options = []
    for shift in sorted(groups, key=lambda s: (-votes[s], s != 0, abs(s))):
        if shift == 0:
            f0, block, fnum = a.f0_hz, a.block, a.fnum
        elif 12 <= heard + shift <= 108:
            f0 = midi_to_hz(heard + shift)
            block, fnum = block_fnum(f0)
        else:
            continue
        starts = groups[shift] + (presets if abs(shift) in (0, 12) else [])
        handicap = 1.0 if shift in (0, favourite) else OCTAVE_HANDICAP
        options.append(NoteOption(f0, block, fnum, tuple(starts), prior, handicap))
    return options


def match(source, sr: int | None = None, *, note=None, algorithms=None, renders: int | None = None,
          seconds: float | None = None, fast: bool = False, seed: int = 0, candidates: int = 1, warm_start: bool = True,
          progress=None) -> MatchResult:
    """Find the patch that sounds closest to a note.

    `source` is a path to an audio file or a mono array (then `sr` is required).
    `renders` caps the patches rendered (the budget); the same input and seed give
    the same patch. `seconds` adds a time limit (which makes the result machine-dependent).
    """
    t0 = time.perf_counter()
    warnings: list[str] = []
    if isinstance(source, (str, Path)):
        loaded = load_audio(source)
        samples, sr = loaded.samples, loaded.sr
        warnings += loaded.warnings
    else:
        if sr is None:
            raise ValueError("sr is required with an array")
        samples = np.asarray(source, np.float64)
    a = analyse(samples, sr, note=note, warnings=warnings)
    algorithms = sorted(set(range(8) if algorithms is None else algorithms))
    if not algorithms or any(not 0 <= x <= 7 for x in algorithms):
        raise ValueError("algorithms must be numbers 0-7")
    budget = renders if renders is not None else (FAST_RENDERS if fast else DEFAULT_RENDERS)
    if seconds is not None and renders is None:
        budget = 10**6                # the deadline decides
    key_off = a.hold_samples if a.note_off_found else None
    target = np.asarray(a.target, np.float64)
    proposals = int(np.clip(budget // 16, 16, PROPOSALS))     # a small budget looks at fewer
    # unless the note is given, other notes are weighed too (an unclear pitch included:
    # a bright FM sound may be heard as barely pitched)
    options = _note_options(a, key_off, warm_start=warm_start, proposals=proposals, other_notes=note is None)
    first = options[0]
    found = find_patches(target, a.rate, first.f0, first.block, first.fnum, key_off,
                         algorithms=algorithms, renders=budget, seconds=seconds, seed=seed,
                         starts=first.starts, algorithm_prior=first.algorithm_prior,
                         candidates=candidates, progress=progress, other_notes=options[1:])
    if found.note is not first:
        a = dataclasses.replace(a, block=found.note.block, fnum=found.note.fnum)
    cands = [Candidate(Patch.from_params(f.vector, name="fmfit"), f.distance)
             for f in found.found[:max(1, candidates)]]
    best = cands[0].patch
    preview = emulator.render_patch(best.to_params(), a.block, a.fnum, a.total_samples, key_off)
    from .metrics import judge, to_judge_rate

    metrics = judge(to_judge_rate(target, a.rate), to_judge_rate(preview.astype(np.float64), a.rate), 44100)
    return MatchResult(patch=best, distance=cands[0].distance, candidates=cands, analysis=a,
                       metrics=metrics, preview=preview, renders=found.renders,
                       seconds=time.perf_counter() - t0, seed=seed, warnings=a.warnings)


def preview_wav(result: MatchResult, rate: int = 44100) -> bytes:
    """The match as 16-bit WAV bytes, aligned with the input (its onset kept), -1 dBFS peak."""
    import io

    import soundfile as sf

    from .metrics import to_judge_rate

    x = to_judge_rate(result.preview.astype(np.float64), result.analysis.rate)
    x = np.concatenate([np.zeros(int(round(result.analysis.onset_seconds * rate))), x])
    peak = np.max(np.abs(x))
    if peak > 0:
        x = x * (10 ** (-1 / 20) / peak)
    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def output_paths(out_dir: Path, stem: str, formats, candidates: int = 1) -> list[Path]:
    paths = [out_dir / f"{stem}.{ext}" for ext in formats]
    paths += [out_dir / f"{stem}.alt{k}.{ext}" for k in range(1, candidates) for ext in formats]
    return paths + [out_dir / f"{stem}.preview.wav", out_dir / f"{stem}.report.json"]


def output_files(result: MatchResult, stem: str, *, formats=DEFAULT_FORMATS,
                 source: str = "") -> dict[str, bytes]:
    """The files of output_paths, by name, as bytes: made apart from writing so that a
    worker process can make them and another process write them (fmfit.batch)."""
    from .formats import write_bytes

    formats = [f.lower().lstrip(".") for f in formats]
    files: dict[str, bytes] = {}
    named = [c.patch.replace(name=stem[:31]) for c in result.candidates]
    for k, patch in enumerate(named):
        for ext in formats:
            name = f"{stem}.{ext}" if k == 0 else f"{stem}.alt{k}.{ext}"
            files[name] = write_bytes([patch], ext)
    files[f"{stem}.preview.wav"] = preview_wav(result)
    files[f"{stem}.report.json"] = (json.dumps(result.report(source), indent=2) + "\n").encode()
    return files


def spectrogram_name(stem: str) -> str:
    return f"{stem}.spectrogram.png"


def write_outputs(result: MatchResult, out_dir, stem: str, *, formats=DEFAULT_FORMATS,
                  force: bool = False, source: str = "") -> list[Path]:
    """Write the patch files, the preview WAV, the JSON report (and a PNG with matplotlib).

    Nothing is written unless every output can be: existing files need `force`.
    """
    out_dir = Path(out_dir)
    payload = {out_dir / name: data
               for name, data in output_files(result, stem, formats=formats, source=source).items()}
    if not force:
        for path in payload:
            if path.exists():
                raise OutputExistsError(path)
    written = [write_atomic(path, data, force=force) for path, data in payload.items()]
    png = spectrogram_png(result)
    if png is not None:
        written.append(write_atomic(out_dir / spectrogram_name(stem), png, force=True))
    return written


def spectrogram_png(result: MatchResult) -> bytes | None:
    """Target above, match below; only when matplotlib is installed (fmfit[plot])."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    import io

    rate = result.analysis.rate
    fig, axes = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for ax, x, title in ((axes[0], np.asarray(result.analysis.target), "target"),
                         (axes[1], result.preview.astype(np.float64), "match")):
        ax.specgram(x / (np.abs(x).max() or 1) + 1e-9 * np.random.default_rng(0).standard_normal(len(x)), NFFT=2048, Fs=rate, noverlap=1536, cmap="magma", vmin=-120)
        ax.set_ylim(0, 12000)
        ax.set_ylabel("Hz")
        ax.set_title(title)
    axes[1].set_xlabel("seconds")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return buf.getvalue()

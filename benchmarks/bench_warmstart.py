"""What the warm start is worth: algorithm accuracy, and warm against cold search.

    .venv/bin/python benchmarks/bench_warmstart.py                       # 24 targets, budget 1500
    .venv/bin/python benchmarks/bench_warmstart.py --targets 8 --budget 800
    .venv/bin/python benchmarks/bench_warmstart.py --skip-match --json out.json

Targets: renders of patches of the corpus's EVALUATION split, made exactly as
benchmarks/bench_match.py makes them (the protocol of shared/docs/evaluation.md: notes
45-72, 2.0 s held + 1.0 s release, 44.1 kHz, 16-bit, -1 dBFS; never trained on).

a. Algorithm accuracy, top-1 and top-3. A guess counts as right when the target's SOUND
   is reachable with it (fmfit.algorithms.reachable_algorithms: an algorithm-7 patch with
   one audible operator is played as well by any algorithm), for
   - the warm-start model: its P(algorithm) from the target's features, computed as
     fmfit.matching does (fmfit.analysis.analyse, then fmfit.features.describe);
   - a direct-regression baseline in the manner of Sample2Genesis: the algorithm and the
     registers predicted straight from a linear magnitude spectrogram (64 frames x 256
     bins, flattened), PCA-reduced (Sample2Genesis reduced its inputs with PCA too), then
     LogisticRegression for the algorithm and Ridge for the register values; trained on
     --bank-size renders of fmfit.training.sample_bank drawn from the TRAIN split,
     rendered like the targets (notes 45-72 around C4, the protocol's timing). Also its
     register error (% of each register's range) and the lsd_db of the patch it
     predicts, judged like every other patch;
   - the model with its proposals screened: the order in which match hands algorithms to
     CMA-ES (fmfit.search.rank_algorithms: the model's proposed patches, the presets and a
     guess per algorithm rendered on the screen at every note option, each algorithm's
     closest start at any of them less PRIOR_WEIGHT x the model's P(algorithm)); and the
     same without the model (presets and guesses only), to show what the model adds;
   - chance: the expected accuracy of uniformly random distinct guesses under the same rule.
   Each is also scored "by ear", since the issue asks whether the target's SOUND is reachable
   and the exact rule calls an operator silent only at TL 127 (a modulator at TL 110 still binds
   the structure): P with some audible operators set to TL 127 sounds the same when the judge
   finds it near-identical (lsd_db <= 1.0, the protocol's same sound) to P's own judge render;
   the by-ear set adds the algorithms reaching such copies, each checked (reachable_by_ear).
   And "by search": the by-ear set plus each algorithm with which fmfit's search, told the
   note and held to that one algorithm (--search-renders renders), finds a patch that the
   judge hears as near-identical to the target. That patch proves the algorithm reaches
   the sound; a miss proves nothing, so this too counts low (reachable_by_search).
b. Warm against cold at equal budget: fmfit.matching.match(renders=B, warm_start=True/False)
   at the budgets B/4, B/2 and B (or --budgets); each found patch judged by the judge
   (benchmarks/judge.py, ymfm-py, the true note and timing): median lsd_db, share
   near-identical (lsd_db <= 1.0), wall time, and the smallest budget of the ladder at
   which each target was matched near-identically.

Progress goes to stderr, one line per target; the table (or --json -) to stdout.
"""
from __future__ import annotations

import argparse
import sys
import time
from itertools import combinations
from math import comb
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_match as BM  # noqa: E402
import judge as J  # noqa: E402
from report import emit  # noqa: E402
from emulator import params as P  # noqa: E402
from fmfit.algorithms import SILENT, equivalent_patch, reachable_algorithms  # noqa: E402
from fmfit.metrics import lsd_db  # noqa: E402
from fmfit.corpus import find_shared, split_dev_patches  # noqa: E402
from fmfit.notes import CHIP_RATE  # noqa: E402
from fmfit.patch import Patch  # noqa: E402

NEAR = BM.NEAR_IDENTICAL_LSD
#: the accuracy rules, by the suffix of their keys ("top3_by_ear"), with their column titles
RULES = {"": "exact rule", "_by_ear": "by ear", "_by_search": "by search"}
N_SAMPLES = J.chip_samples(J.RENDER_HOLD_S + J.RENDER_RELEASE_S)
KEY_OFF = J.chip_samples(J.RENDER_HOLD_S)

# the direct baseline's input: a linear magnitude spectrogram at the chip rate
SPEC_FRAMES, SPEC_BINS, SPEC_N_FFT = 64, 256, 1024     # 256 bins of 52 Hz: 0-13.3 kHz
PCA_COMPONENTS = 128
RENDER_CHUNK = 128

#: The register fields the direct model predicts (those the search can reach), with ranges.
OP_FIELDS = (("MUL", P.MULTIPLE, 15), ("DT", P.DETUNE, 6), ("TL", P.TOTAL_LEVEL, 127),
             ("AR", P.ATTACK_RATE, 31), ("D1R", P.DECAY_RATE, 31), ("D1L", P.SUSTAIN_LEVEL, 15),
             ("D2R", P.SUSTAIN_RATE, 31), ("RR", P.RELEASE_RATE, 15), ("RS", P.RATE_SCALING, 3))


def eprint(*a):
    print(*a, file=sys.stderr, flush=True)


# -- the rule's chance level -------------------------------------------------------------------
def chance(reachable: frozenset) -> tuple[float, float]:
    """Expected top-1 and top-3 accuracy of uniformly random distinct algorithm guesses."""
    r = len(reachable)
    return r / 8, 1 - comb(8 - r, 3) / comb(8, 3)


def hits(ranking, reachable) -> tuple[bool, bool]:
    ranking = [int(a) for a in ranking]
    return ranking[0] in reachable, any(a in reachable for a in ranking[:3])


# -- the by-ear rule ---------------------------------------------------------------------------
def muted(patch: Patch, keep) -> Patch:
    """The patch with every operator not in `keep` silent (TL 127); feedback 0 if OP1 is muted."""
    ops = tuple(op if i in keep else SILENT for i, op in enumerate(patch.operators))
    return patch.replace(operators=ops, feedback=patch.feedback if 0 in keep else 0)


def reachable_by_ear(patch: Patch, midi: float, hold_s: float = J.RENDER_HOLD_S,
                     release_s: float = J.RENDER_RELEASE_S, near: float = NEAR) -> dict:
    """The algorithms that reach the patch's SOUND, as the judge hears it.

    The reference is the judge's own render of the patch (J.render_judge, as J.score_patch
    renders a candidate, so the patch itself scores exactly 0). Every non-empty subset S of
    the audible operators gives P_S = muted(patch, S); subsets whose P_S keeps fewer audible
    operators than S (a kept modulator whose carriers are all muted) are the same patch as a
    smaller subset and are skipped. P_S sounds the same when lsd_db(reference, render(P_S))
    <= near. The by-ear set is the union of reachable_algorithms(P_S) over those, and each
    algorithm b that the exact set lacks is kept only when equivalent_patch(P_S, b) also
    judges <= near (tried against each same-sounding P_S that offers b, closest first).

    Returns {"exact", "by_ear" (frozensets), "same_sound" [(S, lsd_db)], "checked": {b: lsd_db},
    "failed": [b], "renders"}.
    """
    exact = reachable_algorithms(patch)
    audible = patch.audible_operators()
    reference = J.render_judge(patch, midi, hold_s, release_s)
    renders = 1

    def judged(p: Patch) -> float:
        nonlocal renders
        renders += 1
        return float(lsd_db(reference, J.render_judge(p, midi, hold_s, release_s)))

    same = [(tuple(audible), 0.0, patch)]
    for size in range(1, len(audible)):
        for keep in combinations(audible, size):
            p = muted(patch, keep)
            if p.audible_operators() != keep:
                continue
            d = judged(p)
            if d <= near:
                same.append((keep, d, p))
    same.sort(key=lambda x: x[1])
    checked, failed = {}, []
    offered = sorted(set().union(*(reachable_algorithms(p) for _, _, p in same)) - exact)
    for b in offered:
        for _, _, p in (x for x in same if b in reachable_algorithms(x[2])):
            d = judged(equivalent_patch(p, b))
            if d <= near:
                checked[b] = d
                break
        else:
            failed.append(b)
    return {"exact": exact, "by_ear": exact | frozenset(checked), "checked": checked, "failed": failed,
            "same_sound": [(list(keep), d) for keep, d, _ in same], "renders": renders}


# -- the by-search rule -------------------------------------------------------------------------
def reachable_by_search(t, known: frozenset, renders: int, seed: int) -> dict:
    """`known` plus each other algorithm with which fmfit's search, told the target's note
    and held to that algorithm, finds a patch the judge hears as near-identical.

    The exact and by-ear rules build their patches from the target's own; yet on
    validation renders most of the near-identical matches that fmfit finds use an
    algorithm that neither rule allows (different operator networks make the same sound).
    A found patch is a proof; a search that misses proves nothing, so the set is still a
    lower bound. The note is given so that only the algorithm is asked about.

    Returns {"by_search" (frozenset), "lsd_db": {algorithm: lsd_db}, "renders", "seconds"}.
    """
    from fmfit.matching import match

    t0 = time.perf_counter()
    found, lsd, renders_used = set(known), {}, 0
    for a in sorted(set(range(8)) - known):
        result = match(t.audio, J.JUDGE_RATE, note=t.midi, algorithms=[a], renders=renders, seed=seed)
        renders_used += result.renders
        lsd[a] = float(J.score_patch(result.patch, t.audio, t.midi, t.hold_s, t.release_s)["lsd_db"])
        if lsd[a] <= NEAR:
            found.add(a)
    return {"by_search": frozenset(found), "lsd_db": lsd, "renders": renders_used,
            "seconds": time.perf_counter() - t0}


# -- the warm-start model -----------------------------------------------------------------------
def analysed(audio: np.ndarray):
    """The target as fmfit.matching sees it: (NoteAnalysis, key-off sample or None)."""
    from fmfit.analysis import analyse

    a = analyse(np.asarray(audio, np.float64), J.JUDGE_RATE)
    return a, (a.hold_samples if a.note_off_found else None)


def warm_probabilities(a, key_off) -> np.ndarray:
    """P(algorithm) of the warm-start model for an analysed target, as fmfit.matching computes it."""
    from fmfit.matching import PROPOSALS, _note_options

    options = _note_options(a, key_off, warm_start=True, proposals=PROPOSALS, other_notes=False)
    return options[0].algorithm_prior


def screened_ranking(a, key_off, warm_start: bool) -> np.ndarray:
    """The algorithms in the order match hands them to CMA-ES (its first REFINED_ALGORITHMS):
    every note option's starting points (the warm start's proposals when `warm_start`, the
    presets, a guess per algorithm read off the spectrum) scored on the screen renders; each
    algorithm's closest start at any note less PRIOR_WEIGHT x the model's P(algorithm)."""
    from fmfit.matching import PROPOSALS, _note_options
    from fmfit.search import closest_starts, rank_algorithms, screen_starts
    from fmfit.search.evaluator import Budget

    target = np.asarray(a.target, np.float64)
    budget = Budget(10**6)
    leads = [screen_starts(target, a.rate, note, key_off, range(8), budget)
             for note in _note_options(a, key_off, warm_start=warm_start, proposals=PROPOSALS, other_notes=True)]
    return np.array(rank_algorithms(closest_starts(leads), leads[0].note.algorithm_prior))


# -- the direct-regression baseline ---------------------------------------------------------------
def spectrogram(x: np.ndarray) -> np.ndarray:
    """(K, n) chip-rate signals -> (K, 64 * 256) linear magnitudes of the RMS-normalised signals:
    64 Hann frames of 1024 evenly spread over the note, the lowest 256 bins."""
    x = np.atleast_2d(np.asarray(x, np.float32))
    if x.shape[1] < N_SAMPLES:
        x = np.pad(x, ((0, 0), (0, N_SAMPLES - x.shape[1])))
    x = x[:, :N_SAMPLES]
    rms = np.sqrt(np.mean(x * x, axis=1, keepdims=True))
    x = x / np.where(rms > 0, rms, 1)
    starts = np.linspace(0, N_SAMPLES - SPEC_N_FFT, SPEC_FRAMES).astype(int)
    idx = starts[:, None] + np.arange(SPEC_N_FFT)[None, :]
    frames = x[:, idx] * np.hanning(SPEC_N_FFT).astype(np.float32)
    mag = np.abs(np.fft.rfft(frames, axis=-1))[..., :SPEC_BINS]
    return mag.reshape(x.shape[0], -1).astype(np.float32)


def register_targets(vectors: np.ndarray) -> np.ndarray:
    """The predicted register values: feedback, then per operator OP_FIELDS (DT signed)."""
    vectors = np.atleast_2d(vectors)
    cols = [vectors[:, P.FEEDBACK]]
    for op in range(4):
        b = P.op_base(op)
        for name, field, _ in OP_FIELDS:
            v = vectors[:, b + field]
            if name == "DT":
                v = np.where(v < 4, v, 4 - v)          # register 0..7 -> -3..+3
            cols.append(v)
    return np.stack(cols, axis=1).astype(np.float64)


def patch_from_prediction(algorithm: int, regs: np.ndarray) -> Patch:
    v = np.zeros(P.SIZE, np.int64)
    v[P.ALGORITHM] = algorithm
    v[P.FEEDBACK] = np.clip(round(regs[0]), 0, 7)
    k = 1
    for op in range(4):
        b = P.op_base(op)
        for name, field, top in OP_FIELDS:
            value = int(round(regs[k]))
            k += 1
            if name == "DT":
                value = int(np.clip(value, -3, 3))
                v[b + field] = value if value >= 0 else 4 - value
            else:
                v[b + field] = int(np.clip(value, 0, top))
    return Patch.from_params(v, name="direct")


class DirectBaseline:
    """Algorithm and registers straight from a spectrogram (Sample2Genesis's recipe, linear)."""

    def fit(self, train_patches, size: int, seed: int) -> "DirectBaseline":
        import emulator
        from sklearn.decomposition import PCA
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from fmfit.training import sample_bank

        t0 = time.perf_counter()
        real = np.array([p.to_params() for p, _ in train_patches], np.int64)
        vectors, notes = sample_bank(real, size, seed)
        regs = np.array([J.note_registers(int(m)) for m in notes], np.int64)
        x = np.empty((size, SPEC_FRAMES * SPEC_BINS), np.float32)
        audio = np.empty((RENDER_CHUNK, N_SAMPLES), np.int16)
        for s in range(0, size, RENDER_CHUNK):
            part = slice(s, min(size, s + RENDER_CHUNK))
            n = part.stop - part.start
            out = emulator.render_batch(vectors[part], regs[part, 0], regs[part, 1], N_SAMPLES,
                                        KEY_OFF, out=audio[:n])
            x[part] = spectrogram(out.astype(np.float32) / 256)
        audible = np.any(x > 0, axis=1)              # a silent render teaches nothing
        x, vectors = x[audible], vectors[audible]
        self.render_seconds = time.perf_counter() - t0
        self.pca = PCA(PCA_COMPONENTS, svd_solver="randomized", random_state=seed).fit(x)
        z = self.pca.transform(x)
        self.classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
        self.classifier.fit(z, vectors[:, P.ALGORITHM])
        self.regressor = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(z, register_targets(vectors))
        self.trained_on = int(len(x))
        self.fit_seconds = time.perf_counter() - t0 - self.render_seconds
        return self

    def predict(self, audio_44k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P(algorithm) over 0-7, register values) for a 44.1 kHz target starting at key-on."""
        x = BM._resample(audio_44k, J.JUDGE_RATE, CHIP_RATE)
        z = self.pca.transform(spectrogram(x))
        proba = np.zeros(8)
        proba[self.classifier.classes_] = self.classifier.predict_proba(z)[0]
        return proba, self.regressor.predict(z)[0]


def register_errors(predicted: Patch, truth: Patch) -> dict:
    """|error| of the predicted patch's registers as % of each register's range, averaged
    over the four operators (operators compared in place, as a direct model predicts them)."""
    err = np.abs(register_targets(predicted.to_params())[0] - register_targets(truth.to_params())[0])
    out = {"FB": float(err[0] / 7 * 100)}
    for i, (name, _, top) in enumerate(OP_FIELDS):
        cols = [1 + op * len(OP_FIELDS) + i for op in range(4)]
        out[name] = float(np.mean(err[cols]) / top * 100)
    return out


# -- part a ---------------------------------------------------------------------------------
def accuracy_part(targets, direct: DirectBaseline | None, search_renders: int = 0, seed: int = 0) -> list[dict]:
    rows = []
    for i, t in enumerate(targets):
        reach = reachable_algorithms(t.patch)
        t0 = time.perf_counter()
        ear = reachable_by_ear(t.patch, t.midi, t.hold_s, t.release_s)
        ear_reach = ear["by_ear"]
        row = {"name": t.name, "midi": t.midi, "src": t.src, "algorithm": t.patch.algorithm,
               "reachable": sorted(reach), "reachable_by_ear": sorted(ear_reach),
               "by_ear": {"same_sound": ear["same_sound"], "checked_lsd_db": ear["checked"],
                          "failed": ear["failed"], "renders": ear["renders"],
                          "seconds": time.perf_counter() - t0}}
        rules = {"": reach, "_by_ear": ear_reach}
        if search_renders > 0:
            searched = reachable_by_search(t, ear_reach, search_renders, seed)
            rules["_by_search"] = searched["by_search"]
            row["reachable_by_search"] = sorted(searched["by_search"])
            row["by_search"] = {k: v for k, v in searched.items() if k != "by_search"}
        row["chance"] = {}
        for suffix, rule in rules.items():
            c1, c3 = chance(rule)
            row["chance"].update({f"top1{suffix}": c1, f"top3{suffix}": c3})

        def scored(ranking) -> dict:
            out = {"ranking": np.asarray(ranking)[:3].tolist()}
            for suffix, rule in rules.items():
                out[f"top1{suffix}"], out[f"top3{suffix}"] = hits(ranking, rule)
            return out

        def attempt(rank) -> dict:
            try:
                if isinstance(a, Exception):
                    raise a
                return scored(rank())
            except Exception as exc:  # noqa: BLE001 - one failure must not end a run
                return {"error": f"{type(exc).__name__}: {exc}"}

        t0 = time.perf_counter()
        try:                         # analysed once for the three rankings below
            a, key_off = analysed(t.audio)
        except Exception as exc:  # noqa: BLE001 - reported by each ranking
            a, key_off = exc, None
        row["warm"] = attempt(lambda: np.argsort(-warm_probabilities(a, key_off), kind="stable"))
        if "error" not in row["warm"]:
            row["warm"]["seconds"] = time.perf_counter() - t0
        row["warm_screened"] = attempt(lambda: screened_ranking(a, key_off, True))
        row["cold_screened"] = attempt(lambda: screened_ranking(a, key_off, False))
        if direct is not None:
            proba, regs = direct.predict(t.audio)
            ranking = np.argsort(-proba, kind="stable")
            patch = patch_from_prediction(int(ranking[0]), regs)
            metrics = J.score_patch(patch, t.audio, t.midi, t.hold_s, t.release_s)
            row["direct"] = {**scored(ranking), "register_error_pct": register_errors(patch, t.patch),
                             "lsd_db": float(metrics["lsd_db"]), "patch": patch.to_dict()}
        rows.append(row)
        w, d = row["warm"], row.get("direct", {})
        mark = lambda m: "ERR" if "error" in m else "/".join(  # noqa: E731
            f"{'1' if m['top1' + x] else '-'}{'3' if m['top3' + x] else '-'}" for x in rules)
        eprint(f"[a {i + 1}/{len(targets)}] {t.name:<18} alg {t.patch.algorithm} reach {''.join(map(str, sorted(reach)))}"
               f" ear {''.join(map(str, sorted(ear_reach)))}"
               + (f" search {''.join(map(str, row['reachable_by_search']))}" if "reachable_by_search" in row else "")
               + (f" (failed {ear['failed']})" if ear["failed"] else "")
               + f" | warm {mark(w)} {w.get('ranking', '')}"
               + f" | screened {mark(row['warm_screened'])} cold {mark(row['cold_screened'])}"
               + (f" | direct {mark(d)} {d['ranking']} lsd {d['lsd_db']:.2f}" if d else "")
               + " | chance top-3 " + "/".join(f"{row['chance']['top3' + x]:.2f}" for x in rules))
    return rows


def summarise_accuracy(rows) -> dict:
    out = {}
    for method in ("warm", "warm_screened", "cold_screened", "direct", "chance"):
        ms = [r[method] for r in rows if method in r and "error" not in r[method]]
        if not ms:
            continue
        s = {"n": len(ms)}
        for key in (f"top{k}{rule}" for rule in RULES for k in (1, 3)):
            if key in ms[0]:
                s[key] = float(np.mean([m[key] for m in ms]))
        if method == "direct":
            lsd = [m["lsd_db"] for m in ms]
            s["median_lsd_db"] = float(np.median(lsd))
            s["near_identical"] = float(np.mean(np.array(lsd) <= NEAR))
            keys = ms[0]["register_error_pct"].keys()
            s["register_error_pct"] = {k: float(np.mean([m["register_error_pct"][k] for m in ms])) for k in keys}
            s["register_error_pct_mean"] = float(np.mean([np.mean(list(m["register_error_pct"].values())) for m in ms]))
        out[method] = s
    # exact-label accuracy of the warm start, for reference (the rule only forgives)
    ms = [r for r in rows if "ranking" in r.get("warm", {})]
    if ms:
        out["warm"]["top1_exact_label"] = float(np.mean([r["warm"]["ranking"][0] == r["algorithm"] for r in ms]))
    out["mean_reachable"] = float(np.mean([len(r["reachable"]) for r in rows])) if rows else 0.0
    out["mean_reachable_by_ear"] = float(np.mean([len(r["reachable_by_ear"]) for r in rows])) if rows else 0.0
    out["targets_gaining_by_ear"] = int(sum(len(r["reachable_by_ear"]) > len(r["reachable"]) for r in rows))
    out["by_ear_failed_checks"] = int(sum(len(r["by_ear"]["failed"]) for r in rows))
    out["by_ear_renders"] = int(sum(r["by_ear"]["renders"] for r in rows))
    searched = [r for r in rows if "reachable_by_search" in r]
    if searched:
        out["mean_reachable_by_search"] = float(np.mean([len(r["reachable_by_search"]) for r in searched]))
        out["by_search_renders"] = int(sum(r["by_search"]["renders"] for r in searched))
        out["by_search_seconds"] = float(sum(r["by_search"]["seconds"] for r in searched))
    return out


# -- part b ---------------------------------------------------------------------------------
def match_part(targets, budgets, seed: int) -> list[dict]:
    from fmfit.matching import match

    rows = []
    for i, t in enumerate(targets):
        reach = reachable_algorithms(t.patch)
        row = {"name": t.name, "midi": t.midi, "runs": {}}
        parts = []
        for mode in ("warm", "cold"):
            for b in budgets:
                key = f"{mode}@{b}"
                t0 = time.perf_counter()
                try:
                    result = match(t.audio, J.JUDGE_RATE, renders=b, warm_start=mode == "warm", seed=seed)
                    seconds = time.perf_counter() - t0
                    metrics = J.score_patch(result.patch, t.audio, t.midi, t.hold_s, t.release_s)
                    row["runs"][key] = {"lsd_db": float(metrics["lsd_db"]), "seconds": seconds,
                                        "renders": int(result.renders),
                                        "algorithm": result.patch.algorithm,
                                        "algorithm_reachable": result.patch.algorithm in reach}
                    parts.append(f"{mode[0]}{b} {metrics['lsd_db']:.2f}")
                except Exception as exc:  # noqa: BLE001
                    row["runs"][key] = {"error": f"{type(exc).__name__}: {exc}"}
                    parts.append(f"{mode[0]}{b} ERR")
            near = [b for b in budgets if row["runs"][f"{mode}@{b}"].get("lsd_db", np.inf) <= NEAR]
            row[f"{mode}_first_near_budget"] = near[0] if near else None
        rows.append(row)
        eprint(f"[b {i + 1}/{len(targets)}] {t.name:<18} " + " | ".join(parts)
               + f" | {sum(r.get('seconds', 0) for r in row['runs'].values()):.1f} s")
    return rows


def summarise_match(rows, budgets) -> dict:
    out = {}
    for mode in ("warm", "cold"):
        for b in budgets:
            runs = [r["runs"][f"{mode}@{b}"] for r in rows]
            ok = [m for m in runs if "error" not in m]
            if not ok:
                out[f"{mode}@{b}"] = {"n": 0, "errors": len(runs)}
                continue
            lsd = np.array([m["lsd_db"] for m in ok])
            out[f"{mode}@{b}"] = {
                "n": len(ok), "errors": len(runs) - len(ok),
                "median_lsd_db": float(np.median(lsd)), "mean_lsd_db": float(np.mean(lsd)),
                "near_identical": float(np.mean(lsd <= NEAR)),
                "median_seconds": float(np.median([m["seconds"] for m in ok])),
                "median_renders": float(np.median([m["renders"] for m in ok])),
                "algorithm_reachable": float(np.mean([m["algorithm_reachable"] for m in ok])),
            }
        firsts = [r[f"{mode}_first_near_budget"] for r in rows]
        out[f"{mode}_near_by_budget"] = {str(b): int(sum(f is not None and f <= b for f in firsts)) for b in budgets}
    wins = [(r["runs"][f"warm@{budgets[-1]}"].get("lsd_db"), r["runs"][f"cold@{budgets[-1]}"].get("lsd_db"))
            for r in rows]
    wins = [(w, c) for w, c in wins if w is not None and c is not None]
    if wins:
        out["warm_better_at_full_budget"] = int(sum(w < c - 1e-9 for w, c in wins))
        out["cold_better_at_full_budget"] = int(sum(c < w - 1e-9 for w, c in wins))
    return out


# -- report ---------------------------------------------------------------------------------
def format_table(report: dict) -> str:
    c = report["config"]
    lines = [f"warm-start benchmark: {c['targets']} render targets of the corpus evaluation split "
             f"(target seed {c['target_seed']}), mean {report['accuracy']['summary']['mean_reachable']:.2f} "
             f"reachable algorithms per target (by ear {report['accuracy']['summary']['mean_reachable_by_ear']:.2f}"
             + (f", by search {report['accuracy']['summary']['mean_reachable_by_search']:.2f}"
                if "mean_reachable_by_search" in report["accuracy"]["summary"] else "") + ")",
             ""]
    a = report["accuracy"]["summary"]
    rules = [rule for rule in RULES if rule != "_by_search" or "mean_reachable_by_search" in a]
    lines.append("a. algorithm accuracy (right = the target's sound is reachable with the guess)")
    lines.append(f"  {'':<34}" + "".join(f"{RULES[x]:>14}" for x in rules))
    lines.append(f"  {'':<34}" + f"{'top-1':>7}{'top-3':>7}" * len(rules) + f"{'lsd med':>9}{'near-id':>9}{'reg err':>9}")
    names = {"warm": "warm-start model (net + k-NN)", "direct": "direct regression (spectrogram)",
             "chance": "chance (uniform distinct guesses)",
             "warm_screened": "model + its proposals screened *", "cold_screened": "no model: presets screened *"}
    for m in ("warm", "warm_screened", "cold_screened", "direct", "chance"):
        if m not in a:
            continue
        s = a[m]
        extra = (f"{s['median_lsd_db']:9.2f}{100 * s['near_identical']:8.0f}%{s['register_error_pct_mean']:8.1f}%"
                 if m == "direct" else "")
        lines.append(f"  {names[m]:<34}" + "".join(f"{100 * s['top1' + x]:6.0f}%{100 * s['top3' + x]:6.0f}%"
                                                   for x in rules) + extra)
    lines.append(f"  by ear: {a['targets_gaining_by_ear']}/{c['targets']} targets reach more algorithms than by "
                 f"the exact rule; {a['by_ear_failed_checks']} added algorithms failed the check "
                 f"({a['by_ear_renders']} judge renders)")
    if "_by_search" in rules:
        lines.append(f"  by search: one-algorithm searches of {c['search_renders']} renders told the note "
                     f"({a['by_search_renders']} renders, {a['by_search_seconds']:.0f} s); each algorithm "
                     f"added is proved by a found patch the judge hears as near-identical")
    lines.append("  * the algorithms in the order match refines them: starting points rendered at each note")
    lines.append("    option, each algorithm's closest start at any of them less the model's P(algorithm) (fmfit.search)")
    if "warm" in a and "top1_exact_label" in a["warm"]:
        lines.append(f"  (warm start top-1 on the exact algorithm label: {100 * a['warm']['top1_exact_label']:.0f}%)")
    if "direct" in a:
        d = report["accuracy"]["direct_model"]
        lines.append("  direct baseline register error, % of range: " + ", ".join(
            f"{k} {v:.1f}" for k, v in a["direct"]["register_error_pct"].items()))
        lines.append(f"  direct baseline: {d['trained_on']} bank renders (train split), PCA {PCA_COMPONENTS}, "
                     f"render {d['render_seconds']:.0f} s + fit {d['fit_seconds']:.0f} s")
    if "match" in report:
        m = report["match"]["summary"]
        budgets = c["budgets"]
        lines += ["", "b. warm against cold at equal budget (fmfit.match, judged by ymfm-py at the true note)"]
        lines.append(f"  {'':<14}{'lsd med':>8}{'mean':>7}{'near-id':>8}{'alg ok':>8}{'s/match':>9}{'renders':>9}{'errors':>7}")
        for b in budgets:
            for mode in ("warm", "cold"):
                s = m[f"{mode}@{b}"]
                if not s["n"]:
                    lines.append(f"  {mode + ' @' + str(b):<14}{'(nothing scored)':>30}")
                    continue
                lines.append(f"  {mode + ' @' + str(b):<14}{s['median_lsd_db']:8.2f}{s['mean_lsd_db']:7.2f}"
                             f"{100 * s['near_identical']:7.0f}%{100 * s['algorithm_reachable']:7.0f}%"
                             f"{s['median_seconds']:9.2f}{s['median_renders']:9.0f}{s['errors']:7d}")
        for mode in ("warm", "cold"):
            near = m[f"{mode}_near_by_budget"]
            lines.append(f"  {mode}: near-identical within a budget of " + ", ".join(
                f"{b}: {n}/{c['targets']}" for b, n in near.items()))
        if "warm_better_at_full_budget" in m:
            lines.append(f"  at {budgets[-1]} renders warm beats cold on {m['warm_better_at_full_budget']} targets, "
                         f"cold beats warm on {m['cold_better_at_full_budget']}")
    lines.append("")
    lines.append(f"near-identical: lsd_db <= {NEAR}; 'by ear': the guess reaches a copy of the target with "
                 f"operators muted that is near-identical to it; 'alg ok': the found patch's algorithm can "
                 f"reproduce the target; seed {c['seed']}; {report['wall_seconds']:.0f} s in all.")
    return "\n".join(lines)


def parse_budgets(text: str | None, budget: int) -> list[int]:
    if text:
        values = sorted({int(x) for x in text.split(",") if x.strip()})
    else:
        values = sorted({max(50, budget // 4), max(50, budget // 2), budget})
    if not values or values[0] < 1:
        raise ValueError("budgets must be positive numbers")
    return values


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=int, default=24, metavar="N",
                    help="render targets from the corpus evaluation split (default 24)")
    ap.add_argument("--budget", type=int, default=1500, metavar="N",
                    help="the largest match budget in renders (default 1500; the ladder is N/4, N/2, N)")
    ap.add_argument("--budgets", default=None, metavar="A,B,C", help="the budget ladder instead")
    ap.add_argument("--seed", type=int, default=0, help="match seed and direct-baseline bank seed")
    ap.add_argument("--target-seed", type=int, default=BM.TARGET_SEED,
                    help="which evaluation patches and notes become targets (bench_match's default)")
    ap.add_argument("--bank-size", type=int, default=3000, metavar="N",
                    help="renders the direct baseline is trained on (default 3000; 0 skips it)")
    ap.add_argument("--search-renders", type=int, default=1500, metavar="N",
                    help="renders of each one-algorithm search of the by-search rule (default 1500; 0 skips it)")
    ap.add_argument("--skip-match", action="store_true", help="only part a (no matching)")
    ap.add_argument("--json", nargs="?", const="-", default=None, metavar="PATH",
                    help="write the full report as JSON to PATH (or stdout instead of the table)")
    args = ap.parse_args(argv)
    try:
        budgets = parse_budgets(args.budgets, args.budget)
    except ValueError as exc:
        ap.error(str(exc))

    if find_shared() is None:
        eprint("bench_warmstart: ../shared (or $FMFIT_SHARED) not found")
        return 2
    t_start = time.perf_counter()
    train, evaluation = split_dev_patches()
    targets = BM.render_targets(args.targets, evaluation, args.target_seed)
    eprint(f"{len(targets)} targets from {len(evaluation)} evaluation patches; train split {len(train)}")

    direct = None
    report = {"config": {"targets": len(targets), "budgets": budgets, "seed": args.seed,
                         "target_seed": args.target_seed, "bank_size": args.bank_size,
                         "spectrogram": [SPEC_FRAMES, SPEC_BINS, SPEC_N_FFT], "pca": PCA_COMPONENTS,
                         "search_renders": args.search_renders},
              "accuracy": {}}
    if args.bank_size > 0:
        eprint(f"direct baseline: rendering and fitting {args.bank_size} bank patches ...")
        direct = DirectBaseline().fit(train, args.bank_size, args.seed)
        report["accuracy"]["direct_model"] = {"trained_on": direct.trained_on,
                                              "render_seconds": direct.render_seconds,
                                              "fit_seconds": direct.fit_seconds}
        eprint(f"direct baseline: {direct.trained_on} renders, {direct.render_seconds:.0f} s rendering, "
               f"{direct.fit_seconds:.0f} s fitting")
    rows = accuracy_part(targets, direct, args.search_renders, args.seed)
    report["accuracy"].update(summary=summarise_accuracy(rows), targets=rows)
    if not args.skip_match:
        match_rows = match_part(targets, budgets, args.seed)
        report["match"] = {"summary": summarise_match(match_rows, budgets), "targets": match_rows}
    report["wall_seconds"] = time.perf_counter() - t_start

    emit(report, args.json, format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Emulator speed, measured side by side with ymfm-py (the MAME core) in the same run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

import emulator
from emulator import params as P
from emulator.render import patch_writes

SECONDS = 3.0
BLOCK, FNUM = 4, 1084                # A4, as in docs/ym2612.md §3


def bench_patches(count: int, seed: int = 0) -> np.ndarray:
    """Random but audible patch vectors (LFO on for a third), the same every run."""
    rng = np.random.default_rng(seed)
    vs = rng.integers(0, P.MAXIMA.astype(np.int64) + 1, size=(count, P.SIZE)).astype(np.int64)
    for op in range(4):
        b = P.op_base(op)
        vs[:, b + P.TOTAL_LEVEL] = rng.integers(0, 60, count)
        vs[:, b + P.SSG_EG] = np.where(rng.random(count) < 0.2, 8 | rng.integers(0, 8, count), 0)
    vs[:, P.LFO] = np.where(rng.random(count) < 0.33, P.LFO_ENABLE | rng.integers(0, 8, count), 0)
    return vs


def _seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def ymfm_left(writes, n_samples: int) -> np.ndarray:
    """ymfm-py's left output of a fresh YM2612 for timed writes [(sample, address, data)].

    Writes at sample t land before sample t is generated, as in fmfit's emulator.
    """
    import ymfm

    chip = ymfm.YM2612(clock=emulator.CLOCK)
    buf = np.empty((n_samples, 2), np.int32)     # generate_into: generate() leaks in ymfm-py 0.2
    pos = 0
    for t, address, data in sorted(writes, key=lambda w: w[0]) + [(n_samples, None, None)]:
        t = min(t, n_samples)
        if t > pos:
            chip.generate_into(buf[pos:t])
            pos = t
        if address is None:
            break
        if address >= 0x100:
            chip.write_address_hi(address & 0xFF)
            chip.write_data_hi(data)
        else:
            chip.write_address(address)
            chip.write_data(data)
    return buf[:, 0]


def _ymfm_render(v, n_samples, key_off):
    return ymfm_left(patch_writes(v, BLOCK, FNUM, key_off), n_samples)


def startup_seconds() -> float:
    """Process start to first rendered sample, with the numba cache already warm."""
    code = ("import time; t0 = time.perf_counter(); import emulator, numpy as np; "
            "emulator.render_patch(np.zeros(emulator.params.SIZE, np.int64), 4, 1084, 100); "
            "print(time.perf_counter() - t0)")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # warm
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t0


def run(batch: int = 64, rounds: int = 5, reference_patches: int = 8) -> dict:
    """Times in rounds, each round timing ymfm-py and fmfit in turn, and keeps each one's
    best: this machine's speed drifts by half from minute to minute, and interleaving
    exposes both to the same drift."""
    n = int(SECONDS * emulator.SAMPLE_RATE)
    key_off = int(2.0 * emulator.SAMPLE_RATE)
    vs = bench_patches(batch)
    out = np.empty((batch, n), np.int16)
    emulator.render_batch(vs[:2], BLOCK, FNUM, n, key_off)          # compile or load the cache
    try:
        import ymfm  # noqa: F401
        have_ymfm = True
    except ImportError:
        have_ymfm = False
    refs = vs[:reference_patches]
    ref_best = np.full(len(refs), np.inf)
    single_best = np.full(len(refs), np.inf)
    batch_best = np.inf
    for _ in range(rounds):
        for k, v in enumerate(refs):
            if have_ymfm:
                ref_best[k] = min(ref_best[k], _seconds(lambda v=v: _ymfm_render(v, n, key_off)))
            single_best[k] = min(single_best[k], _seconds(
                lambda v=v: emulator.render_patch(v, BLOCK, FNUM, n, key_off)))
        batch_best = min(batch_best, _seconds(
            lambda: emulator.render_batch(vs, BLOCK, FNUM, n, key_off, out=out)))
    single = float(np.median(single_best))
    batched = batch_best / batch
    result = {
        "audio_seconds": SECONDS, "batch": batch, "rounds": rounds,
        "threads": int(os.environ.get("NUMBA_NUM_THREADS", 0)) or os.cpu_count(),
        "fmfit_single_s": single, "fmfit_batch_per_patch_s": batched,
        "fmfit_single_x_realtime": SECONDS / single, "fmfit_batch_x_realtime": SECONDS / batched,
        "startup_to_first_render_s": startup_seconds(),
        "ymfm_single_s": None,
    }
    if have_ymfm:
        ref = float(np.median(ref_best))
        result.update({"ymfm_single_s": ref, "ymfm_x_realtime": SECONDS / ref,
                       "single_vs_ymfm": ref / single, "batch_vs_ymfm": ref / batched})
    return result


def format_table(r: dict) -> str:
    def row(name, seconds, ratio=None):
        xs = f"{SECONDS / seconds:8.0f}x real time"
        rs = f"{ratio:6.1f}x ymfm-py" if ratio is not None else ""
        return f"  {name:<34}{seconds * 1e3:9.2f} ms {xs}   {rs}"
    lines = [f"YM2612 emulator, {r['audio_seconds']:.0f} s of audio per patch (53,267 Hz), {r['threads']} threads"]
    if r.get("ymfm_single_s"):
        lines.append(row("ymfm-py, one patch", r["ymfm_single_s"], 1.0))
    lines.append(row("fmfit, one patch", r["fmfit_single_s"], r.get("single_vs_ymfm")))
    lines.append(row(f"fmfit, batch of {r['batch']} (per patch)", r["fmfit_batch_per_patch_s"], r.get("batch_vs_ymfm")))
    lines.append(f"  {'process start to first render':<34}{r['startup_to_first_render_s'] * 1e3:9.0f} ms (warm numba cache)")
    if not r.get("ymfm_single_s"):
        lines.append("  (ymfm-py is not installed: pip install ymfm-py to measure the reference)")
    return "\n".join(lines)


def main(as_json: bool = False) -> None:
    r = run()
    print(json.dumps(r, indent=2) if as_json else format_table(r))

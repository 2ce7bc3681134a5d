"""`fmfit batch`: a folder of notes in, the same tree of patches out; failures listed,
kills survived, reruns resumed, Ctrl-C clean, Dask the same as local."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fmfit import batch
from fmfit.batch import BANK_SIZE, SUMMARY_FIELDS, MatchOptions, Outcome
from fmfit.formats import read
from fmfit.matching import output_paths
from fmfit.patch import Patch

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bass_C4.wav"
QUICK = ("--budget", "150", "--fast")
FORMATS = ("dmp", "tfi")
OPTIONS = MatchOptions(formats=FORMATS, budget=150, fast=True)
GOOD = ("bass_C4.wav", "Klänge/ピアノ.wav", "nested/deeper/tone.FLAC")
BAD = ("bad/empty.wav", "bad/not_audio.wav", "bad/silent.wav", "bad/truncated.wav")


def tone(path: Path, hz: float, seconds: float = 0.6, sr: int = 22050):
    """A plucked sine: a short note that matches quickly."""
    t = np.arange(int(seconds * sr)) / sr
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, 0.5 * np.sin(2 * np.pi * hz * t) * np.exp(-4 * t), sr)


def sample_tree(root: Path) -> Path:
    """Good notes in nested and non-ASCII folders, bad files, and what is not a sample."""
    root.mkdir(parents=True)
    shutil.copy(EXAMPLE, root / "bass_C4.wav")
    tone(root / "Klänge" / "ピアノ.wav", 261.63)
    tone(root / "nested" / "deeper" / "tone.FLAC", 440.0)
    (root / "bad").mkdir()
    (root / "bad" / "empty.wav").write_bytes(b"")
    (root / "bad" / "not_audio.wav").write_text("this is not audio at all\n" * 20)
    sf.write(root / "bad" / "silent.wav", np.zeros(22050), 22050)
    (root / "bad" / "truncated.wav").write_bytes(EXAMPLE.read_bytes()[:100])
    shutil.copy(EXAMPLE, root / ".hidden.wav")
    (root / ".git").mkdir()
    shutil.copy(EXAMPLE, root / ".git" / "x.wav")
    (root / "readme.txt").write_text("not a sample")
    return root


def fmfit(*args, **popen):
    return subprocess.run([sys.executable, "-m", "fmfit", *map(str, args)], capture_output=True,
                          text=True, **popen)


def _default_sigint():
    # A shell running a job in the background ignores SIGINT, and its children inherit
    # that (Python then installs no KeyboardInterrupt handler): CI may run us that way.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_batch(*args) -> subprocess.Popen:
    """`fmfit batch` in its own process group, so that the test can find its workers,
    with Ctrl-C acting as it does at a terminal."""
    return subprocess.Popen([sys.executable, "-m", "fmfit", "batch", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)


def wait_for(condition, timeout=60.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def group_alive(pgid: int) -> bool:
    """Is any process of the group still running (zombies not counted)? Linux /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            return True
    return False


def stop_group(p: subprocess.Popen):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.communicate()


def summary(out: Path) -> tuple[list[dict], dict]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows, json.loads((out / "summary.json").read_text("utf-8"))


def outputs(out: Path, relative: str) -> list[Path]:
    rel = Path(relative)
    return output_paths(out / rel.parent, rel.stem, FORMATS)


def assert_whole(path: Path):
    """An output that reads back completely: nothing truncated."""
    if path.suffix == ".json":
        json.loads(path.read_text("utf-8"))
    elif path.suffix == ".csv":
        rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
        assert all(len(row) == len(SUMMARY_FIELDS) for row in rows)
    elif path.name.endswith(".preview.wav"):
        audio, _ = sf.read(path)
        assert audio.size > 0
    elif path.suffix == ".png":
        assert path.read_bytes().endswith(b"IEND\xaeB`\x82")
    else:
        assert len(read(path)) == 1


# -- one batch over the tree, shared by the tests that read its results -------------------------
@pytest.fixture(scope="module")
def done(tmp_path_factory):
    base = tmp_path_factory.mktemp("batch")
    samples, out = sample_tree(base / "samples"), base / "out"
    r = fmfit("batch", samples, out, *QUICK, "--format", ",".join(FORMATS), "--jobs", "2",
              "--bank", base / "all.wopn")
    return samples, out, base, r


def test_outputs_mirror_the_folder_tree(done):
    samples, out, _, _ = done
    for rel in GOOD:
        for path in outputs(out, rel):
            assert path.is_file(), path
            assert_whole(path)
    report = json.loads((out / "Klänge" / "ピアノ.report.json").read_text("utf-8"))
    assert report["note"].startswith("C4")
    assert read(out / "Klänge" / "ピアノ.dmp")[0].algorithm == report["patch"]["algorithm"]
    for rel in BAD:
        assert not list((out / Path(rel).parent).glob(Path(rel).stem + ".*"))
    assert not (out / ".hidden.report.json").exists() and not (out / ".git").exists()
    assert not list(out.rglob("*.part"))


def test_summary_lists_every_sample(done):
    _, out, _, _ = done
    rows, doc = summary(out)
    assert tuple(rows[0]) == SUMMARY_FIELDS
    status = {r["file"]: r["status"] for r in rows}
    assert status == {**{f: "ok" for f in GOOD}, **{f: "failed" for f in BAD}}
    assert doc["counts"] == {"ok": 3, "failed": 4, "skipped": 0} and doc["finished"]
    for row in rows:
        if row["status"] == "ok":
            assert row["note"] and 0 <= int(row["algorithm"]) <= 7 and row["error"] == ""
            assert all(float(row[k]) >= 0 for k in ("distance", "lsd_db", "mrstft", "mfcc_mae", "env_db"))
        else:
            assert Path(row["file"]).name in row["error"] and "\n" not in row["error"]
            assert row["distance"] == ""
    assert [r["file"] for r in doc["files"]] == [r["file"] for r in rows]


def test_failures_are_listed_and_exit_1(done):
    _, _, _, r = done
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    for rel in BAD:
        assert any(Path(rel).name in line for line in r.stderr.splitlines()), r.stderr
    assert "4 of 7 samples failed" in r.stderr


def test_bank_holds_every_patch(done):
    _, out, base, _ = done
    bank = read(base / "all.wopn")
    reports = [json.loads((out / Path(rel).parent / f"{Path(rel).stem}.report.json").read_text("utf-8"))
               for rel in sorted(GOOD)]
    assert [p.canonical() for p in bank] == [Patch.from_dict(r["patch"]).canonical() for r in reports]


def test_banks_split_in_128s(tmp_path):
    patches = [Patch(name=f"p{i}") for i in range(BANK_SIZE + 2)]
    paths = batch.write_banks(tmp_path / "big.wopn", patches)
    assert [p.name for p in paths] == ["big-1.wopn", "big-2.wopn"]
    assert [len(read(p)) for p in paths] == [BANK_SIZE, 2]
    assert batch.bank_paths(tmp_path / "b.wopn", BANK_SIZE) == [tmp_path / "b.wopn"]


def test_finding_samples(tmp_path):
    root = sample_tree(tmp_path / "s")
    (root / "loud.AIFF").write_bytes(b"")
    (root / "x.preview.wav").write_bytes(b"")        # fmfit's own output
    (root / "out").mkdir()                           # the outputs, inside the samples' folder
    shutil.copy(EXAMPLE, root / "out" / "inner.wav")
    found = [s.relative for s in batch.find_samples(root, root / "out")]
    assert found == sorted(["bad/empty.wav", "bad/not_audio.wav", "bad/silent.wav", "bad/truncated.wav",
                            "bass_C4.wav", "Klänge/ピアノ.wav", "loud.AIFF", "nested/deeper/tone.FLAC"])


def test_options_are_checked_before_any_work(tmp_path):
    for bad in ({"formats": ("xyz",)}, {"algorithms": (9,)}, {"budget": 0}, {"seconds": 0.0}, {"candidates": 9}):
        with pytest.raises(ValueError):
            MatchOptions(**bad)
    with pytest.raises(ValueError, match="wopn"):
        batch.run(tmp_path, tmp_path / "out", OPTIONS, bank=tmp_path / "b.dmp")
    r = fmfit("batch", tmp_path, tmp_path / "out", "--format", "xyz")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "--format xyz" in r.stderr


def test_rerun_skips_what_is_done_and_force_redoes_it(done, tmp_path, monkeypatch):
    samples, out, _, _ = done
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    submitted = []

    def fake_outcomes(todo, options, jobs, scheduler):      # no matching: what would be run?
        submitted.extend(s.relative for s in todo)
        for s in todo:
            yield s, Outcome(error=f"{s.source}: not run")

    monkeypatch.setattr(batch, "_outcomes", fake_outcomes)
    result = batch.run(samples, copy, OPTIONS)
    assert sorted(submitted) == sorted(BAD)
    assert {r["file"]: r["status"] for r in result.rows} == {**{f: "skipped" for f in GOOD},
                                                            **{f: "failed" for f in BAD}}
    assert summary(copy)[0][0]["note"]            # a skipped sample keeps its results
    submitted.clear()
    batch.run(samples, copy, OPTIONS, force=True)
    assert sorted(submitted) == sorted(GOOD + BAD)


def test_samples_with_the_same_outputs_are_not_both_matched(tmp_path, monkeypatch):
    shutil.copy(EXAMPLE, tmp_path / "a.wav")
    shutil.copy(EXAMPLE, tmp_path / "a.flac")       # not really FLAC: never opened here
    monkeypatch.setattr(batch, "_outcomes", lambda todo, *_: ((s, Outcome(error="x")) for s in todo))
    rows = batch.run(tmp_path, tmp_path / "out", OPTIONS).rows
    assert [(r["file"], r["status"]) for r in rows] == [("a.flac", "failed"), ("a.wav", "failed")]
    assert rows[0]["error"] == "x" and "same name as a.flac" in rows[1]["error"]


# -- kills, resumes, Ctrl-C -----------------------------------------------------------------------
def test_kill_9_leaves_whole_files_and_a_rerun_resumes(tmp_path):
    samples = tmp_path / "samples"
    hzs = (220.0, 275.0, 330.0, 385.0, 440.0, 495.0, 550.0, 605.0)   # enough to be killed mid-way
    for i, hz in enumerate(hzs):
        tone(samples / ("low" if i < 4 else "high") / f"n{i}.wav", hz)
    out = tmp_path / "out"
    p = start_batch(samples, out, *QUICK, "--format", ",".join(FORMATS))
    try:
        wait_for(lambda: list(out.rglob("*.report.json")) or p.poll() is not None)
        assert p.poll() is None, "the batch ended before it could be killed"
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        wait_for(lambda: not group_alive(p.pid), timeout=15)     # its workers exit too
    finally:
        stop_group(p)
    first = {f.relative_to(out): f.stat().st_mtime_ns for f in out.rglob("*.report.json")}
    assert 1 <= len(first) < len(hzs)
    for path in out.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            assert_whole(path)
    assert all(path.name.startswith(".") for path in out.rglob("*.part"))   # never taken as outputs

    r = fmfit("batch", samples, out, *QUICK, "--format", ",".join(FORMATS))
    assert r.returncode == 0, r.stderr
    rows, doc = summary(out)
    assert doc["counts"] == {"ok": len(hzs) - len(first), "failed": 0, "skipped": len(first)}
    skipped = {Path(r["file"]).with_suffix(".report.json") for r in rows if r["status"] == "skipped"}
    assert skipped == set(first)
    for rel, mtime in first.items():
        assert (out / rel).stat().st_mtime_ns == mtime                # not redone
    for row in rows:
        for path in outputs(out, row["file"]):
            assert_whole(path)
    assert not list(out.rglob("*.part"))


def test_ctrl_c_stops_cleanly(tmp_path):
    samples = tmp_path / "samples"
    for i in range(16):          # enough work that the batch is still running when interrupted
        tone(samples / f"n{i}.wav", 200.0 + 37 * i)
    out = tmp_path / "out"
    p = start_batch(samples, out, *QUICK, "--format", "dmp", "--jobs", "2")
    try:
        wait_for(lambda: list(out.glob("*.report.json")) or p.poll() is not None)
        assert p.poll() is None, "the batch ended before it could be interrupted"
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        stdout, stderr = p.communicate(timeout=30)
        stopped_in = time.monotonic() - t0
        wait_for(lambda: not group_alive(p.pid), timeout=15)
    finally:
        stop_group(p)
    assert p.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout
    assert [ln for ln in stderr.splitlines() if ln.strip()] and "interrupted" in stderr
    assert stopped_in < 10                        # running matches are stopped, not awaited
    rows, doc = summary(out)
    assert doc["finished"] is False and rows and all(r["status"] == "ok" for r in rows)
    for row in rows:
        for path in output_paths(out, Path(row["file"]).stem, ["dmp"]):
            assert_whole(path)


def test_ctrl_c_while_a_sample_is_written_waits_until_it_is_in_the_summary():
    """The interrupt that the test above sends can land between a sample's last file and its
    summary row: it is held until the row is recorded, then raised."""
    before = signal.getsignal(signal.SIGINT)
    recorded = []
    with pytest.raises(KeyboardInterrupt):
        with batch._interrupt_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)                     # the handler runs here, in the main thread
            recorded.append("row")
    assert recorded == ["row"]
    assert signal.getsignal(signal.SIGINT) is before


# -- Dask ------------------------------------------------------------------------------------------
def test_dask_gives_the_local_results(done, tmp_path):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    samples, out, _, _ = done
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        result = batch.run(samples, tmp_path / "dask", OPTIONS, scheduler=cluster.scheduler_address)
    local, _ = summary(out)
    assert [(r["file"], r["status"]) for r in result.rows] == [(r["file"], r["status"]) for r in local]
    for rel in GOOD:
        for ext in FORMATS:
            name = Path(rel).with_suffix(f".{ext}")
            assert (tmp_path / "dask" / name).read_bytes() == (out / name).read_bytes(), name


def test_workers_compile_with_a_cold_numba_cache(tmp_path):
    """On a fresh install numba's cache is empty and each worker compiles the emulator.
    numba re-reads its settings when it compiles, and workers that had changed them
    failed every sample of the first batch ("Cannot set NUMBA_NUM_THREADS ...")."""
    samples = tmp_path / "samples"
    for i in range(2):
        tone(samples / f"n{i}.wav", 220.0 * (i + 1))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    r = fmfit("batch", samples, tmp_path / "out", *QUICK, "--format", "dmp", "--jobs", "2", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(list((tmp_path / "out").glob("*.dmp"))) == 2

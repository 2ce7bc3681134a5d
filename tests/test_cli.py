"""The command line as a user meets it: outputs, one-line errors, no tracebacks."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fmfit.formats import read

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bass_C4.wav"


def fmfit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "fmfit", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


def _one_line_error(r):
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.fixture(scope="module")
def matched(tmp_path_factory):
    out = tmp_path_factory.mktemp("match")
    sample = out / "bass.wav"
    shutil.copy(EXAMPLE, sample)
    r = fmfit("match", sample, "--fast", "--budget", "300", "--quiet", "--format", "dmp,tfi,wopn,bti")
    assert r.returncode == 0, r.stderr
    return out


def test_match_writes_every_output(matched):
    names = sorted(p.name for p in matched.iterdir())
    for ext in ("dmp", "tfi", "wopn", "bti", "preview.wav", "report.json"):
        assert f"bass.{ext}" in names
    report = json.loads((matched / "bass.report.json").read_text())
    assert report["note"].startswith("C4") and abs(report["f0_hz"] - 261.63) < 3
    assert set(report["metrics"]) == {"lsd_db", "mrstft", "mfcc_mae", "env_db"}
    assert report["renders"] <= 320
    # the files hold the reported patch
    dmp = read(matched / "bass.dmp")[0]
    assert dmp.algorithm == report["patch"]["algorithm"]
    audio, rate = sf.read(matched / "bass.preview.wav")
    assert rate == 44100 and np.abs(audio).max() > 0.5


def test_existing_outputs_need_force(matched):
    before = (matched / "bass.dmp").read_bytes()
    line = _one_line_error(fmfit("match", matched / "bass.wav", "--fast", "--budget", "50", "--format", "dmp,tfi,wopn,bti"))
    assert "already exists" in line and "--force" in line
    assert (matched / "bass.dmp").read_bytes() == before


@pytest.mark.parametrize("content,problem", [
    (b"", ""), (b"this is not audio at all" * 20, ""),
])
def test_bad_audio_gives_one_line(tmp_path, content, problem):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    line = _one_line_error(fmfit("match", bad, "--fast"))
    assert "bad.wav" in line
    assert not list(tmp_path.glob("bad.*.*")) and not (tmp_path / "bad.dmp").exists()


def test_several_samples_go_on_past_a_bad_one(tmp_path):
    """`fmfit match *.wav`: each sample is matched; a bad one is one line naming it, the
    others still get their files, and the exit status says something failed."""
    good = tmp_path / "a.wav"
    shutil.copy(EXAMPLE, good)
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"this is not audio at all" * 20)
    r = fmfit("match", bad, good, "--fast", "--budget", "100", "--quiet", "--format", "dmp")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2 and "b.wav" in lines[0] and "1 of 2 samples failed" in lines[1]
    assert (tmp_path / "a.dmp").exists() and not (tmp_path / "b.dmp").exists()


def test_samples_that_would_write_the_same_files_are_refused_first(tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        shutil.copy(EXAMPLE, tmp_path / folder / "bass.wav")
    line = _one_line_error(fmfit("match", tmp_path / "x" / "bass.wav", tmp_path / "y" / "bass.wav",
                                 "-o", tmp_path, "--fast", "--force"))
    assert "would both be written" in line
    assert not list(tmp_path.glob("bass.*"))


def test_silence_and_missing_files(tmp_path):
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(44100), 44100)
    assert "silent.wav" in _one_line_error(fmfit("match", silent))
    assert "nothere.wav" in _one_line_error(fmfit("match", tmp_path / "nothere.wav"))
    assert "fmfit batch" in _one_line_error(fmfit("match", tmp_path))
    assert "--format" in _one_line_error(fmfit("match", silent, "--format", "xyz"))


def test_render_show_convert(tmp_path, matched):
    wav = tmp_path / "a.wav"
    r = fmfit("render", matched / "bass.dmp", "--note", "A4", "--hold", "0.3", "--release", "0.2", "-o", wav)
    assert r.returncode == 0, r.stderr
    x, rate = sf.read(wav)
    assert rate == 44100 and len(x) == pytest.approx(0.5 * 44100, abs=2)
    # the pitch is A4: the strongest partial is a harmonic of 440 Hz
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    f = np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spec)]
    assert abs(f / 440 - round(f / 440)) < 0.03
    r = fmfit("show", matched / "bass.dmp")
    assert r.returncode == 0 and "OP1" in r.stdout
    r = fmfit("convert", matched / "bass.dmp", tmp_path / "x.vgi")
    assert r.returncode == 0, r.stderr
    assert read(tmp_path / "x.vgi")[0].operators == read(matched / "bass.dmp")[0].operators
    line = _one_line_error(fmfit("show", EXAMPLE))
    assert "bass_C4.wav" in line


def test_budget_help_names_the_real_defaults():
    """The CLI keeps its help literal (it imports the matcher lazily), so check it against
    the numbers match actually uses."""
    from fmfit.matching import DEFAULT_RENDERS, FAST_RENDERS

    r = fmfit("match", "--help", cwd=ROOT)
    text = " ".join(r.stdout.replace("│", " ").split())
    assert f"default {DEFAULT_RENDERS}; {FAST_RENDERS} with --fast" in text

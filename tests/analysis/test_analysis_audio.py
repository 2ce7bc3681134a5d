"""load_audio: every readable format comes out mono float64; every unusable file is one
AudioError line that names the file."""
import numpy as np
import pytest
import soundfile as sf

from fmfit.analysis.audio import AudioError, check_samples, dc_offset, level_warnings, load_audio

SR = 44_100


def tone(seconds=0.5, sr=SR, amplitude=0.5, freq=440.0):
    t = np.arange(int(seconds * sr)) / sr
    return amplitude * np.sin(2 * np.pi * freq * t)


def refused(path) -> str:
    with pytest.raises(AudioError) as info:
        load_audio(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_int16_stereo_at_48k_is_downmixed_by_the_mean(tmp_path):
    left = tone(sr=48_000)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.column_stack([left, np.zeros_like(left)]), 48_000, subtype="PCM_16")
    samples, sr, warnings = load_audio(path)
    assert sr == 48_000 and samples.dtype == np.float64 and samples.ndim == 1
    assert samples.size == left.size
    assert np.max(np.abs(samples)) == pytest.approx(0.25, abs=1e-3)
    assert warnings == []


@pytest.mark.parametrize("fmt, subtype, suffix", [
    ("FLAC", "PCM_24", ".flac"), ("AIFF", "PCM_16", ".aiff"),
    ("OGG", "VORBIS", ".ogg"), ("WAV", "FLOAT", ".wav"),
])
def test_other_formats(tmp_path, fmt, subtype, suffix):
    if fmt not in sf.available_formats():
        pytest.skip(f"libsndfile here has no {fmt}")
    path = tmp_path / f"note{suffix}"
    x = tone(seconds=0.6, sr=22_050)
    sf.write(path, np.column_stack([x, x, x]), 22_050, format=fmt, subtype=subtype)
    samples, sr, _ = load_audio(path)
    assert sr == 22_050
    assert abs(samples.size - x.size) < 2048  # vorbis may pad a little
    assert np.sqrt(np.mean(samples**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


def test_only_max_seconds_are_read(tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, tone(seconds=20.0, sr=8_000), 8_000)
    samples, sr, warnings = load_audio(path, max_seconds=12.0)
    assert samples.size == 12 * 8_000
    assert any("first 12 s" in w for w in warnings)


def test_warnings_for_clipping_dc_and_low_level(tmp_path):
    clipped = np.clip(tone(amplitude=3.0), -1.0, 1.0)
    path = tmp_path / "clipped.wav"
    sf.write(path, clipped, SR, subtype="PCM_16")
    assert any("clipping" in w for w in load_audio(path).warnings)

    silence = np.zeros(SR // 4)
    offset = np.concatenate([silence, tone(amplitude=0.3), silence]) + 0.05
    assert any("DC offset" in w for w in level_warnings(offset, SR))
    assert any("very low level" in w for w in level_warnings(tone(amplitude=0.001), SR))
    assert any("above full scale" in w for w in level_warnings(tone(amplitude=1.5), SR))
    assert level_warnings(tone(amplitude=0.5), SR) == []


def test_missing_and_empty_files(tmp_path):
    assert "no such file" in refused(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert "empty" in refused(empty)
    assert "folder" in refused(tmp_path)


def test_text_renamed_to_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio\n" * 20)
    assert "not a readable audio file" in refused(path)


def test_wav_with_no_frames(tmp_path):
    path = tmp_path / "noframes.wav"
    sf.write(path, np.zeros(0), SR)
    assert "no samples" in refused(path)


def test_all_zeros(tmp_path):
    path = tmp_path / "zeros.wav"
    sf.write(path, np.zeros(SR), SR, subtype="PCM_16")
    assert "silent" in refused(path)


def test_all_nan_float_wav(tmp_path):
    path = tmp_path / "nan.wav"
    sf.write(path, np.full(SR, np.nan), SR, subtype="FLOAT")
    assert "finite" in refused(path)


def test_some_nan_are_zeroed_with_a_warning(tmp_path):
    x = tone()
    x[100:110] = np.nan
    path = tmp_path / "somenan.wav"
    sf.write(path, x, SR, subtype="FLOAT")
    samples, _, warnings = load_audio(path)
    assert np.isfinite(samples).all() and samples[105] == 0.0
    assert any("NaN" in w for w in warnings)


def test_too_short_file_or_a_mere_click(tmp_path):
    path = tmp_path / "short.wav"
    sf.write(path, tone(seconds=0.1), SR, subtype="PCM_16")
    assert "too short" in refused(path)
    x = np.zeros(SR)
    x[SR // 2 : SR // 2 + int(0.005 * SR)] = tone(seconds=0.005)
    click = tmp_path / "click.wav"
    sf.write(click, x, SR, subtype="PCM_16")
    assert "too short" in refused(click)


def test_a_short_sound_in_a_longer_file_is_a_note(tmp_path):
    x = np.zeros(SR)
    x[SR // 2 : SR // 2 + int(0.1 * SR)] = tone(seconds=0.1)
    path = tmp_path / "blip.wav"
    sf.write(path, x, SR, subtype="PCM_16")
    samples, rate, _ = load_audio(path)
    assert rate == SR and np.abs(samples).max() > 0


def test_check_samples_names_its_source():
    with pytest.raises(AudioError, match="^input: silent"):
        check_samples(np.zeros(SR), SR, source="input")
    with pytest.raises(AudioError, match="mono"):
        check_samples(np.zeros((SR, 2)), SR)


def test_dc_offset_is_read_where_the_signal_is_quietest():
    silence = np.zeros(SR // 2)
    note = np.concatenate([silence, tone(seconds=1.0), silence])
    assert dc_offset(note + 0.03, SR) == pytest.approx(0.03, abs=1e-9)
    # DC carried only while the note sounds is part of the note, not an offset.
    carried = np.concatenate([silence, tone(seconds=1.0) + 0.05, silence])
    assert dc_offset(carried, SR) == pytest.approx(0.0, abs=1e-9)
    assert not any("DC offset" in w for w in level_warnings(carried, SR))


def test_without_silence_no_offset_is_read():
    """A note that sounds from the first sample to the last gives no silence to read an
    offset from: its DC may be its own (a chip render held throughout), so it stays."""
    held = tone(seconds=1.0) + 0.05
    assert dc_offset(held, SR) == 0.0
    assert not any("DC offset" in w for w in level_warnings(held, SR))

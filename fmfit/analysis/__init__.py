"""Turn a recorded note into a fit target: audio loading, onset/note-off, pitch."""
from fmfit.analysis.audio import AudioError, LoadedAudio, check_audio_path, load_audio
from fmfit.analysis.note import NoteAnalysis, analyse
from fmfit.analysis.pitch import estimate_f0

__all__ = ["AudioError", "LoadedAudio", "NoteAnalysis", "analyse", "check_audio_path", "estimate_f0", "load_audio"]

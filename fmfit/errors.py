"""Which errors are the user's to fix: the CLI and batch report them as they are."""
from __future__ import annotations


def user_errors() -> tuple[type[BaseException], ...]:
    """Bad files, bad options, outputs in the way, a missing model; anything else is a
    bug. Imported lazily, so that the CLI starts without the heavy modules."""
    from .analysis import AudioError
    from .formats import FormatError
    from .patch import PatchError
    from .warmstart import ModelError

    # OutputExistsError (fmfit.atomic) is a FileExistsError, so OSError covers it
    return AudioError, FormatError, PatchError, ModelError, ValueError, OSError

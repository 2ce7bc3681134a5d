"""fmfit: turn one recorded note into a Sega Genesis / Mega Drive (YM2612) FM patch."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fmfit")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"

from .patch import Operator, Patch, PatchError  # noqa: E402


def match(source, sr=None, **options):
    """fmfit.match(path_or_array, sr=None, **options) -> MatchResult; see fmfit.matching."""
    from .matching import match as _match

    return _match(source, sr, **options)


__all__ = ["Operator", "Patch", "PatchError", "match", "__version__"]

"""Keep numba's on-disk cache consistent across the package's modules.

numba's `cache=True` checks only the source file of the cached function itself: a
function in render.py that calls (and so compiles in) chip.render_writes keeps its old
machine code after chip.py changes. This drops the package's cache files whenever any
of its sources changed, so every cached function is rebuilt from the current code.
"""
import hashlib
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def drop_stale_cache() -> None:
    from numba.core.config import CACHE_DIR
    if CACHE_DIR:                  # NUMBA_CACHE_DIR moves the cache elsewhere: not handled
        return
    digest = hashlib.sha1()
    for path in sorted(_HERE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    cache = _HERE / "__pycache__"
    stamp = cache / "numba_sources.sha1"
    try:
        if stamp.read_text() == digest.hexdigest():
            return
    except OSError:
        pass
    for pattern in ("*.nbi", "*.nbc"):
        for path in cache.glob(pattern):
            try:
                path.unlink()
            except OSError:
                pass
    try:
        cache.mkdir(exist_ok=True)
        tmp = cache / f"numba_sources.sha1.{os.getpid()}"
        tmp.write_text(digest.hexdigest())
        os.replace(tmp, stamp)
    except OSError:
        pass

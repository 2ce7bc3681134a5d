"""The built-in preset library: the CC0 megatoy presets bundled in fmfit/data/presets."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .patch import Patch

PRESET_DIR = Path(__file__).parent / "data" / "presets"


@lru_cache(maxsize=1)
def library() -> tuple[Patch, ...]:
    """Every bundled preset, in a stable order (nothing when the folder is absent)."""
    from .formats import FormatError, read

    patches = []
    for path in sorted(PRESET_DIR.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".dmp", ".fui", ".tfi", ".opni", ".y12", ".vgi", ".bti"):
            try:
                patches.extend(p.replace(name=p.name or path.stem) for p in read(path))
            except FormatError:
                continue
    return tuple(patches)

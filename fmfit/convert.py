"""Convert instrument files between formats (formats chosen by extension).

    single -> single              x.tfi -> x.dmp
    several singles -> bank       [a.dmp, b.tfi] -> bank.wopn
    bank -> folder of singles     bank.wopn -> out/ (or out.dmp: folder "out" of .dmp files)
    bank -> bank                  bank.btb -> bank.wopn (at most 128 patches)

Nothing is written unless every output can be: an existing output is an
OutputExistsError (unless force), an impossible conversion a FormatError.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

from fmfit import formats
from fmfit.atomic import OutputExistsError, write_atomic
from fmfit.formats import FormatError
from fmfit.patch import Patch

#: Format of the files written into a folder when the output names no format.
DEFAULT_SINGLE_EXTENSION = ".dmp"
MAX_NAME_CHARS = 60


def safe_filename(name: str) -> str:
    """`name` as a portable file name part: no path separators or control characters."""
    name = re.sub(r"[^\w \-.,()+&'#!]", "_", name, flags=re.UNICODE)
    name = re.sub(r"\s+", " ", name).strip(" ._")
    return name[:MAX_NAME_CHARS].rstrip(" .") or "patch"


def _is_folder_target(out_path: Path) -> bool:
    """An existing folder, or a new path without an extension."""
    return out_path.is_dir() or not out_path.suffix


def _folder_targets(patches: list[Patch], folder: Path, ext: str) -> list[Path]:
    width = max(3, len(str(len(patches))))
    return [folder / f"{i:0{width}d} {safe_filename(p.name)}{ext}"
            for i, p in enumerate(patches, start=1)]


def convert(in_path: str | os.PathLike | Iterable[str | os.PathLike],
            out_path: str | os.PathLike, *, force: bool = False,
            ext: str | None = None) -> list[Path]:
    """Convert `in_path` (one file, or a list of files) to `out_path`; return what was written.

    `ext` chooses the format of single files written into a folder (default .dmp, or
    the extension of `out_path` when that is a single-patch format).
    """
    in_paths = ([Path(in_path)] if isinstance(in_path, (str, os.PathLike))
                else [Path(p) for p in in_path])
    if not in_paths:
        raise FormatError("nothing to convert: no input files")
    out_path = Path(out_path)
    if not _is_folder_target(out_path) and out_path.suffix.lower() not in formats.EXTENSIONS:
        raise FormatError(f"{out_path.name}: unknown instrument extension {out_path.suffix!r} "
                          f"(known: {', '.join(formats.WRITABLE_EXTENSIONS)})")
    patches = [patch for path in in_paths for patch in formats.read(path)]

    if _is_folder_target(out_path):
        folder = out_path
        single_ext = "." + (ext or DEFAULT_SINGLE_EXTENSION).lower().lstrip(".")
    elif formats.is_bank(out_path.suffix) or len(patches) == 1:
        return _write_jobs([(out_path, patches)], force)
    elif len(in_paths) > 1:
        raise FormatError(f"{out_path.name}: {formats.format_name(out_path.suffix)} holds one "
                          f"patch; {len(in_paths)} input files hold {len(patches)} "
                          "(write a bank such as .wopn instead)")
    else:
        # A bank to a single-patch format: a folder named after the output, one file each.
        folder, single_ext = out_path.with_suffix(""), out_path.suffix
    if formats.is_bank(single_ext):
        raise FormatError(f"{single_ext}: a folder of single patches needs a single-patch "
                          "format such as .dmp")
    targets = _folder_targets(patches, folder, single_ext.lower())
    return _write_jobs([(target, [patch]) for target, patch in zip(targets, patches)], force)


def _write_jobs(jobs: list[tuple[Path, list[Patch]]], force: bool) -> list[Path]:
    """Write every (path, patches) job; check them all first, so a failure writes nothing."""
    if not force:
        for path, _ in jobs:
            if path.exists():
                raise OutputExistsError(path)
    blobs = []
    for path, patches in jobs:
        try:
            blobs.append(formats.write_bytes(patches, path.suffix))
        except FormatError as error:
            raise FormatError(f"{path.name}: {error}") from None
    return [write_atomic(path, blob, force=force) for (path, _), blob in zip(jobs, blobs)]

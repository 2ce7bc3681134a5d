"""Instrument files in and out: every format fmfit reads and writes, chosen by extension.

    read(path) -> list[Patch]          a single-patch file gives a list of one
    write(path, patches, force=False)  atomic; OutputExistsError if it exists
    read_bytes(data, ext, name) / write_bytes(patches, ext)

Byte layouts: shared/docs/formats.md, and each module's docstring. Every reader's
failure, whatever the bytes, is a FormatError naming the file and the problem (go through
read/read_bytes: a module's own read() may also raise fmfit.patch.PatchError).
Fields a format cannot hold are dropped on write with a FormatWarning, and read as
their defaults.
"""
from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Iterable

from fmfit.atomic import OutputExistsError, write_atomic
from fmfit.patch import Patch, PatchError

from . import btb, bti, dmp, fui, opni, tfi, vgi, wopn, y12
from .common import FormatError, FormatWarning

__all__ = [
    "FormatError", "FormatWarning", "OutputExistsError", "EXTENSIONS", "WRITABLE_EXTENSIONS",
    "read", "write", "read_bytes", "write_bytes", "is_bank", "storable", "format_name",
]

_MODULES: tuple[ModuleType, ...] = (dmp, fui, tfi, y12, vgi, opni, bti, wopn, btb)
_READ_ONLY = (btb,)
_REGISTRY: dict[str, ModuleType] = {m.EXTENSION: m for m in _MODULES}

#: Every extension fmfit reads, with its dot (".dmp", ...).
EXTENSIONS: tuple[str, ...] = tuple(m.EXTENSION for m in _MODULES)
#: The extensions fmfit writes (.btb is read only).
WRITABLE_EXTENSIONS: tuple[str, ...] = tuple(m.EXTENSION for m in _MODULES
                                             if m not in _READ_ONLY)


def _normal(ext: str) -> str:
    ext = str(ext).lower()
    return ext if ext.startswith(".") else "." + ext


def _module(ext: str) -> ModuleType:
    module = _REGISTRY.get(_normal(ext))
    if module is None:
        raise FormatError(f"unknown instrument extension {ext!r} "
                          f"(known: {', '.join(EXTENSIONS)})")
    return module


def is_bank(ext: str) -> bool:
    """True for formats holding many patches (.wopn, .btb)."""
    return _module(ext).BANK


def format_name(ext: str) -> str:
    """A readable name of the format, e.g. "DefleMask .dmp"."""
    return _module(ext).NAME


def storable(patch: Patch, ext: str) -> Patch:
    """`patch` as the format will give it back: what it cannot hold dropped, the name fitted."""
    return _module(ext).storable(patch)


def read_bytes(data: bytes, ext: str, name: str = "<bytes>") -> list[Patch]:
    """The patches in `data`, a file of format `ext`; only FormatError escapes."""
    module = _module(ext)
    try:
        result = module.read(bytes(data))
    except FormatError as error:
        raise FormatError(f"{name}: {error}") from None
    except PatchError as error:
        raise FormatError(f"{name}: a value is out of range: {error}") from None
    except Exception as error:  # noqa: BLE001 - any parse failure means a bad file
        raise FormatError(f"{name}: not a valid {module.NAME} file "
                          f"({type(error).__name__}: {error})") from error
    return list(result) if module.BANK else [result]


def read(path: str | os.PathLike) -> list[Patch]:
    """The patches in the file at `path`, in order.

    A single-patch file whose format has no name (or an empty one) takes the file stem.
    """
    path = Path(path)
    if _normal(path.suffix) not in _REGISTRY:
        raise FormatError(f"{path.name}: not an instrument file fmfit reads "
                          f"(known: {', '.join(EXTENSIONS)})")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FormatError(f"{path.name}: cannot read: {error.strerror or error}") from None
    patches = read_bytes(data, path.suffix or path.name, name=path.name)
    if not is_bank(path.suffix) and not patches[0].name:
        patches = [patches[0].replace(name=path.stem)]
    return patches


def _as_list(patches: Patch | Iterable[Patch]) -> list[Patch]:
    return [patches] if isinstance(patches, Patch) else list(patches)


def write_bytes(patches: Patch | Iterable[Patch], ext: str) -> bytes:
    """The bytes of a file of format `ext` holding `patches`."""
    module = _module(ext)
    patches = _as_list(patches)
    if module in _READ_ONLY:
        raise FormatError(f"{module.NAME} is read only; fmfit cannot write it")
    if not all(isinstance(p, Patch) for p in patches):
        raise TypeError("write_bytes takes Patch values")
    if module.BANK:
        return module.write(patches)
    if len(patches) != 1:
        raise FormatError(f"{module.NAME} holds one patch, got {len(patches)} "
                          "(write a bank such as .wopn, or one file per patch)")
    return module.write(patches[0])


def write(path: str | os.PathLike, patches: Patch | Iterable[Patch], *,
          force: bool = False) -> Path:
    """Write `patches` to `path` in the format of its extension, atomically.

    Raises OutputExistsError when `path` exists and `force` is false, FormatError when
    the format cannot take these patches.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(path)
    try:
        data = write_bytes(patches, path.suffix or path.name)
    except FormatError as error:
        raise FormatError(f"{path.name}: {error}") from None
    return write_atomic(path, data, force=force)

"""libOPNMIDI / OPN2 Bank Editor single instrument (.opni).

Layout (formats.md "OPNI / WOPN"; libOPNMIDI wopn_file.c WOPN_LoadInstFromMem):

    v1: "WOPN2-INST\\0"  u8 is_drum  entry(65)                  = 77 bytes
    v2: "WOPN2-IN2T\\0"  u16le version  u8 is_drum  entry(65)   = 79 bytes

The entry is described in wopn_entry.py. v2 has no key-on/off delay fields, but files
saved by older OPN2 Bank Editors carry 4 more bytes (the delays); they are ignored.
We write v2, 79 bytes.
"""
from __future__ import annotations

import struct

from fmfit.patch import Patch

from . import wopn_entry
from .common import FormatError, need

NAME = "libOPNMIDI .opni"
EXTENSION = ".opni"
BANK = False
MAGIC_V1 = b"WOPN2-INST\0"
MAGIC_V2 = b"WOPN2-IN2T\0"
LATEST_VERSION = 2


def storable(patch: Patch) -> Patch:
    return wopn_entry.storable(patch)


def read(data: bytes) -> Patch:
    magic = data[:11]
    if magic == MAGIC_V1:
        entry_at = 12
    elif magic == MAGIC_V2:
        need(data, 13, "an OPNI header")
        version = struct.unpack_from("<H", data, 11)[0]
        if version > LATEST_VERSION:
            raise FormatError(f"OPNI version {version} is newer than this reader "
                              f"(up to {LATEST_VERSION})")
        entry_at = 14
    else:
        raise FormatError("not an OPNI file (no WOPN2-INST / WOPN2-IN2T magic)")
    need(data, entry_at + wopn_entry.SIZE, "an OPNI")
    return wopn_entry.read_entry(data[entry_at:entry_at + wopn_entry.SIZE])


def write(patch: Patch) -> bytes:
    return MAGIC_V2 + struct.pack("<HB", LATEST_VERSION, 0) + wopn_entry.write_entry(patch)

"""libOPNMIDI / OPN2 Bank Editor bank (.wopn): many patches.

Layout (formats.md "OPNI / WOPN"; libOPNMIDI wopn_file.c WOPN_LoadBankFromMem):

    v1: "WOPN2-BANK\\0"  u16be melodic banks M  u16be percussion banks P  u8 LFO
        then 128 x 65-byte entries per bank, melodic banks first
    v2: "WOPN2-B2NK\\0"  u16le version  u16be M  u16be P  u8 (LFO low nibble; bit 4 OPNA)
        then per bank (melodic, then percussion): name[32] LSB MSB
        then 128 x 69-byte entries per bank: entry(65) u16be key-on delay u16be key-off delay

The header is 18 bytes (formats.md's size formula says 19, but its own field list and
every corpus file give 18: size = 18 + 34*(M+P) + 69*128*(M+P)).

Blank entries are skipped when reading: in v2 an entry whose two delays are 0 is blank
(libOPNMIDI's rule); v1 has no blank marker, so an all-zero v1 entry counts as blank.
Reading gives the melodic banks' patches, then the percussion banks', in file order.

Writing makes a v2 file with one melodic bank of up to 128 patches and one empty
percussion bank: libOPNMIDI refuses a bank file with no percussion bank (WOPN_Init
returns NULL for a count of 0). The delays are not Patch fields; a used entry gets
key-on 40000 ms / key-off 0 ms, values OPN2 Bank Editor itself stores for
sustaining sounds. The LFO is switched on (rate 0) when any patch is LFO-sensitive.
"""
from __future__ import annotations

import struct

from fmfit.patch import Patch

from . import wopn_entry
from .common import FormatError, need

NAME = "libOPNMIDI .wopn"
EXTENSION = ".wopn"
BANK = True
MAGIC_V1 = b"WOPN2-BANK\0"
MAGIC_V2 = b"WOPN2-B2NK\0"
LATEST_VERSION = 2
BANK_ENTRIES = 128
ENTRY_V2 = 69
BANK_META = 34
LFO_ENABLE = 0x08
KEY_ON_DELAY_MS, KEY_OFF_DELAY_MS = 40000, 0


def storable(patch: Patch) -> Patch:
    return wopn_entry.storable(patch)


def read(data: bytes) -> list[Patch]:
    magic = data[:11]
    if magic == MAGIC_V1:
        version, at = 1, 11
    elif magic == MAGIC_V2:
        need(data, 13, "a WOPN header")
        version = struct.unpack_from("<H", data, 11)[0]
        if version > LATEST_VERSION:
            raise FormatError(f"WOPN version {version} is newer than this reader "
                              f"(up to {LATEST_VERSION})")
        at = 13
    else:
        raise FormatError("not a WOPN bank (no WOPN2-BANK / WOPN2-B2NK magic)")
    need(data, at + 5, "a WOPN header")
    melodic, percussion = struct.unpack_from(">HH", data, at)
    banks = melodic + percussion
    at += 5
    entry_size = ENTRY_V2 if version >= 2 else wopn_entry.SIZE
    if version >= 2:
        at += BANK_META * banks
    need(data, at + entry_size * BANK_ENTRIES * banks,
         f"a v{version} WOPN with {melodic}+{percussion} banks")

    patches = []
    for index in range(BANK_ENTRIES * banks):
        entry = data[at + entry_size * index:at + entry_size * (index + 1)]
        if version >= 2:
            blank = entry[65:69] == b"\0\0\0\0"
        else:
            blank = not any(entry)
        if not blank:
            patches.append(wopn_entry.read_entry(entry))
    if not patches:
        raise FormatError("the bank holds no instruments (every entry is blank)")
    return patches


def write(patches: list[Patch]) -> bytes:
    if not patches:
        raise FormatError("a WOPN bank needs at least one patch")
    if len(patches) > BANK_ENTRIES:
        raise FormatError(f"{len(patches)} patches: a .wopn written by fmfit holds one "
                          f"melodic bank of at most {BANK_ENTRIES}")
    lfo = LFO_ENABLE if any(p.uses_lfo for p in patches) else 0
    out = bytearray(MAGIC_V2 + struct.pack("<H", LATEST_VERSION) + struct.pack(">HHB", 1, 1, lfo))
    out += bytes(BANK_META) * 2                  # melodic and percussion bank: no name, 0/0
    used = struct.pack(">HH", KEY_ON_DELAY_MS, KEY_OFF_DELAY_MS)
    for patch in patches:
        out += wopn_entry.write_entry(patch) + used
    out += bytes(ENTRY_V2) * (2 * BANK_ENTRIES - len(patches))   # blanks, then percussion
    return bytes(out)

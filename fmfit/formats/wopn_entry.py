"""The 65-byte instrument entry shared by libOPNMIDI's .opni and .wopn files.

Layout (formats.md "OPNI / WOPN"; libOPNMIDI docs/wopn specification.txt, wopn_file.c):

    0   name[32]        NUL-terminated
    32  s16 BIG-endian  note offset            (not a Patch field: read as nothing, written 0)
    34  u8              percussion key number  (likewise)
    35  u8              FB << 3 | ALG
    36  u8              AMS << 4 | FMS
    37  4 x 7 raw register bytes in slot order S1,S3,S2,S4:
        [DT<<4|MUL] [TL] [RS<<6|AR] [AM<<7|D1R] [D2R] [SL<<4|RR] [SSG-EG]

The specification text says "operators 1/2/3/4"; the code writes them in register order,
which is what we follow. DT is the raw register value.
"""
from __future__ import annotations

from fmfit.patch import Patch

from .common import (decode_name, encode_name, operator_registers, register_operator,
                     storable as _storable)

SIZE = 65
NAME_SIZE = 32
#: Longest name we write: 31 bytes keep a terminating NUL (readers that take 31
#: characters, such as deflemask-preset-viewer, then see the whole name).
NAME_BYTES = 31


def storable(patch: Patch) -> Patch:
    return _storable(patch, name_bytes=NAME_BYTES)


def read_entry(entry: bytes) -> Patch:
    fb_alg, lfo = entry[35], entry[36]
    slot_ops = [register_operator(entry[37 + 7 * slot:44 + 7 * slot]) for slot in range(4)]
    return Patch.from_slots(slot_ops, algorithm=fb_alg & 7, feedback=(fb_alg >> 3) & 7,
                            ams=(lfo >> 4) & 3, fms=lfo & 7,
                            name=decode_name(entry[:NAME_SIZE]))


def write_entry(patch: Patch) -> bytes:
    out = bytearray(encode_name(patch.name, NAME_BYTES).ljust(NAME_SIZE, b"\0"))
    out += bytes([0, 0, 0, patch.feedback << 3 | patch.algorithm, patch.ams << 4 | patch.fms])
    for op in patch.slot_operators():
        out += operator_registers(op)
    return bytes(out)

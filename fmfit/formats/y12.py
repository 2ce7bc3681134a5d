"""Gens KMod register dump (.y12): one FM patch in 128 bytes, with a 16-byte name.

Layout (formats.md "Gens KMod .y12"; OPN2BankEditor format_gens_y12.cpp):

    16*slot (slot order S1,S3,S2,S4): 7 raw register bytes, then 9 zero bytes
        [DT<<4|MUL] [TL] [RS<<6|AR] [AM<<7|D1R] [D2R] [SL<<4|RR] [SSG-EG]
    0x40: ALG   0x41: FB   (then 14 zero bytes)
    0x50: name (16)   0x60: dumper (16)   0x70: game (16)

DT is the raw register value (0-3 = +0..+3, 4-7 = -0..-3). There is no AMS or FMS:
they read as 0 and are dropped (with a FormatWarning) when written.
"""
from __future__ import annotations

from fmfit.patch import Patch

from .common import (decode_name, encode_name, need, operator_registers, register_operator,
                     storable as _storable, warn_dropped)

NAME = "Gens KMod .y12"
EXTENSION = ".y12"
BANK = False
SIZE = 128
NAME_AT, DUMPER_AT, GAME_AT, FIELD = 0x50, 0x60, 0x70, 16
DUMPER = b"fmfit"


def storable(patch: Patch) -> Patch:
    return _storable(patch, lfo=False, name_bytes=FIELD)


def read(data: bytes) -> Patch:
    need(data, SIZE, "a Y12")
    slot_ops = [register_operator(data[16 * slot:16 * slot + 7]) for slot in range(4)]
    return Patch.from_slots(slot_ops, algorithm=data[0x40], feedback=data[0x41],
                            name=decode_name(data[NAME_AT:NAME_AT + FIELD]))


def write(patch: Patch) -> bytes:
    warn_dropped(patch, storable(patch), NAME)
    out = bytearray(SIZE)
    for slot, op in enumerate(patch.slot_operators()):
        out[16 * slot:16 * slot + 7] = operator_registers(op)
    out[0x40] = patch.algorithm
    out[0x41] = patch.feedback
    out[NAME_AT:NAME_AT + FIELD] = encode_name(patch.name, FIELD)
    out[DUMPER_AT:DUMPER_AT + FIELD] = DUMPER.ljust(FIELD, b"\0")
    return bytes(out)

"""VGM Music Maker instrument (.vgi): one FM patch in 43 bytes, no name.

Layout (formats.md "VGM Music Maker .vgi"; vgm2pre saveVGI, BambooTracker vgi_io.cpp):

    0: ALG   1: FB   2: AMS << 4 | FMS
    3 + 10*slot (slot order S1,S3,S2,S4):
        MUL DT TL RS AR (AM << 7 | DR) SR(D2R) RR SL SSG-EG
    DT is centre-3 (3 = none). OPN2BankEditor reads it as a raw register value; that is
    a bug (vgm2pre writes detune+3, BambooTracker and Furnace read centre-3).
"""
from __future__ import annotations

from fmfit.patch import Patch

from .common import (detune_from_centre3, detune_to_centre3, need, operator,
                     storable as _storable)

NAME = "VGM Music Maker .vgi"
EXTENSION = ".vgi"
BANK = False
SIZE = 43


def storable(patch: Patch) -> Patch:
    return _storable(patch, has_name=False)


def read(data: bytes) -> Patch:
    need(data, SIZE, "a VGI")
    slot_ops = []
    for slot in range(4):
        at = 3 + 10 * slot
        mul, dt, tl, rs, ar, am_dr, d2r, rr, sl, ssg = data[at:at + 10]
        slot_ops.append(operator(
            multiple=mul, detune=detune_from_centre3(dt), total_level=tl, attack_rate=ar,
            decay_rate=am_dr & 0x7F, am=am_dr >> 7, sustain_level=sl, sustain_rate=d2r,
            release_rate=rr, rate_scaling=rs, ssg_register=ssg))
    lfo = data[2]
    return Patch.from_slots(slot_ops, algorithm=data[0], feedback=data[1],
                            ams=lfo >> 4, fms=lfo & 0x0F)


def write(patch: Patch) -> bytes:
    out = bytearray([patch.algorithm, patch.feedback, patch.ams << 4 | patch.fms])
    for op in patch.slot_operators():
        out += bytes([
            op.multiple, detune_to_centre3(op.detune), op.total_level, op.rate_scaling,
            op.attack_rate, int(op.am) << 7 | op.decay_rate, op.sustain_rate,
            op.release_rate, op.sustain_level, op.ssg_register,
        ])
    return bytes(out)

"""TFM Music Maker instrument (.tfi): one FM patch in 42 bytes, no name, no LFO.

Layout (formats.md "TFM Music Maker .tfi"; OPN2BankEditor Specifications/tfi format.txt):

    0: ALG   1: FB
    2 + 10*slot (slot order S1,S3,S2,S4):
        MUL DT TL RS AR DR SR(D2R) RR SL SSG-EG
    DT is centre-3 (0..6, 3 = none); SSG-EG is the register nibble (0 or 8..15).

There is no AMS, FMS or AM: they read as 0/off and are dropped (with a FormatWarning)
when written. Bytes after the 42nd are ignored.
"""
from __future__ import annotations

from fmfit.patch import Patch

from .common import (detune_from_centre3, detune_to_centre3, need, operator,
                     storable as _storable, warn_dropped)

NAME = "TFM Music Maker .tfi"
EXTENSION = ".tfi"
BANK = False
SIZE = 42


def storable(patch: Patch) -> Patch:
    return _storable(patch, lfo=False, am=False, has_name=False)


def read(data: bytes) -> Patch:
    need(data, SIZE, "a TFI")
    slot_ops = []
    for slot in range(4):
        at = 2 + 10 * slot
        mul, dt, tl, rs, ar, dr, d2r, rr, sl, ssg = data[at:at + 10]
        slot_ops.append(operator(
            multiple=mul, detune=detune_from_centre3(dt), total_level=tl, attack_rate=ar,
            decay_rate=dr, sustain_level=sl, sustain_rate=d2r, release_rate=rr,
            rate_scaling=rs, am=False, ssg_register=ssg))
    return Patch.from_slots(slot_ops, algorithm=data[0], feedback=data[1])


def write(patch: Patch) -> bytes:
    warn_dropped(patch, storable(patch), NAME)
    out = bytearray([patch.algorithm, patch.feedback])
    for op in patch.slot_operators():
        out += bytes([
            op.multiple, detune_to_centre3(op.detune), op.total_level, op.rate_scaling,
            op.attack_rate, op.decay_rate, op.sustain_rate, op.release_rate,
            op.sustain_level, op.ssg_register,
        ])
    return bytes(out)

"""DefleMask preset (.dmp): one FM patch, no name.

Layout (formats.md "DefleMask .dmp"; OPN2BankEditor Specifications/DMP_SPECS.txt):

    version 11, 51 bytes:   0B SYSTEM MODE FMS FB ALG AMS   then operators at 7
    version 10, 50 bytes:   0A MODE FMS FB ALG AMS          then operators at 6
    versions 2-9, 51 bytes: VV MODE OPCOUNT FMS FB ALG AMS  then operators at 7
    versions 0-1, 49 bytes: VV OPFLAG FB ALG AMS (no FMS)   then operators at 5

    operator (11 bytes, slot order S1,S3,S2,S4):
        MULT TL AR DR(D1R) SL RR AM RS DT D2R SSG
    DT is centre-3 (3 = none; real files also hold 7, read as 0); SSG is the register
    nibble (enable << 3 | mode). MODE 1 = FM, 0 = STD (PSG macros).

We write version 11 for the Genesis: `0B 02 01 FMS FB ALG AMS` + 44 operator bytes.
Trailing bytes after the patch are ignored, as Furnace does.
"""
from __future__ import annotations

from fmfit.patch import Patch

from .common import (FormatError, detune_from_centre3, detune_to_centre3, need, operator,
                     storable as _storable)

NAME = "DefleMask .dmp"
EXTENSION = ".dmp"
BANK = False

#: SYSTEM byte values (version 11) whose FM instruments are OPN patches.
OPN_SYSTEMS = {0x02: "Genesis", 0x09: "Neo Geo (OPNB)"}
OTHER_SYSTEMS = {0x01: "YMU759", 0x03: "Master System", 0x04: "Game Boy", 0x05: "PC Engine",
                 0x06: "NES", 0x07: "C64", 0x08: "YM2151 (Arcade)", 0x17: "C64"}

OPERATOR_SIZE = 11


def storable(patch: Patch) -> Patch:
    return _storable(patch, has_name=False)


def _check_fm(mode: int) -> None:
    if mode != 1:
        raise FormatError(f"instrument mode {mode} is not FM (1); a STD/PSG instrument "
                          "holds no FM patch")


def read(data: bytes) -> Patch:
    if not data:
        raise FormatError("empty file")
    version = data[0]
    if version == 11:
        need(data, 51, "a v11 DMP")
        system = data[1]
        if system not in OPN_SYSTEMS:
            chip = OTHER_SYSTEMS.get(system, "unknown")
            raise FormatError(f"system 0x{system:02X} ({chip}) is not an OPN FM chip")
        _check_fm(data[2])
        fms, feedback, algorithm, ams = data[3:7]
        ops_at = 7
    elif version == 10:
        need(data, 50, "a v10 DMP")
        _check_fm(data[1])
        fms, feedback, algorithm, ams = data[2:6]
        ops_at = 6
    elif 2 <= version <= 9:
        need(data, 51, f"a v{version} DMP")
        _check_fm(data[1])                       # data[2] is the operator count: skipped
        fms, feedback, algorithm, ams = data[3:7]
        ops_at = 7
    elif version in (0, 1):
        need(data, 49, f"a v{version} DMP")
        feedback, algorithm, ams = data[2:5]     # data[1] is an operator flag; no FMS
        fms = 0
        ops_at = 5
    else:
        raise FormatError(f"unknown DMP version {version} (known: 0-11)")

    slot_ops = []
    for slot in range(4):
        at = ops_at + OPERATOR_SIZE * slot
        mul, tl, ar, dr, sl, rr, am, rs, dt, d2r, ssg = data[at:at + OPERATOR_SIZE]
        # DT's high nibble is YM2151 DT2; an OPN file leaves it 0.
        slot_ops.append(operator(
            multiple=mul, detune=detune_from_centre3(dt & 0x0F), total_level=tl,
            attack_rate=ar, decay_rate=dr, sustain_level=sl, sustain_rate=d2r,
            release_rate=rr, rate_scaling=rs, am=am, ssg_register=ssg))
    return Patch.from_slots(slot_ops, algorithm=algorithm, feedback=feedback, ams=ams, fms=fms)


def write(patch: Patch) -> bytes:
    out = bytearray([11, 0x02, 0x01, patch.fms, patch.feedback, patch.algorithm, patch.ams])
    for op in patch.slot_operators():
        out += bytes([
            op.multiple, op.total_level, op.attack_rate, op.decay_rate, op.sustain_level,
            op.release_rate, int(op.am), op.rate_scaling, detune_to_centre3(op.detune),
            op.sustain_rate, op.ssg_register,
        ])
    return bytes(out)

"""Furnace instrument (.fui): one FM patch, with a name.

Layouts (formats.md "Furnace .fui"; furnace papers/newIns.md, papers/oldIns.md,
src/engine/instrument.cpp readFeatureFM / readInsDataOld):

New "FINS" format (also the "FINB" variant, read the same way):
    "FINS" u16 version u16 type(1 = FM OPN; 33 = OPM)  then features until "EN" or the end
    feature: code[2] u16 length data
      NA: name, NUL-terminated UTF-8
      FM: [opEnable(bit4-7) | opCount] [ALG<<4|FB] [FMS2<<5|AMS<<3|FMS] [AMS2<<6|4op<<5|opll]
          [block, only if version >= 224]
          then per operator (8 bytes, slot order S1,S3,S2,S4):
          [KSR<<7|DT<<4|MULT] [SUS<<7|TL] [RS<<6|VIB<<5|AR] [AM<<7|KSL<<5|DR]
          [EGT<<7|KVS<<5|D2R] [SL<<4|RR] [DVB<<4|SSG] [DAM<<5|DT2<<3|WS]
    DT is centre-3. Macros ("MA", "O1".."O4") are not part of a patch and are skipped.

Old "-Furnace instr.-" format (before Furnace dev127): read only.
    magic[16] u16 version u16 reserved u32 pointer to the INST block
    "INST" u32 size u16 version u8 type u8 reserved  name(NUL-terminated)
    ALG FB FMS AMS opCount opllPreset reserved[2]
    4 x 32-byte operators (slot order): am ar dr mult rr sl tl dt2 rs dt d2r ssgEnv dam dvb
        egt ksl sus vib ws ksr enable(version >= 114) kvs reserved[10]

A disabled operator (Furnace mutes it) reads as total level 127.

We write FINS version 201 (before the FM block byte appeared): the header, an NA feature
and a 36-byte FM feature, all operators enabled, KVS 2 (auto).
"""
from __future__ import annotations

import struct

from fmfit.patch import Operator, Patch

from .common import (ByteReader, FormatError, decode_name, detune_from_centre3,
                     detune_to_centre3, fit_name, operator, storable as _storable)

NAME = "Furnace .fui"
EXTENSION = ".fui"
BANK = False
OLD_MAGIC = b"-Furnace instr.-"
NEW_MAGICS = (b"FINS", b"FINB")
WRITE_VERSION = 201
BLOCK_BYTE_VERSION = 224         # FM feature has a "block" byte from this version on
OP_ENABLE_VERSION = 114          # old format: operator "enabled" byte from this version on
TYPE_FM_OPN = 1
OTHER_TYPES = {0: "SN76489/standard", 13: "OPLL", 14: "OPL", 19: "OPZ", 32: "OPL drums",
               33: "OPM (YM2151)", 55: "ESFM"}
KVS_AUTO = 2
NAME_BYTES = 65534 - 1           # the NA feature length is a u16 and includes the NUL


def storable(patch: Patch) -> Patch:
    return _storable(patch, name_bytes=NAME_BYTES)


def _check_type(kind: int) -> None:
    if kind != TYPE_FM_OPN:
        what = OTHER_TYPES.get(kind, "not FM")
        raise FormatError(f"instrument type {kind} ({what}) is not an OPN FM instrument")


def _muted(op: Operator, enabled: bool) -> Operator:
    return op if enabled else op.replace(total_level=127)


def read(data: bytes) -> Patch:
    if data[:16] == OLD_MAGIC:
        return _read_old(data)
    if data[:4] in NEW_MAGICS:
        return _read_new(data)
    raise FormatError("not a Furnace instrument (no FINS or -Furnace instr.- magic)")


def _read_new(data: bytes) -> Patch:
    reader = ByteReader(data, 4, "a FINS header")
    version = reader.u16le()
    _check_type(reader.u16le())
    name, fm = "", None
    while reader.pos + 4 <= len(data):
        code = reader.take(2)
        if code == b"EN":
            break
        length = reader.u16le()
        reader.what = f"the {code!r} feature"
        body = reader.take(length)
        if code == b"NA":
            name = decode_name(body)
        elif code == b"FM":
            fm = body
    if fm is None:
        raise FormatError("no FM feature: the instrument holds no FM patch")
    return _parse_fm_feature(fm, version, name)


def _parse_fm_feature(fm: bytes, version: int, name: str) -> Patch:
    reader = ByteReader(fm, 0, "the FM feature")
    flags = reader.u8()
    op_count = flags & 0x0F
    if op_count != 4:
        raise FormatError(f"the FM feature has {op_count} operators, an OPN patch needs 4")
    alg_fb, lfo, _opll = reader.u8(), reader.u8(), reader.u8()
    if version >= BLOCK_BYTE_VERSION:
        reader.u8()                                   # block (fixed-frequency octave)
    slot_ops = []
    for slot in range(4):
        dt_mul, tl, rs_ar, am_dr, d2r, sl_rr, ssg, _dt2 = reader.take(8)
        op = operator(
            multiple=dt_mul & 15, detune=detune_from_centre3((dt_mul >> 4) & 7),
            total_level=tl & 0x7F, attack_rate=rs_ar & 31, rate_scaling=rs_ar >> 6,
            decay_rate=am_dr & 31, am=am_dr >> 7, sustain_rate=d2r & 31,
            sustain_level=sl_rr >> 4, release_rate=sl_rr & 15, ssg_register=ssg & 15)
        slot_ops.append(_muted(op, bool(flags & (0x10 << slot))))
    return Patch.from_slots(slot_ops, algorithm=(alg_fb >> 4) & 7, feedback=alg_fb & 7,
                            ams=(lfo >> 3) & 3, fms=lfo & 7, name=name)


def _read_old(data: bytes) -> Patch:
    header = ByteReader(data, 16, "a -Furnace instr.- header")
    header.u16le()                                    # format version
    header.u16le()                                    # reserved
    reader = ByteReader(data, 0, "the INST block")
    reader.seek(header.u32le())
    if reader.take(4) != b"INST":
        raise FormatError("the instrument pointer does not lead to an INST block")
    reader.u32le()                                    # block size
    version = reader.u16le()
    kind = reader.u8()
    reader.u8()
    _check_type(kind)
    name = decode_name(reader.cstring())
    algorithm, feedback, fms, ams, _op_count, _opll = reader.take(6)
    reader.take(2)
    slot_ops = []
    for _ in range(4):
        (am, ar, dr, mult, rr, sl, tl, _dt2, rs, dt, d2r, ssg, _dam, _dvb, _egt, _ksl,
         _sus, _vib, _ws, _ksr, enable, _kvs) = reader.take(22)
        reader.take(10)
        op = operator(
            multiple=mult, detune=detune_from_centre3(dt), total_level=tl, attack_rate=ar,
            decay_rate=dr, sustain_level=sl, sustain_rate=d2r, release_rate=rr,
            rate_scaling=rs, am=am, ssg_register=ssg)
        slot_ops.append(_muted(op, enable != 0 or version < OP_ENABLE_VERSION))
    return Patch.from_slots(slot_ops, algorithm=algorithm, feedback=feedback, ams=ams,
                            fms=fms, name=name)


def write(patch: Patch) -> bytes:
    name = fit_name(patch.name, NAME_BYTES).encode("utf-8") + b"\0"
    fm = bytearray([
        0xF0 | 4,                                     # all four operators on, 4 operators
        patch.algorithm << 4 | patch.feedback,
        patch.ams << 3 | patch.fms,
        0x20,                                         # 4-op instrument, no OPLL preset
    ])
    for op in patch.slot_operators():
        fm += bytes([
            detune_to_centre3(op.detune) << 4 | op.multiple,
            op.total_level,
            op.rate_scaling << 6 | op.attack_rate,
            int(op.am) << 7 | op.decay_rate,
            KVS_AUTO << 5 | op.sustain_rate,
            op.sustain_level << 4 | op.release_rate,
            op.ssg_register,
            0,
        ])
    return (b"FINS" + struct.pack("<HH", WRITE_VERSION, TYPE_FM_OPN)
            + b"NA" + struct.pack("<H", len(name)) + name
            + b"FM" + struct.pack("<H", len(fm)) + bytes(fm))

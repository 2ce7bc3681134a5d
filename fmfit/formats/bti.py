"""BambooTracker instrument (.bti): one FM patch, with a name.

Layout (formats.md "BambooTracker .bti"; BambooTracker data/specs/inst_specs_v1.5.1.md
and archives/inst_specs_v1.5.0.md, io/bti_io.cpp), little-endian:

    "BambooTrackerIst" u32 EOF offset (= file length - 16: relative to this field; the
        spec text says -18, real files and BambooTracker's writer give -16)
        u32 BCD version (we write 0x00010501)
    "INSTRMNT" u32 size (counted from this size field) u32 name length, name (UTF-8)
        u8 type (0 = FM) u8 envelope-reset flags, 10 arpeggio/pitch numbers (0x80 = none)
    "INSTPROP" u32 size (counted from this size field), then subsections:
        u8 id, then for id 0x00/0x01 a u8 size, otherwise (sequences) a u16 size, both
        counted from the size field itself
        0x00 FM envelope: [AL<<4|FB] then 4 x 6 bytes in LOGICAL order OP1..OP4:
             [enable<<5|AR] [KS<<5|DR] [DT<<5|SR] [SL<<4|RR] [TL] [SSG<<4|ML]
             DT is the raw register value; SSG nibble 8 = off, 0-7 = mode.
        0x01 FM LFO: [freq<<4|PMS(FMS)] [AM OP4..OP1 (bits 7..4) | AMS] [start count]

This is the one format that stores operators in logical order, not slot order.
A disabled operator reads as total level 127 (as OPN2 Bank Editor does). Without an LFO
subsection the patch has AMS/FMS 0 and no AM; we write one only when the patch uses it,
with LFO frequency 0 and start count 0.
"""
from __future__ import annotations

import struct

from fmfit.patch import Operator, Patch

from .common import ByteReader, FormatError, decode_name, fit_name, storable as _storable

NAME = "BambooTracker .bti"
EXTENSION = ".bti"
BANK = False
MAGIC = b"BambooTrackerIst"
WRITE_VERSION = 0x00010501
TYPE_FM = 0x00
TYPES = {0: "FM", 1: "SSG", 2: "ADPCM", 3: "drumkit"}
ENVELOPE, LFO, ADPCM_SAMPLE = 0x00, 0x01, 0x40
ENVELOPE_BODY = 1 + 4 * 6
LFO_BODY = 3
NO_SEQUENCE = 0x80
SSG_OFF = 8


def storable(patch: Patch) -> Patch:
    return _storable(patch)


def parse_envelope(body: bytes) -> tuple[int, int, list[Operator]]:
    """(algorithm, feedback, operators OP1..OP4) from an FM envelope body."""
    if len(body) < ENVELOPE_BODY:
        raise FormatError(f"truncated FM envelope: {len(body)} bytes, needs {ENVELOPE_BODY}")
    ops = []
    for i in range(4):
        en_ar, ks_dr, dt_sr, sl_rr, tl, ssg_ml = body[1 + 6 * i:7 + 6 * i]
        ssg = ssg_ml >> 4
        ops.append(Operator(
            attack_rate=en_ar & 31, decay_rate=ks_dr & 31, rate_scaling=(ks_dr >> 5) & 3,
            sustain_rate=dt_sr & 31, detune=Operator.detune_from_register(dt_sr >> 5),
            sustain_level=sl_rr >> 4, release_rate=sl_rr & 15,
            total_level=tl & 0x7F if en_ar & 0x20 else 127,
            multiple=ssg_ml & 15, ssg_eg=ssg if ssg < SSG_OFF else None))
    return (body[0] >> 4) & 7, body[0] & 7, ops


def apply_lfo(ops: list[Operator], body: bytes) -> tuple[int, int, list[Operator]]:
    """(ams, fms, operators with their AM bits) from an FM LFO body."""
    if len(body) < 2:
        raise FormatError(f"truncated FM LFO: {len(body)} bytes, needs {LFO_BODY}")
    fms, am_ams = body[0] & 0x0F, body[1]
    ops = [op.replace(am=bool((am_ams >> (4 + i)) & 1)) for i, op in enumerate(ops)]
    return am_ams & 0x0F, fms, ops


def read_sized(reader: ByteReader, kind: int) -> bytes:
    """The body of a property block of type `kind`: a u8 size for the FM envelope and
    LFO, u32 for an ADPCM sample, u16 for sequences; each size counts its own field."""
    if kind in (ENVELOPE, LFO):
        size, width = reader.u8(), 1
    elif kind == ADPCM_SAMPLE:
        size, width = reader.u32le(), 4
    else:
        size, width = reader.u16le(), 2
    if size < width:
        raise FormatError(f"property 0x{kind:02X} has size {size}")
    return reader.take(size - width)


def read(data: bytes) -> Patch:
    if data[:16] != MAGIC:
        raise FormatError("not a BambooTracker instrument (no BambooTrackerIst magic)")
    reader = ByteReader(data, 24, "the INSTRMNT section")
    if reader.take(8) != b"INSTRMNT":
        raise FormatError("no INSTRMNT section")
    section_end = reader.pos + reader.u32le()
    name = decode_name(reader.take(reader.u32le()))
    kind = reader.u8()
    if kind != TYPE_FM:
        raise FormatError(f"a {TYPES.get(kind, f'type {kind}')} instrument, not FM")
    reader.seek(section_end)
    reader.what = "the INSTPROP section"
    if reader.take(8) != b"INSTPROP":
        raise FormatError("no INSTPROP section")
    props_end = reader.pos + reader.u32le()
    envelope = lfo = None
    while reader.pos < props_end:
        kind = reader.u8()
        body = read_sized(reader, kind)
        if kind == ENVELOPE:
            envelope = body
        elif kind == LFO:
            lfo = body
    if envelope is None:
        raise FormatError("no FM envelope property")
    algorithm, feedback, ops = parse_envelope(envelope)
    ams = fms = 0
    if lfo is not None:
        ams, fms, ops = apply_lfo(ops, lfo)
    return Patch(algorithm=algorithm, feedback=feedback, operators=tuple(ops), ams=ams,
                 fms=fms, name=name)


def _section(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("<I", 4 + len(body)) + body


def write(patch: Patch) -> bytes:
    name = fit_name(patch.name, None).encode("utf-8")
    instrument = (struct.pack("<I", len(name)) + name
                  + bytes([TYPE_FM, 0x01])       # envelope reset for all operators (default)
                  + bytes([NO_SEQUENCE] * 10))
    envelope = bytearray([patch.algorithm << 4 | patch.feedback])
    for op in patch.operators:
        envelope += bytes([
            0x20 | op.attack_rate,
            op.rate_scaling << 5 | op.decay_rate,
            op.detune_register << 5 | op.sustain_rate,
            op.sustain_level << 4 | op.release_rate,
            op.total_level,
            (SSG_OFF if op.ssg_eg is None else op.ssg_eg) << 4 | op.multiple,
        ])
    properties = bytes([ENVELOPE, 1 + len(envelope)]) + envelope
    if patch.uses_lfo or any(op.am for op in patch.operators):
        am_bits = sum(int(op.am) << (4 + i) for i, op in enumerate(patch.operators))
        properties += bytes([LFO, 1 + LFO_BODY, patch.fms, am_bits | patch.ams, 0])
    body = (struct.pack("<I", WRITE_VERSION) + _section(b"INSTRMNT", instrument)
            + _section(b"INSTPROP", properties))
    return MAGIC + struct.pack("<I", 4 + len(body)) + body

"""BambooTracker bank (.btb): many instruments; its FM ones are read (read only).

Layout (BambooTracker data/specs/bank_specs_v1.3.1.md and archives/bank_specs_v1.3.0.md,
io/btb_io.cpp; checked against the corpus banks of versions 1.0.0 to 1.1.0):

    "BambooTrackerBnk" u32 EOF offset (file length - 16) u32 BCD version
    "INSTRMNT" u32 size (from this field) u8 instrument count, then per instrument:
        u8 index  u32 size (from this field)  u32 name length  name (UTF-8)  u8 type
        FM (type 0): u8 envelope number, u8 LFO number (bit 7 set = no LFO), then
        sequence numbers we do not need (the size field lets us skip them)
    "INSTPROP" u32 size (from this field), then subsections:
        u8 id  u8 block count, then blocks: u8 index and the block as in a .bti
        (0x00 FM envelope and 0x01 FM LFO have a u8 size, 0x40 ADPCM samples a u32,
        sequences a u16, each counted from the size field)

An instrument uses the envelope block with its envelope number and, when its LFO number
has bit 7 clear, the LFO block with that number. The FM envelope and LFO bodies are those
of a .bti (see bti.py: logical operator order, raw DT, SSG nibble 8 = off).
SSG, ADPCM and drumkit instruments are skipped; a bank without FM instruments is an error.
"""
from __future__ import annotations

from fmfit.patch import Patch

from .bti import ENVELOPE, LFO, TYPE_FM, apply_lfo, parse_envelope, read_sized
from .common import ByteReader, FormatError, decode_name

NAME = "BambooTracker .btb"
EXTENSION = ".btb"
BANK = True
MAGIC = b"BambooTrackerBnk"
NO_LFO = 0x80


def storable(patch: Patch) -> Patch:
    return patch


def read(data: bytes) -> list[Patch]:
    if data[:16] != MAGIC:
        raise FormatError("not a BambooTracker bank (no BambooTrackerBnk magic)")
    reader = ByteReader(data, 24, "the INSTRMNT section")
    if reader.take(8) != b"INSTRMNT":
        raise FormatError("no INSTRMNT section")
    section_end = reader.pos + reader.u32le()
    instruments = []                               # (name, envelope number, LFO number)
    for _ in range(reader.u8()):
        reader.u8()                                # instrument index
        end = reader.pos + reader.u32le()
        name = decode_name(reader.take(reader.u32le()))
        if reader.u8() == TYPE_FM:
            envelope, lfo = reader.take(2)
            instruments.append((name, envelope, lfo))
        reader.seek(end)
    reader.seek(section_end)

    reader.what = "the INSTPROP section"
    if reader.take(8) != b"INSTPROP":
        raise FormatError("no INSTPROP section")
    props_end = reader.pos + reader.u32le()
    envelopes: dict[int, bytes] = {}
    lfos: dict[int, bytes] = {}
    while reader.pos < props_end:
        kind = reader.u8()
        for _ in range(reader.u8()):
            index = reader.u8()
            body = read_sized(reader, kind)
            if kind == ENVELOPE:
                envelopes[index] = body
            elif kind == LFO:
                lfos[index] = body

    patches = []
    for name, envelope, lfo in instruments:
        if envelope not in envelopes:
            raise FormatError(f"instrument {name!r} uses FM envelope {envelope}, "
                              "which the bank does not hold")
        algorithm, feedback, ops = parse_envelope(envelopes[envelope])
        ams = fms = 0
        if not lfo & NO_LFO:
            if lfo not in lfos:
                raise FormatError(f"instrument {name!r} uses FM LFO {lfo}, "
                                  "which the bank does not hold")
            ams, fms, ops = apply_lfo(ops, lfos[lfo])
        patches.append(Patch(algorithm=algorithm, feedback=feedback, operators=tuple(ops),
                             ams=ams, fms=fms, name=name))
    if not patches:
        raise FormatError("the bank holds no FM instruments (only SSG/ADPCM/drumkit)")
    return patches

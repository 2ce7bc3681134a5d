"""Pieces every format module shares: the two exceptions, bounds-checked byte reading,
the "centre-3" detune code, instrument names, and "what a format can hold".

Byte layouts and the two detune encodings are described in shared/docs/formats.md.
"""
from __future__ import annotations

import struct
import warnings

from fmfit.patch import Operator, Patch


class FormatError(Exception):
    """A file is not a readable OPN FM patch (or cannot be written in the asked format).

    The message names the file and the problem, e.g.
    "bass.dmp: truncated: 40 bytes, a v11 DMP needs 51".
    """


class FormatWarning(UserWarning):
    """Something the format cannot hold was dropped while writing."""


# -- reading bytes -------------------------------------------------------------------------

def need(data: bytes, size: int, what: str) -> None:
    """Raise a FormatError unless `data` holds at least `size` bytes."""
    if len(data) < size:
        raise FormatError(f"truncated: {len(data)} bytes, {what} needs {size}")


class ByteReader:
    """A cursor over bytes whose every read is bounds-checked (FormatError on overrun)."""

    def __init__(self, data: bytes, pos: int = 0, what: str = "the file"):
        self.data = data
        self.pos = pos
        self.what = what

    def take(self, count: int) -> bytes:
        if count < 0 or self.pos + count > len(self.data):
            raise FormatError(f"truncated: {self.what} needs {self.pos + count} bytes, "
                              f"the file has {len(self.data)}")
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16le(self) -> int:
        return struct.unpack("<H", self.take(2))[0]

    def u16be(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def u32le(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def cstring(self) -> bytes:
        """Bytes up to a NUL (the NUL is consumed, not returned)."""
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise FormatError(f"truncated: a string in {self.what} has no end")
        text = self.data[self.pos:end]
        self.pos = end + 1
        return text

    def seek(self, pos: int) -> None:
        if not 0 <= pos <= len(self.data):
            raise FormatError(f"{self.what} points to byte {pos}, past the end "
                              f"({len(self.data)} bytes)")
        self.pos = pos


# -- detune -----------------------------------------------------------------------------------

def detune_from_centre3(value: int) -> int:
    """DT as TFI, DMP, VGI and Furnace store it (0..6, 3 = none) -> detune -3..+3.

    7 is not a centre-3 value, but real DefleMask files hold it; like Furnace's table
    (7 -> register 4, i.e. "-0") we read it as no detune.
    """
    if value == 7:
        return 0
    if not 0 <= value <= 6:
        raise FormatError(f"detune {value} is out of range (0..6, 3 = none)")
    return value - 3


def detune_to_centre3(detune: int) -> int:
    return detune + 3


# -- names ------------------------------------------------------------------------------------

def decode_name(raw: bytes) -> str:
    """A stored name: up to the first NUL, UTF-8 if it is valid else Latin-1."""
    raw = raw.split(b"\0", 1)[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text


def fit_name(name: str, max_bytes: int | None) -> str:
    """`name` as a field of `max_bytes` UTF-8 bytes will give it back (None = no limit)."""
    name = name.split("\0", 1)[0]
    if max_bytes is not None:
        name = name.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
    return name


def encode_name(name: str, size: int) -> bytes:
    """A name in a fixed field of `size` bytes, NUL-padded (cut at a character boundary)."""
    return fit_name(name, size).encode("utf-8").ljust(size, b"\0")


# -- what a format can hold -------------------------------------------------------------------

def storable(patch: Patch, *, lfo: bool = True, am: bool = True,
             name_bytes: int | None = None, has_name: bool = True) -> Patch:
    """The patch as a format will give it back.

    lfo=False: the format has no AMS/FMS; am=False: no per-operator AM bit;
    has_name=False: no name field; name_bytes: the name field's size in bytes.
    """
    ops = patch.operators if am else tuple(op.replace(am=False) for op in patch.operators)
    return patch.replace(
        operators=ops,
        ams=patch.ams if lfo else 0,
        fms=patch.fms if lfo else 0,
        name=fit_name(patch.name, name_bytes) if has_name else "",
    )


def warn_dropped(patch: Patch, stored: Patch, format_name: str) -> None:
    """Warn (FormatWarning) about every sound field the format could not hold."""
    lost = []
    if patch.ams != stored.ams:
        lost.append(f"AMS {patch.ams}")
    if patch.fms != stored.fms:
        lost.append(f"FMS {patch.fms}")
    for i, (op, kept) in enumerate(zip(patch.operators, stored.operators)):
        if op.am != kept.am:
            lost.append(f"AM on OP{i + 1}")
    if lost:
        warnings.warn(f"{format_name} cannot hold {', '.join(lost)}: dropped",
                      FormatWarning, stacklevel=4)


def operator(multiple: int, detune: int, total_level: int, attack_rate: int,
             decay_rate: int, sustain_level: int, sustain_rate: int, release_rate: int,
             rate_scaling: int, am: int | bool, ssg_register: int) -> Operator:
    """An Operator from file values; SSG-EG as the register nibble (bit 3 = on)."""
    if not 0 <= ssg_register <= 15:
        raise FormatError(f"SSG-EG {ssg_register} is out of range (0..15)")
    return Operator(
        multiple=multiple, detune=detune, total_level=total_level, attack_rate=attack_rate,
        decay_rate=decay_rate, sustain_level=sustain_level, sustain_rate=sustain_rate,
        release_rate=release_rate, rate_scaling=rate_scaling, am=am,
        ssg_eg=Operator.ssg_from_register(ssg_register))


def register_operator(regs: bytes) -> Operator:
    """An Operator from the 7 raw register bytes 0x30..0x90 (Y12, OPNI/WOPN)."""
    dt_mul, tl, rs_ar, am_d1r, d2r, sl_rr, ssg = regs
    return Operator(
        multiple=dt_mul & 15, detune=Operator.detune_from_register(dt_mul >> 4),
        total_level=tl & 0x7F, attack_rate=rs_ar & 31, rate_scaling=rs_ar >> 6,
        decay_rate=am_d1r & 31, am=bool(am_d1r >> 7), sustain_rate=d2r & 31,
        sustain_level=sl_rr >> 4, release_rate=sl_rr & 15,
        ssg_eg=Operator.ssg_from_register(ssg & 15))


def operator_registers(op: Operator) -> bytes:
    """The 7 raw register bytes 0x30..0x90 of an operator."""
    return bytes([
        op.detune_register << 4 | op.multiple,
        op.total_level,
        op.rate_scaling << 6 | op.attack_rate,
        int(op.am) << 7 | op.decay_rate,
        op.sustain_rate,
        op.sustain_level << 4 | op.release_rate,
        op.ssg_register,
    ])

"""A patch as plain numbers: the emulator's input vector, and the register writes it means.

The vector holds register field values (DT in its register encoding, SSG-EG as the
register nibble) so that mapping it onto the chip is a pure bit-packing step.
Operators are in logical order O1..O4.
"""
import numpy as np

# Channel fields.
ALGORITHM, FEEDBACK, AMS, FMS, LFO = 0, 1, 2, 3, 4
#: LFO field: bit 3 enable, bits 2-0 rate (the value of register 0x22).
LFO_ENABLE = 0x08

# Operator fields, relative to op_base(op).
(MULTIPLE, DETUNE, TOTAL_LEVEL, ATTACK_RATE, DECAY_RATE, SUSTAIN_LEVEL,
 SUSTAIN_RATE, RELEASE_RATE, RATE_SCALING, AM, SSG_EG) = range(11)
OP_FIELDS = 11
CHANNEL_FIELDS = 8
SIZE = CHANNEL_FIELDS + 4 * OP_FIELDS

#: Upper bound of every field, by index (lower bound is 0).
MAXIMA = np.array([7, 7, 3, 7, 15, 0, 0, 0] + [15, 7, 127, 31, 31, 15, 31, 15, 3, 1, 15] * 4, np.int32)

#: Register offset of logical operator O1..O4 within a channel (slot order S1,S3,S2,S4).
OP_OFFSET = np.array([0x0, 0x8, 0x4, 0xC], np.int64)


def op_base(op: int) -> int:
    return CHANNEL_FIELDS + op * OP_FIELDS


def patch_register_writes(v, channel: int = 0) -> list[tuple[int, int]]:
    """The (address, data) writes that load vector `v` into `channel` (0-5), LFO included.

    Addresses 0x100-0x1FF are bank 1 (channels 3-5). No frequency and no key-on.
    """
    v = [int(x) for x in v]
    bank, ch = divmod(channel, 3)
    base = 0x100 * bank + ch
    writes = [(0x22, v[LFO] & 0x0F)]
    for op in range(4):
        b = op_base(op)
        o = base + int(OP_OFFSET[op])
        writes += [
            (0x30 + o, (v[b + DETUNE] & 7) << 4 | v[b + MULTIPLE]),
            (0x40 + o, v[b + TOTAL_LEVEL]),
            (0x50 + o, v[b + RATE_SCALING] << 6 | v[b + ATTACK_RATE]),
            (0x60 + o, v[b + AM] << 7 | v[b + DECAY_RATE]),
            (0x70 + o, v[b + SUSTAIN_RATE]),
            (0x80 + o, v[b + SUSTAIN_LEVEL] << 4 | v[b + RELEASE_RATE]),
            (0x90 + o, v[b + SSG_EG]),
        ]
    writes += [(0xB0 + base, v[FEEDBACK] << 3 | v[ALGORITHM]),
               (0xB4 + base, 0xC0 | v[AMS] << 4 | v[FMS])]
    return writes


def frequency_writes(block: int, fnum: int, channel: int = 0) -> list[tuple[int, int]]:
    """A4 must come before A0: ymfm commits the pair on the A0 write only."""
    bank, ch = divmod(channel, 3)
    base = 0x100 * bank + ch
    return [(0xA4 + base, (block & 7) << 3 | (fnum >> 8) & 7), (0xA0 + base, fnum & 0xFF)]


def key_write(on: bool, channel: int = 0) -> tuple[int, int]:
    """Register 0x28: operator key bits 7-4 (O4,O3,O2,O1), channel code ch%3 | bank<<2."""
    return (0x28, (0xF0 if on else 0x00) | (channel % 3) | (channel // 3) << 2)

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


def op_fields(op: int) -> slice:
    """Where operator `op`'s fields lie in the vector."""
    return slice(op_base(op), op_base(op) + OP_FIELDS)

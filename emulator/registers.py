"""The YM2612 register map for one channel, read through named accessors.

The engine models channel 1 (index 0) of bank 0, plus the global registers it hears.
Every field is read here and nowhere else, as ymfm's opn_registers does.

    Global (bank 0 only)
         System-wide registers:
           22 ----x--- LFO enable
              -----xxx LFO rate
           28 x------- Key on/off operator 4
              -x------ Key on/off operator 3
              --x----- Key on/off operator 2
              ---x---- Key on/off operator 1
              ------xx Channel select (3 is invalid); bit 2 selects bank 1

    Per operator (addr + OP_OFFSET[op]; slots +0,+4,+8,+C are O1,O3,O2,O4):
           30 -xxx---- Detune (DT)
              ----xxxx Multiple (MUL)
           40 -xxxxxxx Total level (TL)
           50 xx------ Key scale rate (KS / RS)
              ---xxxxx Attack rate (AR)
           60 x------- LFO AM enable
              ---xxxxx Decay rate (D1R / DR)
           70 ---xxxxx Sustain rate (D2R / SR)
           80 xxxx---- Sustain level (D1L / SL)
              ----xxxx Release rate (RR)
           90 ----x--- SSG-EG enable
              -----xxx SSG-EG mode

    Per channel:
        A0,A4 --xxx--- Block (A4)
              -----xxx Frequency number upper 3 bits (A4)
              xxxxxxxx Frequency number lower 8 bits (A0)
           B0 --xxx--- Feedback
              -----xxx Algorithm
           B4 x------- Pan left
              -x------ Pan right
              --xx---- LFO AM sensitivity (AMS)
              -----xxx LFO PM sensitivity (PMS / FMS)
"""
from numba import njit

from .params import OP_OFFSET

# The register file: 256 bytes of bank 0, plus the two frequency latches kept after it.
REGISTER_FILE_SIZE = 0x102
LATCH_A4 = 0x100   # upper frequency byte written to A4-A6, waiting for A0-A2
LATCH_AC = 0x101   # the same for the channel 3 special-mode pair AC-AE / A8-AA
LATCH_VALID = 0x100


@njit(cache=True, inline="always")
def lfo_enable(regs):
    return (regs[0x22] >> 3) & 1


@njit(cache=True, inline="always")
def lfo_rate(regs):
    return regs[0x22] & 7


@njit(cache=True, inline="always")
def ch_block_freq(regs):
    """Block in bits 13-11, fnum in bits 10-0."""
    return (regs[0xA4] & 0x3F) << 8 | regs[0xA0]


@njit(cache=True, inline="always")
def ch_feedback(regs):
    return (regs[0xB0] >> 3) & 7


@njit(cache=True, inline="always")
def ch_algorithm(regs):
    return regs[0xB0] & 7


@njit(cache=True, inline="always")
def ch_output_any(regs):
    return (regs[0xB4] >> 6) & 3


@njit(cache=True, inline="always")
def ch_lfo_am_sens(regs):
    return (regs[0xB4] >> 4) & 3


@njit(cache=True, inline="always")
def ch_lfo_pm_sens(regs):
    return regs[0xB4] & 7


@njit(cache=True, inline="always")
def op_detune(regs, op):
    return (regs[0x30 + OP_OFFSET[op]] >> 4) & 7


@njit(cache=True, inline="always")
def op_multiple(regs, op):
    return regs[0x30 + OP_OFFSET[op]] & 0x0F


@njit(cache=True, inline="always")
def op_total_level(regs, op):
    return regs[0x40 + OP_OFFSET[op]] & 0x7F


@njit(cache=True, inline="always")
def op_ksr(regs, op):
    return (regs[0x50 + OP_OFFSET[op]] >> 6) & 3


@njit(cache=True, inline="always")
def op_attack_rate(regs, op):
    return regs[0x50 + OP_OFFSET[op]] & 0x1F


@njit(cache=True, inline="always")
def op_lfo_am_enable(regs, op):
    return (regs[0x60 + OP_OFFSET[op]] >> 7) & 1


@njit(cache=True, inline="always")
def op_decay_rate(regs, op):
    return regs[0x60 + OP_OFFSET[op]] & 0x1F


@njit(cache=True, inline="always")
def op_sustain_rate(regs, op):
    return regs[0x70 + OP_OFFSET[op]] & 0x1F


@njit(cache=True, inline="always")
def op_sustain_level(regs, op):
    return (regs[0x80 + OP_OFFSET[op]] >> 4) & 0x0F


@njit(cache=True, inline="always")
def op_release_rate(regs, op):
    return regs[0x80 + OP_OFFSET[op]] & 0x0F


@njit(cache=True, inline="always")
def op_ssg_eg_enable(regs, op):
    return (regs[0x90 + OP_OFFSET[op]] >> 3) & 1


@njit(cache=True, inline="always")
def op_ssg_eg_mode(regs, op):
    return regs[0x90 + OP_OFFSET[op]] & 7


@njit(cache=True)
def write(regs, keyon_live, address, data):
    """Apply one register write, as ymfm does, to channel 1's view of the chip.

    Writes for other channels (bank 1, or other channel slots) land in the register
    file but are never read. Returns nothing; key-on changes are latched in
    `keyon_live` and take effect at the next sample's prepare step.
    """
    if address >= 0x100:
        return
    data &= 0xFF
    if address == 0x28:
        # channel code 0 with bank bit clear is channel 1; bits 7-4 are O4,O3,O2,O1
        if (data & 7) == 0:
            for op in range(4):
                keyon_live[op] = (data >> (4 + op)) & 1
        return
    if 0xA0 <= address <= 0xAF and (address & 3) != 3:
        # ymfm latches the upper byte and commits the pair on the lower write only:
        # a lone A0 write is ignored (on hardware the latch persists instead).
        latch = LATCH_AC if address & 8 else LATCH_A4
        if address & 4:
            regs[latch] = LATCH_VALID | data
        elif regs[latch] & LATCH_VALID:
            regs[address] = data
            regs[address | 4] = regs[latch] & 0x3F
            regs[latch] = 0
        return
    regs[address] = data

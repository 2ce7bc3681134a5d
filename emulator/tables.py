"""The chip's lookup tables.

The log-sine and exponential tables are ROMs on the die; the formulas below reproduce
every entry (docs/ym2612.md §6). The detune and envelope increment tables are kept as
data, the way the die holds them; tests check them against the published formulas.
"""
import numpy as np

#: Quarter-wave log-sine, 4.8 fixed point attenuation: -log2(sin) * 256.
LOGSIN = np.round(-np.log2(np.sin((np.arange(256) + 0.5) * np.pi / 512)) * 256).astype(np.int64)

#: 2^(i/256) mantissa, 10 bits.
EXP = np.round((2.0 ** (np.arange(256) / 256) - 1) * 1024).astype(np.int64)

#: Attenuation fraction -> 13-bit magnitude before the integer shift (ymfm's power table).
POWER = ((EXP[::-1] | 0x400) << 2).astype(np.int64)

#: Detune in phase-step units by [DT & 3][keycode]; DT bit 2 negates (DT 4 is -0).
DETUNE = np.array([
    [0] * 32,
    [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 8, 8, 8, 8],
    [1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 8, 8, 9, 10, 11, 12, 13, 14, 16, 16, 16, 16],
    [2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 8, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 20, 22, 22, 22, 22],
], np.int64)

# Envelope increments by 6-bit rate: 8 nibbles, the one for step idx in nibble idx.
_INC_PACKED = (
    [0x00000000, 0x00000000, 0x10101010, 0x10101010, 0x10101010, 0x10101010, 0x11101110, 0x11101110]
    + [0x10101010, 0x10111010, 0x11101110, 0x11111110] * 10
    + [0x11111111, 0x21112111, 0x21212121, 0x22212221,
       0x22222222, 0x42224222, 0x42424242, 0x44424442,
       0x44444444, 0x84448444, 0x84848484, 0x88848884]
    + [0x88888888] * 4
)
#: INCREMENT[rate, idx]: attenuation step on the idx-th of 8 rate ticks.
INCREMENT = np.array([[(packed >> (4 * i)) & 0xF for i in range(8)] for packed in _INC_PACKED], np.int64)

#: Keycode low bits from fnum bits 10-7 (F11 and the "magic" bit of the manual).
NOTE_BITS = np.array([0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3], np.int64)

#: LFO divider per rate: the LFO steps when the sub-counter reaches this value.
LFO_MAX_COUNT = np.array([109, 78, 72, 68, 63, 45, 9, 6], np.int64)

#: Two shifts (low nibble, high nibble) applied to fnum's top 7 bits per PMS and |pm|;
#: a shift of 7 clears the 7-bit value, so 0x77 means "no adjustment".
LFO_PM_SHIFTS = np.array([
    [0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77],
    [0x77, 0x77, 0x77, 0x77, 0x72, 0x72, 0x72, 0x72],
    [0x77, 0x77, 0x77, 0x72, 0x72, 0x72, 0x17, 0x17],
    [0x77, 0x77, 0x72, 0x72, 0x17, 0x17, 0x12, 0x12],
    [0x77, 0x77, 0x72, 0x17, 0x17, 0x17, 0x12, 0x07],
    [0x77, 0x77, 0x17, 0x12, 0x07, 0x07, 0x02, 0x01],
    [0x77, 0x77, 0x17, 0x12, 0x07, 0x07, 0x02, 0x01],
    [0x77, 0x77, 0x17, 0x12, 0x07, 0x07, 0x02, 0x01],
], np.int64)

#: AM sensitivity 0-3 -> right shift of the 7-bit AM value (0 / 1.4 / 5.9 / 11.8 dB).
AM_SHIFT = np.array([7, 3, 1, 0], np.int64)

# --- Derived tables for the engine's inner loop (the same ROMs, re-indexed) -------------
# One operator's output is WAVE[LOGSIN_SIGNED[p] + (attenuation << 2)] for a 10-bit phase p:
# two lookups, no branch. ymfm's two mirrorings are folded into the tables.

#: Log-sine over the whole 10-bit phase: the second quarter mirrors the first
#: (p & 0x100), and the second half (p & 0x200) sets bit 13, the sign, which no
#: attenuation sum reaches (0x859 + 0xFFC < 0x2000).
_P = np.arange(1024)
LOGSIN_SIGNED = (LOGSIN[np.where(_P & 0x100, (_P & 0xFF) ^ 0xFF, _P & 0xFF)]
                 | ((_P & 0x200) << 4)).astype(np.int32)
SIGN_BIT = 0x2000

#: Signed 14-bit output by 4.8 attenuation a (bit 13 = sign): POWER[a & 0xFF] >> (a >> 8),
#: negated for the second half-wave. Every a >= 13 << 8 gives 0 (POWER < 2^13).
_A = np.arange(2 * SIGN_BIT) & (SIGN_BIT - 1)
WAVE = np.where(np.arange(2 * SIGN_BIT) & SIGN_BIT, -1, 1) * (POWER[_A & 0xFF] >> np.minimum(_A >> 8, 31))
WAVE = WAVE.astype(np.int16)
del _P, _A

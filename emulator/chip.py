"""One YM2612 channel, sample by sample, bit-exact with ymfm (docs/ym2612.md).

A sample is one `clock` of the chip followed by its output, in ymfm's order:
prepare (apply register writes and key changes), envelope counter, LFO,
feedback memory, then per operator SSG-EG, envelope and phase; the output is
computed from the state after that step.
"""
import numpy as np
from numba import njit

from . import registers as R
from .tables import (AM_SHIFT, DETUNE, INCREMENT, LFO_MAX_COUNT, LFO_PM_SHIFTS, LOGSIN_SIGNED, NOTE_BITS,
                     SIGN_BIT, WAVE)

# --- YM2612 traits (what differs between ymfm's chips is named, not scattered) ----------
CLOCK = 7_670_453                    # NTSC master clock
SAMPLE_RATE = CLOCK // (6 * 24)      # 53,267 Hz: 24 operator slots of 6 clocks per sample
EG_CLOCK_DIVIDER = 3                 # the envelope ticks every third sample
OUTPUT_SHIFT = 5                     # 14-bit operator output -> the 9-bit DAC
CLIP_MIN, CLIP_MAX = -257, 256       # ymfm clamps the channel sum one wider than 9 bits
EG_QUIET = 0x380                     # above this raw attenuation an operator outputs 0
MODULATOR_DELAY = False              # ymfm uses this sample's modulators (Nuked delays some)

# Envelope states.
EG_ATTACK, EG_DECAY, EG_SUSTAIN, EG_RELEASE = 0, 1, 2, 3


@njit(cache=True, inline="always")
def effective_rate(raw_rate, ksr):
    # a raw rate of 0 stays 0 whatever the key scaling: the envelope stops
    return 0 if raw_rate == 0 else min(raw_rate + ksr, 63)


@njit(cache=True, inline="always")
def pm_adjustment(fnum, pm_sens, lfo_pm):
    """LFO vibrato as an offset to fnum<<1: a cheap multiply of fnum's top 7 bits."""
    f7 = fnum >> 4
    shifts = LFO_PM_SHIFTS[pm_sens, abs(lfo_pm) & 7]
    adjust = (f7 >> (shifts & 0xF)) + (f7 >> (shifts >> 4))
    if pm_sens > 5:
        adjust <<= pm_sens - 5
    adjust >>= 2
    return -adjust if lfo_pm < 0 else adjust


@njit(cache=True, inline="always")
def phase_step(block_freq, detune, multiple_x2, pm_sens, lfo_pm):
    fnum = (block_freq & 0x7FF) << 1
    if pm_sens != 0:
        fnum = (fnum + pm_adjustment(block_freq & 0x7FF, pm_sens, lfo_pm)) & 0xFFF
    step = (fnum << (block_freq >> 11)) >> 2
    # the sum is kept to 17 bits, so a negative detune on a tiny step wraps to a huge one
    step = (step + detune) & 0x1FFFF
    return (step * multiple_x2) >> 1


@njit(cache=True)
def prepare(regs, cache, rates):
    """Recompute each operator's derived values from the registers (ymfm's fm_cache).

    cache[op] = (detune, multiple x2, total level x8, sustain level, ssg enable,
    ssg mode, am enable); rates[op, state] = effective envelope rate.
    """
    block_freq = R.ch_block_freq(regs)
    keycode = (block_freq >> 11) << 2 | NOTE_BITS[(block_freq >> 7) & 0xF]
    for op in range(4):
        dt = R.op_detune(regs, op)
        detune = DETUNE[dt & 3, keycode]
        cache[op, 0] = -detune if dt & 4 else detune
        mul = R.op_multiple(regs, op)
        cache[op, 1] = 2 * mul if mul else 1          # MUL 0 means x0.5
        cache[op, 2] = R.op_total_level(regs, op) << 3
        sl = R.op_sustain_level(regs, op)
        cache[op, 3] = (sl | ((sl + 1) & 0x10)) << 5  # SL 15 means 31: 93 dB
        cache[op, 4] = R.op_ssg_eg_enable(regs, op)
        cache[op, 5] = R.op_ssg_eg_mode(regs, op)
        cache[op, 6] = R.op_lfo_am_enable(regs, op)
        ksr = keycode >> (R.op_ksr(regs, op) ^ 3)
        rates[op, EG_ATTACK] = effective_rate(R.op_attack_rate(regs, op) * 2, ksr)
        rates[op, EG_DECAY] = effective_rate(R.op_decay_rate(regs, op) * 2, ksr)
        rates[op, EG_SUSTAIN] = effective_rate(R.op_sustain_rate(regs, op) * 2, ksr)
        rates[op, EG_RELEASE] = effective_rate(R.op_release_rate(regs, op) * 4 + 2, ksr)


# --- The chip's rules, as pure functions of scalars -------------------------------------
# State goes in and comes out as values, so the same rules can drive the per-sample
# engine below or a loop over many patches (small enough for LLVM to make the
# branches selects).

@njit(cache=True, inline="always")
def key_on(state, att, phase, inverted, ssg_enable, ssg_mode, attack_rate):
    """Returns (state, attenuation, phase, ssg inverted) after a key-on."""
    if state == EG_ATTACK:
        return state, att, phase, inverted
    # a key-on resets the phase and the SSG inversion (an SSG restart keeps both)
    inverted = ssg_enable & (ssg_mode >> 2)
    if attack_rate >= 62:
        att = 0
    return EG_ATTACK, att, 0, inverted


@njit(cache=True, inline="always")
def key_off(state, att, inverted):
    """Returns (state, attenuation, ssg inverted) after a key-off."""
    if state == EG_RELEASE:
        return state, att, inverted
    if inverted:
        # the inverted level is made real, so the release starts from what was heard
        att = (0x200 - att) & 0x3FF
    return EG_RELEASE, att, 0


@njit(cache=True, inline="always")
def clock_ssg_eg(state, att, phase, inverted, mode, attack_rate):
    """One sample of an SSG-EG operator: returns (state, attenuation, phase, inverted)."""
    if not att & 0x200:
        return state, att, phase, inverted   # nothing happens until the level passes 0x200
    if mode & 1:                             # hold modes: end inverted (3, 5) or not (1, 7)
        inverted = ((mode >> 2) ^ (mode >> 1)) & 1
        if state != EG_ATTACK:
            att = 0x200 if inverted else 0x3FF
    else:                                    # repeat modes: alternate (2, 6) or saw (0, 4)
        inverted ^= (mode >> 1) & 1
        if state == EG_DECAY or state == EG_SUSTAIN:
            # restart the attack, keeping phase and inversion
            state = EG_ATTACK
            if attack_rate >= 62:
                att = 0
        if not mode & 2:
            phase = 0
    if state == EG_RELEASE:
        att = 0x3FF
    return state, att, phase, inverted


@njit(cache=True, inline="always")
def envelope_state(state, att, sustain_level):
    """The state an envelope tick runs in (transitions are checked before stepping)."""
    if state == EG_ATTACK and att == 0:
        state = EG_DECAY
    # checked in the same tick, so a sustain level of 0 skips the decay entirely
    if state == EG_DECAY and att >= sustain_level:
        state = EG_SUSTAIN
    return state


@njit(cache=True, inline="always")
def envelope_step(state, att, rate, counter, ssg_enable):
    """The attenuation after one envelope tick at `rate` (the state's effective rate)."""
    # slow rates only act on every 2^k-th tick; the counter never wraps, so at
    # multiples of 4096 ticks rates below 48 see an increment of 0 (the 12-bit timer)
    shift = max(11 - (rate >> 2), 0)
    if counter & ((1 << shift) - 1):
        return att
    increment = INCREMENT[rate, (counter >> shift) & 7]
    if state == EG_ATTACK:
        # rates 62/63 jump to 0 at key-on and never step afterwards
        if rate < 62:
            att += ((~att) * increment) >> 4
        return att
    if not ssg_enable:
        att += increment
    elif att < 0x200:
        att += 4 * increment                 # SSG-EG runs 4x fast up to the midpoint
    return min(att, 0x3FF)


@njit(cache=True, inline="always")
def envelope_next_step(rate, counter):
    """The first tick after `counter` at which `rate` can step (see `envelope_step`).

    Between two such ticks an envelope whose state and level did not change at its
    last tick stays as it is, so the engine may skip those ticks."""
    shift = max(11 - (rate >> 2), 0)
    return ((counter >> shift) + 1) << shift


@njit(cache=True, inline="always")
def lfo_samples_to_step(counter, rate):
    """Samples until the LFO position (counter >> 8, 0..0x7FFF) moves: the counter is
    x.8, its low byte counts samples and the position steps on the sample at which it
    is at or past the rate's divider."""
    return max(LFO_MAX_COUNT[rate] - (counter & 0xFF), 0) + 1


@njit(cache=True, inline="always")
def lfo_step(counter):
    """The counter after the sample at which the position moves. ymfm adds 0x101 - sub to
    the sample's increment, one more than needed to zero the low byte, so the next
    period starts at 2: the hardware's off-by-one, which makes the rates faster than
    published."""
    return (((counter >> 8) + 1) << 8) | 2


@njit(cache=True, inline="always")
def lfo_values(counter):
    """(am 0..63, pm -7..7) at an LFO counter; they change only when counter >> 8 does.

    Position 0 (where a disabled LFO is held) has the maximum AM value: AM operators stay
    attenuated even with the LFO off (MegaDrive Venom relies on this).
    """
    am = (counter >> 8) & 0x3F
    if not (counter >> 14) & 1:
        am ^= 0x3F
    pm = (counter >> 10) & 7
    if (counter >> 13) & 1:
        pm ^= 7
    if (counter >> 14) & 1:
        pm = -pm
    return am, pm


@njit(cache=True, inline="always")
def total_attenuation(att, inverted, am_offset, total_level_x8):
    """An operator's attenuation as heard, x4 (4.8 fixed point), ready for `operator_wave`.

    It depends only on the envelope, the SSG inversion, the LFO AM and TL, so the engine
    recomputes it when one of those changes, not every sample. `am_offset` is the LFO
    attenuation if the operator has AM enabled, else 0.
    """
    if att > EG_QUIET:
        return 0x3FF << 2                    # ymfm outputs 0; the full attenuation does too
    if inverted:
        att = (0x200 - att) & 0x3FF
    return min(att + am_offset + total_level_x8, 0x3FF) << 2


@njit(cache=True, inline="always")
def operator_wave(phase_in, attenuation_x4):
    """14-bit signed output of an operator at a 10-bit phase (modulation already added):
    POWER[a & 0xFF] >> (a >> 8) with a = LOGSIN[quarter-wave phase] + attenuation,
    negated on the second half-wave, all folded into two tables (tables.py)."""
    a = LOGSIN_SIGNED[phase_in & 0x3FF] + attenuation_x4
    return np.int64(WAVE[a & (2 * SIGN_BIT - 1)])


@njit(cache=True, inline="always")
def operator_output(phase_in, att, inverted, am_offset, total_level_x8):
    """14-bit signed output of an operator (both steps above, for one sample)."""
    return operator_wave(phase_in, total_attenuation(att, inverted, am_offset, total_level_x8))


@njit(cache=True, inline="always")
def feedback_input(fb0, fb1, feedback):
    """O1's self-modulation: the mean of its last two outputs, scaled by the feedback level."""
    return ((fb0 + fb1) >> (10 - feedback)) & -(feedback != 0)     # (branch-free)


@njit(cache=True, inline="always")
def add_carrier(v, o):
    """Add carrier output `o` to the channel value `v`: ymfm clamps after each addition,
    so the order of the carriers matters when the sum clips."""
    return min(max(v + (o >> OUTPUT_SHIFT), CLIP_MIN), CLIP_MAX)


@njit(cache=True, inline="always")
def operator_network(algorithm, q0, q1, q2, q3, e0, e1, e2, e3):
    """The channel value and O1's output, from the operators' phases (O1's with its
    feedback added) and heard attenuations. A modulator adds half its output to the
    phase it feeds; carriers are added to O4 in the order O1, O2, O3."""
    o1 = operator_wave(q0, e0)
    if algorithm == 0:      # O1 > O2 > O3 > O4
        o2 = operator_wave(q1 + (o1 >> 1), e1)
        o3 = operator_wave(q2 + (o2 >> 1), e2)
        return operator_wave(q3 + (o3 >> 1), e3) >> OUTPUT_SHIFT, o1
    if algorithm == 1:      # (O1 + O2) > O3 > O4
        o2 = operator_wave(q1, e1)
        o3 = operator_wave(q2 + ((o1 + o2) >> 1), e2)
        return operator_wave(q3 + (o3 >> 1), e3) >> OUTPUT_SHIFT, o1
    if algorithm == 2:      # (O1 + (O2 > O3)) > O4
        o2 = operator_wave(q1, e1)
        o3 = operator_wave(q2 + (o2 >> 1), e2)
        return operator_wave(q3 + ((o1 + o3) >> 1), e3) >> OUTPUT_SHIFT, o1
    if algorithm == 3:      # ((O1 > O2) + O3) > O4
        o2 = operator_wave(q1 + (o1 >> 1), e1)
        o3 = operator_wave(q2, e2)
        return operator_wave(q3 + ((o2 + o3) >> 1), e3) >> OUTPUT_SHIFT, o1
    if algorithm == 4:      # (O1 > O2) + (O3 > O4)
        o2 = operator_wave(q1 + (o1 >> 1), e1)
        o3 = operator_wave(q2, e2)
        o4 = operator_wave(q3 + (o3 >> 1), e3)
        return add_carrier(o4 >> OUTPUT_SHIFT, o2), o1
    if algorithm == 5:      # O1 > (O2 + O3 + O4)
        m = o1 >> 1
        o2 = operator_wave(q1 + m, e1)
        o3 = operator_wave(q2 + m, e2)
        o4 = operator_wave(q3 + m, e3)
    elif algorithm == 6:    # (O1 > O2) + O3 + O4
        o2 = operator_wave(q1 + (o1 >> 1), e1)
        o3 = operator_wave(q2, e2)
        o4 = operator_wave(q3, e3)
    else:                   # O1 + O2 + O3 + O4
        o2 = operator_wave(q1, e1)
        o3 = operator_wave(q2, e2)
        o4 = operator_wave(q3, e3)
        v = add_carrier(o4 >> OUTPUT_SHIFT, o1)
        v = add_carrier(v, o2)
        return add_carrier(v, o3), o1
    v = add_carrier(o4 >> OUTPUT_SHIFT, o2)
    return add_carrier(v, o3), o1


@njit(cache=True, inline="always")
def silent_forever(state, att):
    """Released below hearing: with no key-on to come the operator outputs 0 for good
    (a release only raises the attenuation, and SSG-EG in release pins it at 0x3FF)."""
    return state == EG_RELEASE and att > EG_QUIET


# Without writes left, the engine checks for silence at this interval (any will do).
QUIET_CHECK = 512

# Columns of the operator state array `ops` (one row per operator), and the clock state
# carried from one segment to the next.
OP_STATE, OP_ATT, OP_PHASE, OP_INVERTED = range(4)
ENV_COUNTER, LFO_COUNTER, FB_LAST, FB_NEW = range(4)


@njit(cache=True)
def render_writes(times, addresses, data, out):
    """Render channel 1 of a freshly reset chip into `out` (int16, one value per sample).

    times[i] is the sample before which write i lands (sorted); a write takes effect
    on that sample, as on ymfm. The values are the channel's 9-bit DAC input, -257..256,
    before panning and the ladder effect (see `ymfm_output`).

    The samples between two writes form a segment with fixed registers (`render_segment`).
    """
    regs = np.zeros(R.REGISTER_FILE_SIZE, np.int64)
    regs[0xB4] = regs[0xB5] = regs[0xB6] = 0xC0          # reset: both pans on
    keyon_live = np.zeros(4, np.int64)
    key_state = np.zeros(4, np.int64)
    cache = np.zeros((4, 7), np.int64)
    rates = np.zeros((4, 4), np.int64)
    # operator state: envelope state, attenuation, phase, SSG-EG inversion
    ops = np.zeros((4, 4), np.int64)
    ops[:, OP_STATE] = EG_RELEASE
    ops[:, OP_ATT] = 0x3FF
    clock = np.zeros(4, np.int64)    # the envelope counter counts from chip construction
    w = 0
    n_writes = times.shape[0]
    n = out.shape[0]
    i = 0
    while i < n:
        # --- prepare: writes since the last sample, then key changes ---
        if w < n_writes and times[w] <= i:
            while w < n_writes and times[w] <= i:
                R.write(regs, keyon_live, addresses[w], data[w])
                w += 1
            prepare(regs, cache, rates)
            for op in range(4):
                state, att, phase, inverted = ops[op]
                if keyon_live[op] != key_state[op]:
                    key_state[op] = keyon_live[op]
                    if key_state[op]:
                        state, att, phase, inverted = key_on(
                            state, att, phase, inverted, cache[op, 4], cache[op, 5], rates[op, EG_ATTACK])
                    else:
                        state, att, inverted = key_off(state, att, inverted)
                if not cache[op, 4]:
                    inverted = 0                 # (after the key-off, which still used it)
                ops[op] = state, att, phase, inverted
        if w < n_writes:
            end = min(times[w], n)
        else:
            # no writes left: once every operator is released below hearing, the rest is 0
            quiet = True
            for op in range(4):
                quiet &= silent_forever(ops[op, OP_STATE], ops[op, OP_ATT])
            if quiet or not R.ch_output_any(regs):
                out[i:] = 0
                return
            end = min(i + QUIET_CHECK, n)
        render_segment(regs, cache, rates, ops, clock, out[i:end])
        i = end
    return


@njit(cache=True)
def render_segment(regs, cache, rates, ops, clock, out):
    """Render samples with fixed registers into `out`, advancing `ops` and `clock`.

    Within a segment the per-sample work is the phase and the four operator lookups; an
    operator's heard attenuation (`total_attenuation`) is kept and recomputed only when
    an input to it can change: an envelope tick (every third sample), an LFO step, or an
    SSG-EG event; the operator network is inlined once per algorithm (`operator_network`).
    """
    algorithm = R.ch_algorithm(regs)
    block_freq = R.ch_block_freq(regs)
    pm_sens = R.ch_lfo_pm_sens(regs)
    feedback = R.ch_feedback(regs)
    am_shift = AM_SHIFT[R.ch_lfo_am_sens(regs)]
    lfo_on = R.lfo_enable(regs)
    lfo_rate = R.lfo_rate(regs)
    # with both pans off ymfm stops after O1 (its feedback still runs): the channel is 0
    out_mask = -1 if R.ch_output_any(regs) else 0
    eg_state = ops[:, OP_STATE]
    att = ops[:, OP_ATT]
    inverted = ops[:, OP_INVERTED]
    tl_x8 = cache[:, 2]
    ssg_enable = cache[:, 4]
    am_mask = -cache[:, 6]
    env_counter = clock[ENV_COUNTER]
    lfo_counter = clock[LFO_COUNTER] if lfo_on else 0
    fb1, fb_in = clock[FB_LAST], clock[FB_NEW]

    lfo_wait = lfo_samples_to_step(lfo_counter, lfo_rate)
    lfo_am, lfo_pm = lfo_values(lfo_counter)
    am_offset = (lfo_am << 1) >> am_shift
    s0 = phase_step(block_freq, cache[0, 0], cache[0, 1], pm_sens, lfo_pm)
    s1 = phase_step(block_freq, cache[1, 0], cache[1, 1], pm_sens, lfo_pm)
    s2 = phase_step(block_freq, cache[2, 0], cache[2, 1], pm_sens, lfo_pm)
    s3 = phase_step(block_freq, cache[3, 0], cache[3, 1], pm_sens, lfo_pm)
    p0, p1, p2, p3 = ops[0, OP_PHASE], ops[1, OP_PHASE], ops[2, OP_PHASE], ops[3, OP_PHASE]
    refresh = True           # the heard attenuations below must be recomputed
    eg_due = 0               # the envelope tick from which the envelopes must run
    e0 = e1 = e2 = e3 = 0
    # some SSG-EG operator is at or past 0x200, where SSG-EG acts (every sample)
    ssg_live = ((ssg_enable[0] & (att[0] >> 9)) | (ssg_enable[1] & (att[1] >> 9))
                | (ssg_enable[2] & (att[2] >> 9)) | (ssg_enable[3] & (att[3] >> 9))) != 0
    for j in range(out.shape[0]):
        # --- envelope clock: x.2 counter, low bits cycle 1, 2, 0 ---
        env_counter += 1
        if (env_counter & 3) == EG_CLOCK_DIVIDER:
            env_counter += 4 - EG_CLOCK_DIVIDER
        eg_tick = (env_counter & 3) == 0

        if lfo_on:
            lfo_wait -= 1
            if lfo_wait == 0:
                lfo_counter = lfo_step(lfo_counter)
                lfo_wait = lfo_samples_to_step(lfo_counter, lfo_rate)
                lfo_am, lfo_pm = lfo_values(lfo_counter)
                am_offset = (lfo_am << 1) >> am_shift
                refresh = True
                if pm_sens:
                    s0 = phase_step(block_freq, cache[0, 0], cache[0, 1], pm_sens, lfo_pm)
                    s1 = phase_step(block_freq, cache[1, 0], cache[1, 1], pm_sens, lfo_pm)
                    s2 = phase_step(block_freq, cache[2, 0], cache[2, 1], pm_sens, lfo_pm)
                    s3 = phase_step(block_freq, cache[3, 0], cache[3, 1], pm_sens, lfo_pm)

        # --- operators: SSG-EG, envelope, phase ---
        fb0 = fb1
        fb1 = fb_in
        if ssg_live:
            ops[0, OP_PHASE], ops[1, OP_PHASE], ops[2, OP_PHASE], ops[3, OP_PHASE] = p0, p1, p2, p3
            ssg_live = False
            for op in range(4):
                if ssg_enable[op]:
                    s, a, ph, inv = clock_ssg_eg(
                        eg_state[op], att[op], ops[op, OP_PHASE], inverted[op], cache[op, 5], rates[op, EG_ATTACK])
                    moved = s != eg_state[op] or a != att[op] or inv != inverted[op]
                    if moved:
                        eg_due = 0
                        refresh = True
                    if moved or ph != ops[op, OP_PHASE]:
                        ssg_live = True
                    eg_state[op], att[op], ops[op, OP_PHASE], inverted[op] = s, a, ph, inv
            # SSG-EG is a function of the envelope alone: once it changes nothing (a hold,
            # a release) it will not until the envelope moves, which sets `refresh` below
            p0, p1, p2, p3 = ops[0, OP_PHASE], ops[1, OP_PHASE], ops[2, OP_PHASE], ops[3, OP_PHASE]
        if eg_tick and env_counter >> 2 >= eg_due:
            # run the envelopes, then skip the ticks at which none of them can move
            c = env_counter >> 2
            eg_due = c + 4096
            for op in range(4):
                s = envelope_state(eg_state[op], att[op], cache[op, 3])
                a = envelope_step(s, att[op], rates[op, s], c, ssg_enable[op])
                if s != eg_state[op] or a != att[op]:
                    eg_due = c + 1        # moved: the next tick may change the state
                else:
                    eg_due = min(eg_due, envelope_next_step(rates[op, s], c))
                eg_state[op] = s
                att[op] = a
            refresh = True
        if refresh:
            refresh = False
            e0 = total_attenuation(att[0], inverted[0], am_offset & am_mask[0], tl_x8[0])
            e1 = total_attenuation(att[1], inverted[1], am_offset & am_mask[1], tl_x8[1])
            e2 = total_attenuation(att[2], inverted[2], am_offset & am_mask[2], tl_x8[2])
            e3 = total_attenuation(att[3], inverted[3], am_offset & am_mask[3], tl_x8[3])
            # SSG-EG acts only at 0x200 and above; below, the level only moves on ticks
            ssg_live = ((ssg_enable[0] & (att[0] >> 9)) | (ssg_enable[1] & (att[1] >> 9))
                        | (ssg_enable[2] & (att[2] >> 9)) | (ssg_enable[3] & (att[3] >> 9))) != 0
        p0 = (p0 + s0) & 0xFFFFF
        p1 = (p1 + s1) & 0xFFFFF
        p2 = (p2 + s2) & 0xFFFFF
        p3 = (p3 + s3) & 0xFFFFF

        # --- output ---
        # a call per algorithm with the algorithm a constant: each inlined copy of the
        # network is straight code (one call with the variable runs up to 80% longer)
        q0, q1, q2, q3 = (p0 >> 10) + feedback_input(fb0, fb1, feedback), p1 >> 10, p2 >> 10, p3 >> 10
        if algorithm == 0:
            v, fb_in = operator_network(0, q0, q1, q2, q3, e0, e1, e2, e3)
        elif algorithm == 1:
            v, fb_in = operator_network(1, q0, q1, q2, q3, e0, e1, e2, e3)
        elif algorithm == 2:
            v, fb_in = operator_network(2, q0, q1, q2, q3, e0, e1, e2, e3)
        elif algorithm == 3:
            v, fb_in = operator_network(3, q0, q1, q2, q3, e0, e1, e2, e3)
        elif algorithm == 4:
            v, fb_in = operator_network(4, q0, q1, q2, q3, e0, e1, e2, e3)
        elif algorithm == 5:
            v, fb_in = operator_network(5, q0, q1, q2, q3, e0, e1, e2, e3)
        elif algorithm == 6:
            v, fb_in = operator_network(6, q0, q1, q2, q3, e0, e1, e2, e3)
        else:
            v, fb_in = operator_network(7, q0, q1, q2, q3, e0, e1, e2, e3)
        out[j] = v & out_mask
    ops[0, OP_PHASE], ops[1, OP_PHASE], ops[2, OP_PHASE], ops[3, OP_PHASE] = p0, p1, p2, p3
    if lfo_on:
        # the low byte went on counting: it is where `lfo_wait` says (a segment has samples)
        lfo_counter = (lfo_counter >> 8 << 8) | (LFO_MAX_COUNT[lfo_rate] + 1 - lfo_wait)
    clock[ENV_COUNTER], clock[LFO_COUNTER], clock[FB_LAST], clock[FB_NEW] = env_counter, lfo_counter, fb1, fb_in


@njit(cache=True)
def ymfm_output(channel_value, pan=True):
    """ymfm-py's left output for this channel with the other five silent and the DAC off.

    The YM2612's multiplexed 9-bit DAC adds +4 to values >= 0 and -3 below (the ladder
    effect); each silent channel still adds +4. The sum is scaled by 8192/390, truncated.
    """
    v = channel_value if pan else 0
    s = (v + 4 if v >= 0 else v - 3) + 5 * 4
    q = (abs(s) * 8192) // 390
    return q if s >= 0 else -q

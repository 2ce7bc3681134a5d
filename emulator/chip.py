"""One YM2612 channel, sample by sample, bit-exact with ymfm (docs/ym2612.md).

A sample is one `clock` of the chip followed by its output, in ymfm's order:
prepare (apply register writes and key changes), envelope counter, LFO,
feedback memory, then per operator SSG-EG, envelope and phase; the output is
computed from the state after that step.
"""
import numpy as np
from numba import njit

from . import registers as R
from .tables import AM_SHIFT, DETUNE, INCREMENT, LFO_MAX_COUNT, LFO_PM_SHIFTS, LOGSIN, NOTE_BITS, POWER

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

# Which earlier operators feed O2, O3, O4 per algorithm, as bit masks over (O1, O2, O3),
# and which of O1..O3 are carriers (O4 always is).
ALG_O2_IN = np.array([1, 0, 0, 1, 1, 1, 1, 0], np.int64)
ALG_O3_IN = np.array([2, 3, 2, 0, 0, 1, 0, 0], np.int64)
ALG_O4_IN = np.array([4, 4, 5, 6, 4, 1, 0, 0], np.int64)
ALG_CARRIERS = np.array([0, 0, 0, 0, 2, 6, 6, 7], np.int64)


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


@njit(cache=True, inline="always")
def start_attack(op, restart, eg, cache, rates):
    """eg[op] = (state, attenuation, phase, ssg inverted)."""
    if eg[op, 0] == EG_ATTACK:
        return
    eg[op, 0] = EG_ATTACK
    if not restart:
        # an SSG restart keeps its phase and inversion; a key-on resets both
        eg[op, 3] = cache[op, 4] & (cache[op, 5] >> 2)
        eg[op, 2] = 0
    if rates[op, EG_ATTACK] >= 62:
        eg[op, 1] = 0


@njit(cache=True, inline="always")
def start_release(op, eg):
    if eg[op, 0] == EG_RELEASE:
        return
    eg[op, 0] = EG_RELEASE
    if eg[op, 3]:
        # the inverted level is made real, so the release starts from what was heard
        eg[op, 1] = (0x200 - eg[op, 1]) & 0x3FF
        eg[op, 3] = 0


@njit(cache=True, inline="always")
def clock_ssg_eg(op, eg, cache, rates):
    if not eg[op, 1] & 0x200:
        return                               # nothing happens until the level passes 0x200
    mode = cache[op, 5]
    if mode & 1:                             # hold modes: end inverted (3, 5) or not (1, 7)
        eg[op, 3] = ((mode >> 2) ^ (mode >> 1)) & 1
        if eg[op, 0] != EG_ATTACK:
            eg[op, 1] = 0x200 if eg[op, 3] else 0x3FF
    else:                                    # repeat modes: alternate (2, 6) or saw (0, 4)
        eg[op, 3] ^= (mode >> 1) & 1
        if eg[op, 0] == EG_DECAY or eg[op, 0] == EG_SUSTAIN:
            start_attack(op, True, eg, cache, rates)
        if not mode & 2:
            eg[op, 2] = 0
    if eg[op, 0] == EG_RELEASE:
        eg[op, 1] = 0x3FF


@njit(cache=True, inline="always")
def clock_envelope(op, counter, eg, cache, rates):
    state = eg[op, 0]
    if state == EG_ATTACK and eg[op, 1] == 0:
        state = EG_DECAY
    # checked in the same tick, so a sustain level of 0 skips the decay entirely
    if state == EG_DECAY and eg[op, 1] >= cache[op, 3]:
        state = EG_SUSTAIN
    eg[op, 0] = state
    rate = rates[op, state]
    # slow rates only act on every 2^k-th tick; the counter never wraps, so at
    # multiples of 4096 ticks rates below 48 see an increment of 0 (the 12-bit timer)
    k = 11 - (rate >> 2)
    if k > 0:
        if counter & ((1 << k) - 1):
            return
        increment = INCREMENT[rate, (counter >> k) & 7]
    else:
        increment = INCREMENT[rate, counter & 7]
    att = eg[op, 1]
    if state == EG_ATTACK:
        # rates 62/63 jump to 0 at key-on and never step afterwards
        if rate < 62:
            att += ((~att) * increment) >> 4
    else:
        if not cache[op, 4]:
            att += increment
        elif att < 0x200:
            att += 4 * increment             # SSG-EG runs 4x fast up to the midpoint
        if att >= 0x400:
            att = 0x3FF
    eg[op, 1] = att


@njit(cache=True, inline="always")
def operator_output(op, phase_in, am_offset, eg, cache):
    """14-bit signed output of an operator at a 10-bit phase (modulation already added)."""
    att = eg[op, 1]
    if att > EG_QUIET:
        return 0
    if eg[op, 3]:
        att = (0x200 - att) & 0x3FF
    if cache[op, 6]:
        att += am_offset
    att = min(att + cache[op, 2], 0x3FF)
    p = phase_in & 0x3FF
    q = p & 0xFF
    if p & 0x100:
        q ^= 0xFF                            # the second quarter mirrors the first
    a = LOGSIN[q] + (att << 2)
    mag = POWER[a & 0xFF] >> (a >> 8)
    return -mag if p & 0x200 else mag


@njit(cache=True)
def render_writes(times, addresses, data, out):
    """Render channel 1 of a freshly reset chip into `out` (int16, one value per sample).

    times[i] is the sample before which write i lands (sorted); a write takes effect
    on that sample, as on ymfm. The values are the channel's 9-bit DAC input, -257..256,
    before panning and the ladder effect (see `ymfm_output`).
    """
    regs = np.zeros(R.REGISTER_FILE_SIZE, np.int64)
    regs[0xB4] = regs[0xB5] = regs[0xB6] = 0xC0          # reset: both pans on
    keyon_live = np.zeros(4, np.int64)
    key_state = np.zeros(4, np.int64)
    eg = np.zeros((4, 4), np.int64)
    for op in range(4):
        eg[op, 0] = EG_RELEASE
        eg[op, 1] = 0x3FF
    cache = np.zeros((4, 7), np.int64)
    rates = np.zeros((4, 4), np.int64)
    steps = np.zeros(4, np.int64)
    block_freq = 0
    pm_sens = 0
    algorithm = 0
    feedback = 0
    am_shift = 7
    output_any = 1
    fb0 = fb1 = fb_in = 0
    env_counter = 0          # counts from chip construction; the first tick is at sample 3
    lfo_counter = 0
    w = 0
    n_writes = times.shape[0]
    for i in range(out.shape[0]):
        # --- prepare: writes since the last sample, then key changes ---
        if w < n_writes and times[w] <= i:
            while w < n_writes and times[w] <= i:
                R.write(regs, keyon_live, addresses[w], data[w])
                w += 1
            prepare(regs, cache, rates)
            block_freq = R.ch_block_freq(regs)
            pm_sens = R.ch_lfo_pm_sens(regs)
            algorithm = R.ch_algorithm(regs)
            feedback = R.ch_feedback(regs)
            am_shift = AM_SHIFT[R.ch_lfo_am_sens(regs)]
            output_any = R.ch_output_any(regs)
            for op in range(4):
                steps[op] = phase_step(block_freq, cache[op, 0], cache[op, 1], 0, 0)
                if keyon_live[op] != key_state[op]:
                    key_state[op] = keyon_live[op]
                    if key_state[op]:
                        start_attack(op, False, eg, cache, rates)
                    else:
                        start_release(op, eg)

        # --- envelope clock: x.2 counter, low bits cycle 1, 2, 0 ---
        env_counter += 1
        if (env_counter & 3) == EG_CLOCK_DIVIDER:
            env_counter += 4 - EG_CLOCK_DIVIDER

        # --- LFO ---
        if not R.lfo_enable(regs):
            # held at position 0, whose AM value is the maximum: AM operators stay
            # attenuated even with the LFO off (MegaDrive Venom relies on this)
            lfo_counter = 0
            lfo_am = 0x3F
            lfo_pm = 0
        else:
            sub = lfo_counter & 0xFF
            lfo_counter += 1
            if sub >= LFO_MAX_COUNT[R.lfo_rate(regs)]:
                lfo_counter += 0x101 - sub
            lfo_am = (lfo_counter >> 8) & 0x3F
            if not (lfo_counter >> 14) & 1:
                lfo_am ^= 0x3F
            lfo_pm = (lfo_counter >> 10) & 7
            if (lfo_counter >> 13) & 1:
                lfo_pm ^= 7
            if (lfo_counter >> 14) & 1:
                lfo_pm = -lfo_pm

        # --- operators ---
        fb0 = fb1
        fb1 = fb_in
        eg_tick = (env_counter & 3) == 0
        for op in range(4):
            if cache[op, 4]:
                clock_ssg_eg(op, eg, cache, rates)
            else:
                eg[op, 3] = 0
            if eg_tick:
                clock_envelope(op, env_counter >> 2, eg, cache, rates)
            if pm_sens:
                step = phase_step(block_freq, cache[op, 0], cache[op, 1], pm_sens, lfo_pm)
            else:
                step = steps[op]
            eg[op, 2] = (eg[op, 2] + step) & 0xFFFFF

        # --- output ---
        am_offset = (lfo_am << 1) >> am_shift
        mod = ((fb0 + fb1) >> (10 - feedback)) if feedback else 0
        o1 = operator_output(0, (eg[0, 2] >> 10) + mod, am_offset, eg, cache)
        fb_in = o1
        m = ALG_O2_IN[algorithm]
        o2 = operator_output(1, (eg[1, 2] >> 10) + ((o1 if m else 0) >> 1), am_offset, eg, cache)
        m = ALG_O3_IN[algorithm]
        src = (o1 if m & 1 else 0) + (o2 if m & 2 else 0)
        o3 = operator_output(2, (eg[2, 2] >> 10) + (src >> 1), am_offset, eg, cache)
        m = ALG_O4_IN[algorithm]
        src = (o1 if m & 1 else 0) + (o2 if m & 2 else 0) + (o3 if m & 4 else 0)
        o4 = operator_output(3, (eg[3, 2] >> 10) + (src >> 1), am_offset, eg, cache)

        v = o4 >> OUTPUT_SHIFT
        c = ALG_CARRIERS[algorithm]
        if c & 1:
            v = min(max(v + (o1 >> OUTPUT_SHIFT), CLIP_MIN), CLIP_MAX)
        if c & 2:
            v = min(max(v + (o2 >> OUTPUT_SHIFT), CLIP_MIN), CLIP_MAX)
        if c & 4:
            v = min(max(v + (o3 >> OUTPUT_SHIFT), CLIP_MIN), CLIP_MAX)
        # with both pans off ymfm stops after O1 (its feedback still runs): the channel is 0
        out[i] = v if output_any else 0


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

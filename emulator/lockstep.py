"""The population engine: many patches advance sample by sample together.

Each sample runs as a few loops over the lanes (one patch per lane) whose bodies are
straight-line code calling the same scalar rules as the scalar engine (chip.py); LLVM
turns their branches into selects and the table look-ups into gathers, so a loop
computes 8 lanes per AVX-512 instruction. Every per-lane value lives in one array
`lane[row, k]`, the rows named below.

Only patches are rendered this way: the register writes are the patch's own at sample 0
(decoded by the scalar engine's `prepare`) and a key-off per lane. What is shared by
the population (the envelope clock, the sample count) drives the loops.
"""
import numpy as np
from numba import njit

from . import registers as R
from .chip import (ALG_CARRIERS, ALG_O2_IN, ALG_O3_IN, ALG_O4_IN, CLIP_MAX, CLIP_MIN, EG_ATTACK,
                   EG_CLOCK_DIVIDER, EG_DECAY, EG_RELEASE, EG_SUSTAIN, carrier_sum,
                   clock_ssg_eg, envelope_state, envelope_step, feedback_input, key_off, key_on,
                   lfo_clock, modulator_input, operator_output, phase_step, prepare,
                   silent_forever)
from .tables import AM_SHIFT

# Rows of `lane`, per operator: row = op * OP_ROWS + field.
(STATE, ATT, PHASE, INVERTED, STEP, TL_X8, SUSTAIN, SSG_ENABLE, SSG_MODE, AM_MASK,
 RATE_ATTACK, RATE_DECAY, RATE_SUSTAIN, RATE_RELEASE, DETUNE, MUL_X2) = range(16)
OP_ROWS = 16
# Per channel, after the operators.
_C = 4 * OP_ROWS
(BLOCK_FREQ, PM_SENS, FEEDBACK, O2_IN, O3_IN, O4_IN, CARRIERS, OUTPUT_ANY, LFO_ON, LFO_RATE,
 AM_SHIFT_ROW, LFO_COUNTER, AM_OFFSET, LFO_PM, FB_OLD, FB_NEW, KEY_OFF) = range(_C, _C + 17)
N_ROWS = _C + 17

TILE = 256        # samples rendered into a (TILE, lanes) buffer before being copied out


@njit(cache=True)
def load_lane(lane, k, times, addresses, data, n_writes):
    """Apply a patch's sample-0 writes to a fresh chip in lane k, as the scalar engine does."""
    regs = np.zeros(R.REGISTER_FILE_SIZE, np.int64)
    regs[0xB4] = regs[0xB5] = regs[0xB6] = 0xC0
    keyon_live = np.zeros(4, np.int64)
    cache = np.zeros((4, 7), np.int64)
    rates = np.zeros((4, 4), np.int64)
    key_off_at = -1
    for w in range(n_writes):
        if times[w] == 0:
            R.write(regs, keyon_live, addresses[w], data[w])
        else:
            key_off_at = times[w]            # the one later write: the key-off
    prepare(regs, cache, rates)
    block_freq = R.ch_block_freq(regs)
    for op in range(4):
        r = op * OP_ROWS
        lane[r + DETUNE, k] = cache[op, 0]
        lane[r + MUL_X2, k] = cache[op, 1]
        lane[r + TL_X8, k] = cache[op, 2]
        lane[r + SUSTAIN, k] = cache[op, 3]
        lane[r + SSG_ENABLE, k] = cache[op, 4]
        lane[r + SSG_MODE, k] = cache[op, 5]
        lane[r + AM_MASK, k] = -cache[op, 6]
        lane[r + RATE_ATTACK, k] = rates[op, EG_ATTACK]
        lane[r + RATE_DECAY, k] = rates[op, EG_DECAY]
        lane[r + RATE_SUSTAIN, k] = rates[op, EG_SUSTAIN]
        lane[r + RATE_RELEASE, k] = rates[op, EG_RELEASE]
        lane[r + STEP, k] = phase_step(block_freq, cache[op, 0], cache[op, 1], 0, 0)
        state, att, phase, inverted = EG_RELEASE, 0x3FF, 0, 0
        if keyon_live[op]:
            state, att, phase, inverted = key_on(state, att, phase, inverted, cache[op, 4],
                                                 cache[op, 5], rates[op, EG_ATTACK])
        lane[r + STATE, k] = state
        lane[r + ATT, k] = att
        lane[r + PHASE, k] = phase
        lane[r + INVERTED, k] = inverted
    algorithm = R.ch_algorithm(regs)
    lane[BLOCK_FREQ, k] = block_freq
    lane[PM_SENS, k] = R.ch_lfo_pm_sens(regs)
    lane[FEEDBACK, k] = R.ch_feedback(regs)
    lane[O2_IN, k] = ALG_O2_IN[algorithm]
    lane[O3_IN, k] = ALG_O3_IN[algorithm]
    lane[O4_IN, k] = ALG_O4_IN[algorithm]
    lane[CARRIERS, k] = ALG_CARRIERS[algorithm]
    lane[OUTPUT_ANY, k] = R.ch_output_any(regs) != 0
    lane[LFO_ON, k] = R.lfo_enable(regs)
    lane[LFO_RATE, k] = R.lfo_rate(regs)
    lane[AM_SHIFT_ROW, k] = AM_SHIFT[R.ch_lfo_am_sens(regs)]
    lane[LFO_COUNTER, k] = 0
    lane[AM_OFFSET, k] = (0x3F << 1) >> lane[AM_SHIFT_ROW, k]   # the LFO's rest position
    lane[LFO_PM, k] = 0
    lane[FB_OLD, k] = 0
    lane[FB_NEW, k] = 0
    lane[KEY_OFF, k] = key_off_at


@njit(cache=True)
def _clock_lfo(lane, n_lanes):
    for k in range(n_lanes):
        counter, am, pm = lfo_clock(lane[LFO_COUNTER, k], lane[LFO_ON, k], lane[LFO_RATE, k])
        lane[LFO_COUNTER, k] = counter
        lane[AM_OFFSET, k] = (am << 1) >> lane[AM_SHIFT_ROW, k]
        lane[LFO_PM, k] = pm


@njit(cache=True)
def _clock_ssg_eg(lane, r, n_lanes):
    for k in range(n_lanes):
        state, att, phase, inverted = clock_ssg_eg(
            lane[r + STATE, k], lane[r + ATT, k], lane[r + PHASE, k], lane[r + INVERTED, k],
            lane[r + SSG_MODE, k], lane[r + RATE_ATTACK, k])
        enabled = lane[r + SSG_ENABLE, k] != 0
        lane[r + STATE, k] = state if enabled else lane[r + STATE, k]
        lane[r + ATT, k] = att if enabled else lane[r + ATT, k]
        lane[r + PHASE, k] = phase if enabled else lane[r + PHASE, k]
        lane[r + INVERTED, k] = inverted if enabled else 0


@njit(cache=True)
def _clock_envelope(lane, r, counter, n_lanes):
    for k in range(n_lanes):
        att = lane[r + ATT, k]
        state = envelope_state(lane[r + STATE, k], att, lane[r + SUSTAIN, k])
        rate = lane[r + RATE_ATTACK, k]
        rate = lane[r + RATE_DECAY, k] if state == EG_DECAY else rate
        rate = lane[r + RATE_SUSTAIN, k] if state == EG_SUSTAIN else rate
        rate = lane[r + RATE_RELEASE, k] if state == EG_RELEASE else rate
        lane[r + STATE, k] = state
        lane[r + ATT, k] = envelope_step(state, att, rate, counter, lane[r + SSG_ENABLE, k])


@njit(cache=True)
def _advance_phase(lane, r, n_lanes, vibrato):
    if vibrato:
        for k in range(n_lanes):
            step = phase_step(lane[BLOCK_FREQ, k], lane[r + DETUNE, k], lane[r + MUL_X2, k],
                              lane[PM_SENS, k], lane[LFO_PM, k])
            lane[r + PHASE, k] = (lane[r + PHASE, k] + step) & 0xFFFFF
    else:
        for k in range(n_lanes):
            lane[r + PHASE, k] = (lane[r + PHASE, k] + lane[r + STEP, k]) & 0xFFFFF


@njit(cache=True)
def _output(lane, tile_row, n_lanes):
    r1, r2, r3, r4 = 0, OP_ROWS, 2 * OP_ROWS, 3 * OP_ROWS
    for k in range(n_lanes):
        am = lane[AM_OFFSET, k]
        o1 = operator_output(
            (lane[r1 + PHASE, k] >> 10) + feedback_input(lane[FB_OLD, k], lane[FB_NEW, k], lane[FEEDBACK, k]),
            lane[r1 + ATT, k], lane[r1 + INVERTED, k], am & lane[r1 + AM_MASK, k], lane[r1 + TL_X8, k])
        lane[FB_OLD, k] = lane[FB_NEW, k]
        lane[FB_NEW, k] = o1
        o2 = operator_output((lane[r2 + PHASE, k] >> 10) + modulator_input(o1, 0, 0, lane[O2_IN, k]),
                             lane[r2 + ATT, k], lane[r2 + INVERTED, k], am & lane[r2 + AM_MASK, k],
                             lane[r2 + TL_X8, k])
        o3 = operator_output((lane[r3 + PHASE, k] >> 10) + modulator_input(o1, o2, 0, lane[O3_IN, k]),
                             lane[r3 + ATT, k], lane[r3 + INVERTED, k], am & lane[r3 + AM_MASK, k],
                             lane[r3 + TL_X8, k])
        o4 = operator_output((lane[r4 + PHASE, k] >> 10) + modulator_input(o1, o2, o3, lane[O4_IN, k]),
                             lane[r4 + ATT, k], lane[r4 + INVERTED, k], am & lane[r4 + AM_MASK, k],
                             lane[r4 + TL_X8, k])
        v = carrier_sum(o1, o2, o3, o4, lane[CARRIERS, k], CLIP_MIN, CLIP_MAX)
        # with both pans off the channel is 0 (O1's feedback still runs)
        tile_row[k] = v if lane[OUTPUT_ANY, k] else 0


@njit(cache=True)
def _all_silent_forever(lane, n_lanes, i):
    for k in range(n_lanes):
        if lane[KEY_OFF, k] >= i:
            return False                     # a key-off still to come
        if not lane[OUTPUT_ANY, k]:
            continue
        for op in range(4):
            r = op * OP_ROWS
            if not silent_forever(lane[r + STATE, k], lane[r + ATT, k]):
                return False
    return True


@njit(cache=True)
def render_lanes(lane, n_lanes, out_rows, out):
    """Render the loaded lanes: lane k's samples go to out[out_rows[k]]."""
    n = out.shape[1]
    any_ssg = False
    vibrato = False
    any_lfo = False
    for k in range(n_lanes):
        any_lfo |= lane[LFO_ON, k] != 0
        vibrato |= lane[LFO_ON, k] != 0 and lane[PM_SENS, k] != 0
        for op in range(4):
            any_ssg |= lane[op * OP_ROWS + SSG_ENABLE, k] != 0
    next_key_off = n
    for k in range(n_lanes):
        if 0 < lane[KEY_OFF, k] < next_key_off:
            next_key_off = lane[KEY_OFF, k]
    tile = np.zeros((TILE, n_lanes), np.int16)
    env_counter = 0
    for i0 in range(0, n, TILE):
        if i0 > 0 and _all_silent_forever(lane, n_lanes, i0):
            for k in range(n_lanes):
                out[out_rows[k], i0:] = 0
            return
        i1 = min(i0 + TILE, n)
        for i in range(i0, i1):
            if i == next_key_off:
                next_key_off = n
                for k in range(n_lanes):
                    if lane[KEY_OFF, k] == i:
                        for op in range(4):
                            r = op * OP_ROWS
                            lane[r + STATE, k], lane[r + ATT, k], lane[r + INVERTED, k] = key_off(
                                lane[r + STATE, k], lane[r + ATT, k], lane[r + INVERTED, k])
                    elif i < lane[KEY_OFF, k] < next_key_off:
                        next_key_off = lane[KEY_OFF, k]
            # the envelope clock, shared: x.2 counter whose low bits cycle 1, 2, 0
            env_counter += 1
            if (env_counter & 3) == EG_CLOCK_DIVIDER:
                env_counter += 4 - EG_CLOCK_DIVIDER
            if any_lfo:
                _clock_lfo(lane, n_lanes)
            for op in range(4):
                r = op * OP_ROWS
                if any_ssg:
                    _clock_ssg_eg(lane, r, n_lanes)
                if (env_counter & 3) == 0:
                    _clock_envelope(lane, r, env_counter >> 2, n_lanes)
                _advance_phase(lane, r, n_lanes, vibrato)
            _output(lane, tile[i - i0], n_lanes)
        for k in range(n_lanes):
            row = out_rows[k]
            for i in range(i0, i1):
                out[row, i] = tile[i - i0, k]

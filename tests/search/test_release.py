"""A release the sample never shows carries on the decay (checked through the emulator)."""
import numpy as np

import emulator
from emulator import params as P
from fmfit.patch import Operator, Patch
from fmfit.search.release import continue_decay

SILENT = Operator(total_level=127)


def _slope_db_per_s(x, start_s, end_s):
    hop = int(0.01 * emulator.SAMPLE_RATE)
    a, b = int(start_s * emulator.SAMPLE_RATE) // hop, int(end_s * emulator.SAMPLE_RATE) // hop
    frames = x[a * hop:b * hop].astype(np.float64).reshape(-1, hop)
    level = 10 * np.log10(np.mean(frames ** 2, axis=1))
    return np.polyfit(np.arange(len(level)) * 0.01, level, 1)[0]


def _decay_then_release(sustain_rate, release_rate, sustain_level=0, decay_rate=0):
    carrier = Operator(total_level=0, decay_rate=decay_rate, sustain_level=sustain_level,
                       sustain_rate=sustain_rate, release_rate=release_rate)
    return Patch(algorithm=7, operators=(carrier, SILENT, SILENT, SILENT)).to_params()


def test_the_release_keeps_the_slope_of_the_second_decay():
    v = continue_decay(_decay_then_release(sustain_rate=9, release_rate=15))
    assert v[P.op_base(0) + P.RELEASE_RATE] == 4
    n, key_off = emulator.SAMPLE_RATE, emulator.SAMPLE_RATE // 2
    x = emulator.render_patch(v, 4, 1000, n, key_off)
    held, released = _slope_db_per_s(x, 0.1, 0.5), _slope_db_per_s(x, 0.55, 0.95)
    assert held < -5                                  # it does decay
    assert abs(released - held) < 0.1 * abs(held)
    # the release it replaced would have cut the note off
    cut = emulator.render_patch(_decay_then_release(9, 15), 4, 1000, n, key_off)
    assert np.abs(cut[key_off + 2000:]).max() == 0


def test_a_first_decay_to_silence_is_the_one_continued_and_a_held_note_keeps_its_release():
    v = continue_decay(_decay_then_release(sustain_rate=0, release_rate=15, sustain_level=15, decay_rate=13))
    assert v[P.op_base(0) + P.RELEASE_RATE] == 6
    held = _decay_then_release(sustain_rate=0, release_rate=11)
    assert np.array_equal(continue_decay(held), held)

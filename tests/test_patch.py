"""The Patch type: validation, and its register writes as the chip hears them."""
import numpy as np
import pytest

import emulator
from fmfit.patch import Operator, Patch, PatchError
from tests.test_emulator.ymfm_reference import ymfm_render


def test_out_of_range_fields_are_refused_by_name():
    with pytest.raises(PatchError, match="total_level"):
        Operator(total_level=128)
    with pytest.raises(PatchError, match="algorithm"):
        Patch(algorithm=8)


@pytest.mark.parametrize("channel", [0, 4])
def test_register_writes_load_the_patch_into_any_channel(channel):
    """Loaded into channel 1 or 5 of ymfm-py, the patch sounds as the emulator renders it."""
    patch = Patch(algorithm=4, feedback=5, ams=1, fms=2, operators=(
        Operator(multiple=2, detune=-1, total_level=30, decay_rate=5, am=True),
        Operator(total_level=4, sustain_level=3, decay_rate=7),
        Operator(multiple=3, detune=2, total_level=40, ssg_eg=2),
        Operator(total_level=8, release_rate=9)))
    bank, ch = divmod(channel, 3)
    base = 0x100 * bank + ch
    writes = [(0, a, d) for a, d in patch.register_writes(channel)]
    writes += [(0, 0xA4 + base, 4 << 3 | 700 >> 8), (0, 0xA0 + base, 700 & 0xFF),
               (0, 0x28, 0xF0 | ch | bank << 2), (3000, 0x28, ch | bank << 2)]
    left = ymfm_render(writes, 4000)
    ours = emulator.render_patch(patch.to_params(), 4, 700, 4000, 3000)
    np.testing.assert_array_equal(left, [emulator.ymfm_output(int(v)) for v in ours])

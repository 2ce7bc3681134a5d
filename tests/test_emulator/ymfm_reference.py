"""ymfm-py, the independent reference: timed register writes in, channel 1's values out."""
import numpy as np
import ymfm

CLOCK = 7_670_453
# ymfm-py's left output for channel values -257..256 (docs/ym2612.md §9): strictly
# increasing, so it can be inverted exactly.
_V = np.arange(-257, 257)
_D = np.where(_V >= 0, _V + 4, _V - 3) + 20
_OUT = np.sign(_D) * ((np.abs(_D) * 8192) // 390)


def ymfm_render(writes, n_samples: int) -> np.ndarray:
    """Left output of a fresh ymfm-py YM2612 for [(sample, address, data), ...]."""
    chip = ymfm.YM2612(clock=CLOCK)
    buf = np.zeros((n_samples, 2), np.int32)     # generate_into: generate() leaks in 0.2.0
    writes = sorted(writes, key=lambda w: w[0])
    pos = 0
    for t, addr, data in writes + [(n_samples, None, None)]:
        if t > pos:
            chip.generate_into(buf[pos:t])
            pos = t
        if addr is None:
            break
        if addr >= 0x100:
            chip.write_address_hi(addr & 0xFF)
            chip.write_data_hi(data)
        else:
            chip.write_address(addr)
            chip.write_data(data)
    return buf[:, 0].copy()


def channel_values(left: np.ndarray) -> np.ndarray:
    """Invert the ladder and scaling: ymfm-py left output -> the channel's 9-bit value."""
    idx = np.searchsorted(_OUT, left)
    if np.any(idx >= len(_OUT)) or np.any(_OUT[np.minimum(idx, len(_OUT) - 1)] != left):
        raise AssertionError("ymfm output is not a one-channel value")
    return _V[idx]

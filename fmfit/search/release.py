"""A release for a note whose release the sample does not show."""
from __future__ import annotations

import numpy as np

from emulator import params as P

SILENT_SUSTAIN_LEVEL = 15      # D1L 15 (93 dB): the first decay runs to silence


def continue_decay(v: np.ndarray) -> np.ndarray:
    """`v` with each operator's release rate set to carry on its last decay.

    When no note-off is found the search never hears the release rate, and whatever it
    was left at plays when the user lets go of the key: a bell that stops dead, or a
    pluck that rings on. A note-off goes unfound mostly where nothing changes at it, so
    the release carries on the decay. (Musicians' patches release faster, by a median 3
    steps, but that rule did worse on validation renders whose note-off went unfound.)
    On the chip a release's raw rate is 4 RR + 2 and a decay's 2 D1R or 2 D2R, so
    RR = (D - 1) / 2 keeps the slope (rounded half up: D // 2). An operator that holds (no
    last decay) keeps its RR.
    """
    w = np.array(v, np.int64, copy=True)
    for op in range(4):
        b = P.op_base(op)
        last = w[b + P.DECAY_RATE] if w[b + P.SUSTAIN_LEVEL] == SILENT_SUSTAIN_LEVEL else w[b + P.SUSTAIN_RATE]
        if last > 0:
            w[b + P.RELEASE_RATE] = last // 2          # D <= 31, so RR <= 15
    return w

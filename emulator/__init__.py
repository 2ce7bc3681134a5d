"""A YM2612 (OPN2) channel emulator in numba, bit-exact with ymfm for one channel.

It knows registers and samples, nothing of files or audio analysis.
"""
from ._numba_cache import drop_stale_cache

drop_stale_cache()   # before any cached numba function is loaded

from . import params  # noqa: E402
from .chip import CLOCK, SAMPLE_RATE, ymfm_output  # noqa: E402
from .render import render_batch, render_patch, render_register_writes, to_float  # noqa: E402

__all__ = ["CLOCK", "SAMPLE_RATE", "params", "render_batch", "render_patch",
           "render_register_writes", "to_float", "ymfm_output"]

"""A YM2612 (OPN2) channel emulator in numba, bit-exact with ymfm for one channel.

It knows registers and samples, nothing of files or audio analysis.
"""
from . import params
from .chip import CLOCK, SAMPLE_RATE, ymfm_output
from .render import render_batch, render_patch, render_register_writes, to_float

__all__ = ["CLOCK", "SAMPLE_RATE", "params", "render_batch", "render_patch",
           "render_register_writes", "to_float", "ymfm_output"]

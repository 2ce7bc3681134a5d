"""Hypothesis strategies and small builders shared by the format tests."""
from __future__ import annotations

import struct

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fmfit.patch import Operator, Patch

#: Round trips and reader checks: fast per example, so a moderate count suffices.
ROUND_TRIP = settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])
#: Fuzzing a reader with random or mutated bytes.
FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
#: Tests that touch the file system or parse with a slow third-party reader.
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

operators = st.builds(
    Operator,
    multiple=st.integers(0, 15), detune=st.integers(-3, 3), total_level=st.integers(0, 127),
    attack_rate=st.integers(0, 31), decay_rate=st.integers(0, 31),
    sustain_level=st.integers(0, 15), sustain_rate=st.integers(0, 31),
    release_rate=st.integers(0, 15), rate_scaling=st.integers(0, 3), am=st.booleans(),
    ssg_eg=st.none() | st.integers(0, 7),
)

names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                max_size=40)

patches = st.builds(
    Patch,
    algorithm=st.integers(0, 7), feedback=st.integers(0, 7),
    operators=st.tuples(operators, operators, operators, operators),
    ams=st.integers(0, 3), fms=st.integers(0, 7), name=names,
)


def sample_patch(name: str = "sample") -> Patch:
    """A patch whose every operator differs, so slot-order mistakes show."""
    ops = tuple(Operator(multiple=i + 1, detune=i - 2, total_level=10 * (i + 1),
                         attack_rate=31 - i, decay_rate=i + 3, sustain_level=i + 4,
                         sustain_rate=i + 5, release_rate=i + 6, rate_scaling=i % 4,
                         am=i % 2 == 1, ssg_eg=None if i % 2 else i)
                for i in range(4))
    return Patch(algorithm=4, feedback=5, operators=ops, ams=2, fms=3, name=name)


def btb_bytes(instruments: list[tuple[str, int, Patch | None]]) -> bytes:
    """A BambooTracker bank (.btb, v1.3 layout) built from (name, type, patch) triples.

    Type 0 = FM (with `patch`), 1 = SSG (patch None). FM instruments get envelope n and,
    when the patch uses the LFO or AM, LFO n, where n is their position among the FM ones.
    """
    def u32(value: int) -> bytes:
        return struct.pack("<I", value)

    details, envelopes, lfos = b"", [], []
    for index, (name, kind, patch) in enumerate(instruments):
        raw = name.encode("utf-8")
        body = u32(len(raw)) + raw + bytes([kind])
        if kind == 0:
            number = len(envelopes)
            uses_lfo = patch.uses_lfo or any(op.am for op in patch.operators)
            body += bytes([number, number if uses_lfo else 0x80, 0x80, 0x80]) + b"\x80" * 48
            env = bytearray([patch.algorithm << 4 | patch.feedback])
            for op in patch.operators:
                env += bytes([0x20 | op.attack_rate, op.rate_scaling << 5 | op.decay_rate,
                              op.detune_register << 5 | op.sustain_rate,
                              op.sustain_level << 4 | op.release_rate, op.total_level,
                              (8 if op.ssg_eg is None else op.ssg_eg) << 4 | op.multiple])
            envelopes.append(bytes([number, 1 + len(env)]) + env)
            if uses_lfo:
                am = sum(int(op.am) << (4 + i) for i, op in enumerate(patch.operators))
                lfos.append(bytes([number, 4, patch.fms, am | patch.ams, 0]))
        else:
            body += b"\x80" * 5
        details += bytes([index]) + u32(4 + len(body)) + body
    section = bytes([len(instruments)]) + details
    props = b""
    if envelopes:
        props += bytes([0x00, len(envelopes)]) + b"".join(envelopes)
    if lfos:
        props += bytes([0x01, len(lfos)]) + b"".join(lfos)
    # An SSG sequence subsection (u16 sizes) that the reader must skip.
    props += bytes([0x31, 1, 0]) + struct.pack("<HH", 10, 1) + struct.pack("<H", 0) + b"\0\0\0\0"
    body = (u32(0x00010300) + b"INSTRMNT" + u32(4 + len(section)) + section
            + b"INSTPROP" + u32(4 + len(props)) + props)
    return b"BambooTrackerBnk" + u32(4 + len(body)) + body

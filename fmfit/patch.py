"""The one patch type every part of fmfit speaks.

Formats read and write a `Patch`, the emulator renders it, the search proposes it.
Operators are kept in the chip's *logical* order OP1..OP4 (the order the algorithm
diagrams use).  The register/slot order S1, S3, S2, S4 that almost every file format
stores is converted in exactly one place: `SLOT_ORDER` below.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from emulator import params as P

#: File/register slot s (offsets +0, +4, +8, +C) holds logical operator SLOT_ORDER[s].
#: Slot order is S1,S3,S2,S4, so slot 1 (+4) is OP3 and slot 2 (+8) is OP2.
SLOT_ORDER = (0, 2, 1, 3)

#: Which operators are carriers (heard directly) for each algorithm, logical OP1..OP4.
CARRIERS = (
    (3,), (3,), (3,), (3,), (1, 3), (1, 2, 3), (1, 2, 3), (0, 1, 2, 3),
)

#: modulators[alg][op] = operators whose output modulates `op` (OP1 also has feedback).
MODULATORS = (
    ((), (0,), (1,), (2,)),
    ((), (), (0, 1), (2,)),
    ((), (), (1,), (0, 2)),
    ((), (0,), (), (1, 2)),
    ((), (0,), (), (2,)),
    ((), (0,), (0,), (0,)),
    ((), (0,), (), ()),
    ((), (), (), ()),
)


class PatchError(ValueError):
    """A patch field is out of range."""


def _check(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise PatchError(f"{name} must be an integer, got {value!r}")
    if not lo <= int(value) <= hi:
        raise PatchError(f"{name} must be in {lo}..{hi}, got {value}")
    return int(value)


@dataclass(frozen=True)
class Operator:
    """One FM operator. Field names follow the YM2612 manual, spelled out."""

    multiple: int = 1          # MUL 0-15 (0 means x0.5)
    detune: int = 0            # DT -3..+3 (register 4 is "-0", the same as 0)
    total_level: int = 0       # TL 0-127 (0.75 dB steps, 0 is loudest)
    attack_rate: int = 31      # AR 0-31
    decay_rate: int = 0        # D1R 0-31
    sustain_level: int = 0     # D1L 0-15 (3 dB steps; 15 is 93 dB)
    sustain_rate: int = 0      # D2R 0-31
    release_rate: int = 15     # RR 0-15
    rate_scaling: int = 0      # RS / KS 0-3
    am: bool = False           # AM enable (LFO amplitude modulation)
    ssg_eg: int | None = None  # SSG-EG mode 0-7, or None when off

    def __post_init__(self):
        for name, lo, hi in (
            ("multiple", 0, 15), ("detune", -3, 3), ("total_level", 0, 127),
            ("attack_rate", 0, 31), ("decay_rate", 0, 31), ("sustain_level", 0, 15),
            ("sustain_rate", 0, 31), ("release_rate", 0, 15), ("rate_scaling", 0, 3),
        ):
            object.__setattr__(self, name, _check(name, getattr(self, name), lo, hi))
        if not isinstance(self.am, (bool, np.bool_, int, np.integer)) or int(self.am) not in (0, 1):
            raise PatchError(f"am must be on or off, got {self.am!r}")
        object.__setattr__(self, "am", bool(self.am))
        if self.ssg_eg is not None:
            object.__setattr__(self, "ssg_eg", _check("ssg_eg", self.ssg_eg, 0, 7))

    @property
    def detune_register(self) -> int:
        """DT as the chip stores it: 0..3 = +0..+3, 5..7 = -1..-3."""
        return self.detune if self.detune >= 0 else 4 - self.detune

    @staticmethod
    def detune_from_register(value: int) -> int:
        value = int(value) & 7
        return value if value < 4 else -(value - 4)

    @property
    def ssg_register(self) -> int:
        """SSG-EG as the chip stores it: bit 3 enable, bits 2-0 mode."""
        return 0 if self.ssg_eg is None else 8 | self.ssg_eg

    @staticmethod
    def ssg_from_register(value: int) -> int | None:
        value = int(value)
        return (value & 7) if value & 8 else None

    def replace(self, **changes) -> "Operator":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Patch:
    """A YM2612 instrument: one channel's algorithm, feedback, LFO sensitivity and 4 operators."""

    algorithm: int = 0
    feedback: int = 0
    operators: tuple[Operator, Operator, Operator, Operator] = field(
        default_factory=lambda: (Operator(),) * 4)
    ams: int = 0               # LFO amplitude sensitivity 0-3
    fms: int = 0               # LFO frequency (phase) sensitivity 0-7
    name: str = ""

    def __post_init__(self):
        for name, lo, hi in (("algorithm", 0, 7), ("feedback", 0, 7), ("ams", 0, 3), ("fms", 0, 7)):
            object.__setattr__(self, name, _check(name, getattr(self, name), lo, hi))
        ops = tuple(self.operators)
        if len(ops) != 4 or not all(isinstance(op, Operator) for op in ops):
            raise PatchError("a patch needs exactly four Operator values")
        object.__setattr__(self, "operators", ops)
        object.__setattr__(self, "name", str(self.name))

    # -- convenience ------------------------------------------------------------------
    def replace(self, **changes) -> "Patch":
        return dataclasses.replace(self, **changes)

    def with_operator(self, index: int, **changes) -> "Patch":
        ops = list(self.operators)
        ops[index] = ops[index].replace(**changes)
        return self.replace(operators=tuple(ops))

    @property
    def carriers(self) -> tuple[int, ...]:
        return CARRIERS[self.algorithm]

    @property
    def uses_lfo(self) -> bool:
        return self.ams != 0 or self.fms != 0

    def slot_operators(self) -> tuple[Operator, ...]:
        """Operators in register/file slot order S1, S3, S2, S4."""
        return tuple(self.operators[i] for i in SLOT_ORDER)

    @classmethod
    def from_slots(cls, slot_ops, **fields) -> "Patch":
        """Build from operators given in register/file slot order S1, S3, S2, S4."""
        ops = [None] * 4
        for slot, op in enumerate(slot_ops):
            ops[SLOT_ORDER[slot]] = op
        return cls(operators=tuple(ops), **fields)

    # -- to the emulator ---------------------------------------------------------------
    def to_params(self) -> np.ndarray:
        """The emulator's input: register values as one int32 vector (see emulator.params)."""
        v = np.zeros(P.SIZE, np.int32)
        v[P.ALGORITHM] = self.algorithm
        v[P.FEEDBACK] = self.feedback
        v[P.AMS] = self.ams
        v[P.FMS] = self.fms
        # The judge's convention: LFO on at rate 0 only when the patch is LFO-sensitive.
        v[P.LFO] = P.LFO_ENABLE | 0 if self.uses_lfo else 0
        for i, op in enumerate(self.operators):
            b = P.op_base(i)
            v[b + P.MULTIPLE] = op.multiple
            v[b + P.DETUNE] = op.detune_register
            v[b + P.TOTAL_LEVEL] = op.total_level
            v[b + P.ATTACK_RATE] = op.attack_rate
            v[b + P.DECAY_RATE] = op.decay_rate
            v[b + P.SUSTAIN_LEVEL] = op.sustain_level
            v[b + P.SUSTAIN_RATE] = op.sustain_rate
            v[b + P.RELEASE_RATE] = op.release_rate
            v[b + P.RATE_SCALING] = op.rate_scaling
            v[b + P.AM] = int(op.am)
            v[b + P.SSG_EG] = op.ssg_register
        return v

    @classmethod
    def from_params(cls, v, name: str = "") -> "Patch":
        v = [int(x) for x in v]
        ops = []
        for i in range(4):
            b = P.op_base(i)
            ops.append(Operator(
                multiple=v[b + P.MULTIPLE], detune=Operator.detune_from_register(v[b + P.DETUNE]),
                total_level=v[b + P.TOTAL_LEVEL], attack_rate=v[b + P.ATTACK_RATE],
                decay_rate=v[b + P.DECAY_RATE], sustain_level=v[b + P.SUSTAIN_LEVEL],
                sustain_rate=v[b + P.SUSTAIN_RATE], release_rate=v[b + P.RELEASE_RATE],
                rate_scaling=v[b + P.RATE_SCALING], am=bool(v[b + P.AM]),
                ssg_eg=Operator.ssg_from_register(v[b + P.SSG_EG])))
        return cls(algorithm=v[P.ALGORITHM], feedback=v[P.FEEDBACK], ams=v[P.AMS], fms=v[P.FMS],
                   operators=tuple(ops), name=name)

    def register_writes(self, channel: int = 0) -> list[tuple[int, int]]:
        """(address, data) writes that load this patch into a channel (0-5); no key-on."""
        from emulator.render import patch_register_writes

        return patch_register_writes(self.to_params(), channel)

    # -- comparing sounds ---------------------------------------------------------------
    def audible_operators(self) -> tuple[int, ...]:
        """Operators that can reach the output: carriers, and modulators feeding them.

        An operator at TL 127 is -95 dB, below the 9-bit DAC; it is silent as a carrier and
        modulates by well under one phase step, so it counts as inaudible.
        """
        heard = set()
        todo = [op for op in self.carriers if self.operators[op].total_level < 127]
        while todo:
            op = todo.pop()
            if op in heard:
                continue
            heard.add(op)
            todo.extend(m for m in MODULATORS[self.algorithm][op]
                        if self.operators[m].total_level < 127)
        return tuple(sorted(heard))

    def canonical(self) -> "Patch":
        """The same sound in one spelling, for comparing sounds rather than bytes.

        Inaudible operators become a fixed silent operator, feedback on an inaudible OP1
        is 0, the name is dropped, and unused LFO sensitivity is cleared.
        (Detune -0 already reads as +0: the type holds -3..+3.)
        """
        heard = self.audible_operators()
        silent = Operator(total_level=127)
        ops = tuple(op if i in heard else silent for i, op in enumerate(self.operators))
        uses_am = any(ops[i].am for i in heard)
        return Patch(
            algorithm=self.algorithm,
            feedback=self.feedback if 0 in heard else 0,
            operators=tuple(op.replace(am=op.am and self.ams != 0) for op in ops),
            ams=self.ams if uses_am else 0,
            fms=self.fms,
            name="",
        )

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["operators"] = [dataclasses.asdict(op) for op in self.operators]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Patch":
        ops = tuple(Operator(**op) for op in d["operators"])
        rest = {k: d[k] for k in ("algorithm", "feedback", "ams", "fms", "name") if k in d}
        return cls(operators=ops, **rest)

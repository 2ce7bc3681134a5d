"""Which algorithms can play a patch's sound exactly, and the patch that does it.

Many patches sound the same under several algorithms: an algorithm-7 patch with only OP4
audible is a plain sine that every algorithm can play; an algorithm-4 patch whose OP3
and OP4 are silent is the chain OP1 -> OP2 that algorithms 0-6 all hold somewhere.
Asking "did the model predict the right algorithm?" only makes sense up to this.

Algorithm b reproduces a patch exactly when some injective relabelling `pi` of the
patch's audible operators (Patch.audible_operators) onto b's operators keeps:

 (i)   the modulation edges: m -> c between audible operators exactly when
       pi(m) -> pi(c) in b (no edge missing, none extra, direction kept);
 (ii)  the carriers: an audible operator is a carrier exactly when its image is one of b's;
 (iii) feedback: the channel's feedback acts on OP1 only, so when the patch's feedback is
       non-zero and OP1 is audible, pi(OP1) must be OP1. (When OP1 is silent, or the
       feedback is 0, the new patch's feedback is 0 and any operator may land on OP1.)
 (iv)  the carrier sum: the chip (ymfm, and fmfit's emulator, bit-exact with it) adds the
       carriers in the order OP4, OP1, OP2, OP3, clamping the 9-bit value after each
       addition. Saturating addition is not associative, so with three or more audible
       carriers their order in that sum must be kept (only the first two may swap: the
       first addition cannot clip). Without clipping the order would not matter, but a
       rule that is exact for every patch cannot know whether it clips. This clause only
       picks among relabellings: it never removes an algorithm from the reachable set
       (three or more carriers exist only in algorithms 5-7, whose carriers can always be
       placed in order; tests/test_algorithms.py checks this for every structure).

Operators of b left unmapped are silenced (TL 127: -95 dB, which the chip's attenuation
to volume conversion turns into exactly 0, as a carrier and as a modulator), so they
never block. Modulation inputs are summed before the >> 1 and envelopes, phases, AM and
SSG-EG are per operator, so nothing else depends on an operator's position.
The identity always qualifies: a patch's own algorithm is always reachable.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import permutations

from .patch import CARRIERS, MODULATORS, Operator, Patch

#: The order in which the chip adds the carriers (clamping after each addition).
SUM_ORDER = (3, 0, 1, 2)

#: The operator put where nothing of the patch lands: TL 127 outputs exactly 0.
SILENT = Operator(total_level=127)


@lru_cache(maxsize=None)
def _edges(algorithm: int) -> frozenset[tuple[int, int]]:
    """(modulator, modulated) pairs of an algorithm (OP1's feedback is not an edge)."""
    return frozenset((m, c) for c, mods in enumerate(MODULATORS[algorithm]) for m in mods)


def _carrier_sequence(carriers, position) -> tuple:
    """Carriers in the order the chip sums them, the first two as a set (they commute)."""
    seq = sorted(carriers, key=lambda op: SUM_ORDER.index(position(op)))
    return (frozenset(seq[:2]), tuple(seq[2:]))


def _valid(pi: dict[int, int], patch: Patch, audible: tuple[int, ...], target: int,
           sum_order: bool = True) -> bool:
    """Whether relabelling `pi` of the audible operators onto algorithm `target` keeps the
    sound (clauses (i)-(iv) of the module docstring; (iv) only when `sum_order`)."""
    src_edges, dst_edges = _edges(patch.algorithm), _edges(target)
    for a in audible:                                       # (i) edges, both directions
        for b in audible:
            if ((a, b) in src_edges) != ((pi[a], pi[b]) in dst_edges):
                return False
    src_car, dst_car = set(CARRIERS[patch.algorithm]), set(CARRIERS[target])
    heard = [a for a in audible if a in src_car]
    if any((a in src_car) != (pi[a] in dst_car) for a in audible):    # (ii) carriers
        return False
    if patch.feedback > 0 and 0 in audible and pi[0] != 0:             # (iii) feedback
        return False
    # (iv) the saturating carrier sum: the same operators in the same order
    return not sum_order or _carrier_sequence(heard, lambda op: op) == _carrier_sequence(heard, lambda op: pi[op])


def operator_mapping(patch: Patch, algorithm: int) -> dict[int, int] | None:
    """A relabelling {patch operator: operator of `algorithm`} of the audible operators
    under which `algorithm` plays the patch's sound exactly, or None when none exists.

    The identity is tried first, so a patch's own algorithm maps every operator to itself.
    """
    if not 0 <= int(algorithm) <= 7:
        raise ValueError(f"algorithm must be 0-7, got {algorithm!r}")
    audible = patch.audible_operators()
    identity = {a: a for a in audible}
    if _valid(identity, patch, audible, algorithm):
        return identity
    for image in permutations(range(4), len(audible)):
        pi = dict(zip(audible, image))
        if _valid(pi, patch, audible, algorithm):
            return pi
    return None


def reachable_algorithms(patch: Patch) -> frozenset[int]:
    """The algorithms (0-7) that can reproduce the patch's sound exactly (the module
    docstring gives the rule); always holds the patch's own algorithm."""
    return frozenset(b for b in range(8)
                     if b == patch.algorithm or operator_mapping(patch, b) is not None)


def equivalent_patch(patch: Patch, algorithm: int) -> Patch | None:
    """The patch under `algorithm` that sounds exactly like `patch`, or None.

    Audible operators move by the mapping of operator_mapping (fields unchanged), every
    other operator is a silent TL 127 operator; feedback is kept when OP1 stays OP1 and
    is 0 otherwise; AMS, FMS and the name are kept.
    """
    pi = operator_mapping(patch, algorithm)
    if pi is None:
        return None
    ops = [SILENT] * 4
    for src, dst in pi.items():
        ops[dst] = patch.operators[src]
    feedback = patch.feedback if pi.get(0) == 0 else 0
    return patch.replace(algorithm=int(algorithm), feedback=feedback, operators=tuple(ops))

"""bench_warmstart's by-ear reachability: an inaudible operator widens the set, audible ones do not."""
import pytest

from fmfit.algorithms import SILENT, reachable_algorithms
from fmfit.patch import Operator, Patch
from tests.conftest import benchmark_module


@pytest.fixture(scope="module")
def bench():
    return benchmark_module("bench_warmstart")


def two_chains(op1_tl: int) -> Patch:
    """Algorithm 4 (OP1 -> OP2, OP3 -> OP4), OP1 at `op1_tl`, feedback 3."""
    return Patch(algorithm=4, feedback=3, operators=(
        Operator(multiple=3, total_level=op1_tl), Operator(multiple=1, total_level=0),
        Operator(multiple=2, total_level=30), Operator(multiple=1, total_level=8, decay_rate=5)))


def test_muted_silences_the_rest_and_drops_feedback_only_with_op1(bench):
    p = two_chains(20)
    q = bench.muted(p, (1, 2, 3))
    assert q.operators == (SILENT, *p.operators[1:]) and q.feedback == 0
    r = bench.muted(p, (0, 1))
    assert r.operators == (*p.operators[:2], SILENT, SILENT) and r.feedback == 3


def test_an_inaudible_modulator_widens_the_set_by_ear(bench):
    p = two_chains(110)           # OP1 at -82.5 dB: audible to the exact rule, not to the ear
    assert reachable_algorithms(p) == {4}
    r = bench.reachable_by_ear(p, 60)
    assert r["exact"] == {4}
    assert r["by_ear"] == {4, 6}  # OP2 alone plus the chain OP3 -> OP4: algorithm 6 holds it
    assert r["failed"] == [] and all(d <= bench.NEAR for d in r["checked"].values())
    assert [1, 2, 3] in [keep for keep, _ in r["same_sound"]]


def test_clearly_audible_operators_keep_the_exact_set(bench):
    p = two_chains(20)
    r = bench.reachable_by_ear(p, 60)
    assert r["by_ear"] == r["exact"] == reachable_algorithms(p) == {4}
    assert r["same_sound"] == [([0, 1, 2, 3], 0.0)] and r["failed"] == []


def test_by_search_adds_exactly_the_algorithms_whose_search_is_judged_near_identical(bench, monkeypatch):
    import types

    import fmfit.matching

    asked = []

    def fake_match(audio, rate, *, note, algorithms, renders, seed):
        asked.append((note, tuple(algorithms), renders, seed))
        return types.SimpleNamespace(patch=two_chains(20).replace(algorithm=algorithms[0]), renders=renders)

    lsd = {0: 0.4, 1: 1.0, 2: 1.01, 3: 7.0, 5: 0.99, 6: 3.0, 7: 0.0}   # the judge's verdict per algorithm
    monkeypatch.setattr(fmfit.matching, "match", fake_match)
    monkeypatch.setattr(bench.J, "score_patch", lambda patch, *a: {"lsd_db": lsd[patch.algorithm]})
    target = types.SimpleNamespace(audio=None, midi=57, hold_s=2.0, release_s=1.0)
    r = bench.reachable_by_search(target, frozenset({4}), 300, 5)
    assert r["by_search"] == {0, 1, 4, 5, 7}                 # lsd_db <= 1.0, plus what was known
    assert [a for _, (a,), _, _ in asked] == [0, 1, 2, 3, 5, 6, 7]   # the known algorithm is not searched
    assert all(note == 57 and renders == 300 and seed == 5 for note, _, renders, seed in asked)
    assert r["renders"] == 7 * 300 and set(r["lsd_db"]) == {0, 1, 2, 3, 5, 6, 7}

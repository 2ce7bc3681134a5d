"""bench_warmstart's by-ear reachability: an inaudible operator widens the set, audible ones do not."""
import importlib.util
from pathlib import Path

import pytest

from fmfit.algorithms import SILENT, reachable_algorithms
from fmfit.patch import Operator, Patch

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_warmstart.py"


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("ymfm")
    spec = importlib.util.spec_from_file_location("bench_warmstart", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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

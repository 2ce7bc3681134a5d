"""bench_match's fragile/robust split: judged by ymfm-py, a plain tone survives being played
one fnum step sharp; a chain of loud modulators with feedback does not."""
import pytest

from fmfit.algorithms import SILENT
from fmfit.patch import Operator, Patch
from tests.conftest import benchmark_module


@pytest.fixture(scope="module")
def bench():
    return benchmark_module("bench_match")


def fragility_of(bench, patch: Patch, midi: int) -> float:
    J = bench.J
    return J.fragility(patch, J.make_render_target(patch, midi), midi)


def test_a_plain_tone_is_robust(bench):
    tone = Patch(algorithm=7, feedback=0, operators=(
        SILENT, SILENT, SILENT, Operator(multiple=1, total_level=0, decay_rate=4, sustain_level=3)))
    assert fragility_of(bench, tone, 60) < 0.5


def test_a_chain_of_loud_modulators_with_feedback_is_fragile(bench):
    chain = Patch(algorithm=0, feedback=5, operators=(
        Operator(multiple=2, total_level=0, attack_rate=18),
        Operator(multiple=8, detune=-3, total_level=32, attack_rate=18, decay_rate=11, sustain_level=2),
        Operator(multiple=1, detune=-3, total_level=18, attack_rate=26, decay_rate=8, sustain_level=1),
        Operator(multiple=4, total_level=7, attack_rate=28, decay_rate=11, sustain_level=1, sustain_rate=3)))
    assert fragility_of(bench, chain, 58) > 2.0


def test_near_identical_counts_split_by_fragility(bench):
    def row(fragility, lsd):
        return {"fragility": fragility, "fmfit": {"metrics": {"lsd_db": lsd}}}

    rows = [row(0.2, 0.5), row(0.4, 3.0), row(2.5, 0.9), row(6.0, 7.0), row(1.5, 1.2),
            {"fragility": 0.3, "fmfit": {"error": "boom"}}]
    assert bench.near_identical_by_fragility(rows, "fmfit") == {"robust": [1, 3], "fragile": [1, 3]}

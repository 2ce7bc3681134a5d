"""fmfit.describe: the plain-text view of a patch."""
import re

import pytest
from hypothesis import given

from fmfit.describe import ALGORITHM_GRAPHS, algorithm_graph, describe
from fmfit.patch import CARRIERS, MODULATORS

from .helpers import ROUND_TRIP, patches, sample_patch


def test_header_and_table():
    text = describe(sample_patch("Slap Bass"))
    assert "name: Slap Bass" in text
    assert "algorithm 4   feedback 5   AMS 2   FMS 3" in text
    header = next(line for line in text.splitlines() if "OP1" in line)
    assert header.split() == ["OP1", "OP2*", "OP3", "OP4*"]          # ALG 4: carriers 2, 4
    rows = {line[:15].strip(): line[15:].split() for line in text.splitlines()}
    assert rows["total level"] == ["10", "20", "30", "40"]
    assert rows["detune"] == ["-2", "-1", "0", "+1"]
    assert rows["AM"] == ["off", "on", "off", "on"]
    assert rows["SSG-EG"] == ["0", "off", "2", "off"]
    assert rows["role"] == ["modulator", "carrier", "modulator", "carrier"]
    assert rows["modulated by"] == ["fb", "5", "OP1", "-", "OP3"]


@pytest.mark.parametrize("algorithm", range(8))
def test_graph_shows_every_operator_once_and_the_output(algorithm):
    graph = "\n".join(ALGORITHM_GRAPHS[algorithm])
    assert sorted(re.findall(r"\[(\d)\]", graph)) == ["1", "2", "3", "4"]
    assert graph.count("out") == 1


@pytest.mark.parametrize("algorithm", range(8))
def test_graph_chains_follow_modulators(algorithm):
    """Every "[a]->[b]" drawn is a real modulation a -> b."""
    for line in ALGORITHM_GRAPHS[algorithm]:
        for a, b in re.findall(r"\[(\d)\]->\[(\d)\]", line):
            assert int(a) - 1 in MODULATORS[algorithm][int(b) - 1]
        for a, b in re.findall(r"\[(\d)\]─*┴─>\[(\d)\]", line):
            assert int(a) - 1 in MODULATORS[algorithm][int(b) - 1]


def test_algorithm_4_matches_the_brief():
    assert algorithm_graph(4) == ["[1]->[2]──┐", "[3]->[4]──┴─> out"]


@pytest.mark.parametrize("algorithm", range(8))
def test_feedback_is_marked_above_op1(algorithm):
    lines = algorithm_graph(algorithm, feedback=6)
    row = next(i for i, line in enumerate(lines) if "[1]" in line)
    col = lines[row].index("[1]")
    assert lines[row - 1][col:col + 4] == "fb 6"
    assert "fb" not in "\n".join(algorithm_graph(algorithm, feedback=0))


@ROUND_TRIP
@given(patches)
def test_describe_any_patch(patch):
    text = describe(patch)
    stars = next(line for line in text.splitlines() if "OP1" in line).count("*")
    assert stars == len(CARRIERS[patch.algorithm])
    assert text.endswith("out\n")

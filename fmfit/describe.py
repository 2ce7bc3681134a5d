"""A patch as readable plain text: a table of its fields and its algorithm as a graph.

`fmfit show FILE` prints `describe(patch)` for each patch in the file.
"""
from __future__ import annotations

from fmfit.patch import CARRIERS, MODULATORS, Patch

#: Operator graphs: "[n]" is OPn, "->" a modulation, "─> out" the output.
#: Checked against MODULATORS/CARRIERS by the tests.
ALGORITHM_GRAPHS: tuple[tuple[str, ...], ...] = (
    ("[1]->[2]->[3]->[4]─> out",),
    ("[1]──┐",
     "[2]──┴─>[3]->[4]─> out"),
    ("[1]───────────┐",
     "[2]->[3]──────┴─>[4]─> out"),
    ("[1]->[2]──┐",
     "[3]───────┴─>[4]─> out"),
    ("[1]->[2]──┐",
     "[3]->[4]──┴─> out"),
    ("     ┌─>[2]──┐",
     "[1]──┼─>[3]──┤",
     "     └─>[4]──┴─> out"),
    ("[1]->[2]──┐",
     "     [3]──┤",
     "     [4]──┴─> out"),
    ("[1]──┐",
     "[2]──┤",
     "[3]──┤",
     "[4]──┴─> out"),
)

#: (row label, value of an operator as text), in the order the table shows them.
ROWS = (
    ("multiple", lambda op: "x0.5" if op.multiple == 0 else str(op.multiple)),
    ("detune", lambda op: f"{op.detune:+d}" if op.detune else "0"),
    ("total level", lambda op: str(op.total_level)),
    ("attack rate", lambda op: str(op.attack_rate)),
    ("decay rate", lambda op: str(op.decay_rate)),
    ("sustain level", lambda op: str(op.sustain_level)),
    ("sustain rate", lambda op: str(op.sustain_rate)),
    ("release rate", lambda op: str(op.release_rate)),
    ("rate scaling", lambda op: str(op.rate_scaling)),
    ("AM", lambda op: "on" if op.am else "off"),
    ("SSG-EG", lambda op: "off" if op.ssg_eg is None else str(op.ssg_eg)),
)

LABEL_WIDTH = 15
COLUMN_WIDTH = 10


def algorithm_graph(algorithm: int, feedback: int = 0) -> list[str]:
    """The operator graph of `algorithm` as lines; feedback is marked above OP1."""
    lines = list(ALGORITHM_GRAPHS[algorithm])
    if feedback:
        label = f"fb {feedback}"
        row = next(i for i, line in enumerate(lines) if "[1]" in line)
        col = lines[row].index("[1]")
        above = lines[row - 1] if row > 0 else ""
        if row > 0 and not above[col:col + len(label) + 1].strip():
            lines[row - 1] = above[:col] + label + above[col + len(label):]
        else:
            lines.insert(row, " " * col + label)
    return lines


def _cell(text: str) -> str:
    return text.rjust(COLUMN_WIDTH)


def _inputs(patch: Patch, op: int) -> str:
    """What modulates operator `op`: other operators, or OP1's own feedback."""
    sources = [f"OP{m + 1}" for m in MODULATORS[patch.algorithm][op]]
    if op == 0 and patch.feedback:
        sources.append(f"fb {patch.feedback}")
    return "+".join(sources) or "-"


def operator_table(patch: Patch) -> list[str]:
    """The operator fields as rows, one column per operator OP1..OP4."""
    carriers = CARRIERS[patch.algorithm]
    header = " " * LABEL_WIDTH + "".join(
        _cell(f"OP{i + 1}" + ("*" if i in carriers else "")) for i in range(4))
    role = "role".ljust(LABEL_WIDTH) + "".join(
        _cell("carrier" if i in carriers else "modulator") for i in range(4))
    inputs = "modulated by".ljust(LABEL_WIDTH) + "".join(
        _cell(_inputs(patch, i)) for i in range(4))
    rows = [label.ljust(LABEL_WIDTH) + "".join(_cell(value(op)) for op in patch.operators)
            for label, value in ROWS]
    return [header, role, inputs, *rows]


def describe(patch: Patch) -> str:
    """A readable plain-text description of `patch`: header, operator table, graph."""
    lines = []
    if patch.name:
        lines.append(f"name: {patch.name}")
    lines.append(f"algorithm {patch.algorithm}   feedback {patch.feedback}   "
                 f"AMS {patch.ams}   FMS {patch.fms}")
    lines.append("")
    lines += operator_table(patch)
    lines.append(" " * LABEL_WIDTH + "(* carrier: heard directly)")
    lines.append("")
    lines += algorithm_graph(patch.algorithm, patch.feedback)
    return "\n".join(lines) + "\n"

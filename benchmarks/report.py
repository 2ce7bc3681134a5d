"""Printing a benchmark's report: a table for people, JSON for machines."""
import json
from pathlib import Path


def emit(report: dict, json_arg, table: str) -> None:
    """`--json -` prints JSON instead of the table; `--json PATH` also writes it to PATH."""
    if json_arg == "-":
        print(json.dumps(report, indent=2, default=float))
        return
    print(table)
    if json_arg:
        Path(json_arg).write_text(json.dumps(report, indent=2, default=float) + "\n")

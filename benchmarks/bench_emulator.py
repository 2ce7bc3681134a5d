"""Emulator speed against ymfm-py, side by side in one run. Usage: bench_emulator.py [--json]"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmfit.bench import main  # noqa: E402

if __name__ == "__main__":
    main(as_json="--json" in sys.argv[1:])

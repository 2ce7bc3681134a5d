import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def shared_path(*parts) -> Path:
    """A path under ../shared, or a clean skip where the shared material is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared is only on developer and CI machines)")
    return p


def benchmark_module(name: str):
    """A script of benchmarks/ imported as a module, or a clean skip without ymfm-py (the
    judge's renderer, a test extra)."""
    pytest.importorskip("ymfm")
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module          # dataclasses look their module up as they are made
    spec.loader.exec_module(module)
    return module


def megatoy_vectors() -> np.ndarray:
    """Every patch of the bundled CC0 megatoy presets (tests/data/megatoy) as a register vector."""
    from fmfit.formats import read

    return np.array([p.to_params() for f in sorted((ROOT / "tests" / "data" / "megatoy").rglob("*.dmp"))
                     for p in read(f)], np.int64)

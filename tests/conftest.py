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


def megatoy_vectors() -> np.ndarray:
    """Every patch of the bundled CC0 megatoy presets (tests/data/megatoy) as a register vector."""
    from fmfit.formats import read

    return np.array([p.to_params() for f in sorted((ROOT / "tests" / "data" / "megatoy").rglob("*.dmp"))
                     for p in read(f)], np.int64)

"""Shared fixtures for the format tests: where the real corpus and the small fixtures are."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
# Let `import fmfit` work when the package is not installed into the environment.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """shared/corpus next to the repository; the test is skipped without it."""
    if not (CORPUS / "dev_patches.jsonl").is_file():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session")
def megatoy() -> Path:
    """The small committed CC0 megatoy fixtures (tests/data/megatoy)."""
    return DATA / "megatoy"

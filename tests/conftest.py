"""Shared fixtures: the real Adult data when it is present beside the project."""

import os
from pathlib import Path

import pytest

ADULT_DIR = Path(
    os.environ.get(
        "SKLEARN_ANON_ADULT_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "adult",
    )
)


@pytest.fixture(scope="session")
def adult_dir():
    """Folder holding adult.csv / adult.data / adult.test and ARX's hierarchies."""
    if not (ADULT_DIR / "adult.csv").exists():
        pytest.skip(f"Adult data not found at {ADULT_DIR} (set SKLEARN_ANON_ADULT_DIR)")
    return ADULT_DIR

"""Shared test helpers: where the shared corpus of real reports is (tests that need
it skip cleanly when it is absent, so a fresh clone still passes)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EXTRACTOR_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))
REAL = SHARED / "real"
GOLD = SHARED / "gold"

# the real plain-text reports with gold annotations (doc_id -> file)
TEXT_DOCS = {
    "songbei-chuankou-2020": "songbei-chuankou-2020.txt",
    "pingtan-2019": "pingtan-2019.txt",
    "pingtan-2020": "pingtan-2020.txt",
    "pingtan-2021": "pingtan-2021.txt",
    "pingtan-tax-2013": "pingtan-tax-2013.txt",
}


def real_file(name: str) -> Path:
    p = REAL / name
    if not p.exists():
        pytest.skip(f"shared corpus not available ({p} missing); set EXTRACTOR_SHARED_CORPUS to run")
    return p

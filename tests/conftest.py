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


@pytest.fixture(scope="session")
def bundled_datasets(tmp_path_factory) -> Path:
    """`extractor run corpus --out …` run once per test session from the repository root (as
    the README does: reports.path is then "corpus/…"); for the tests that read datasets."""
    import subprocess
    import sys

    if not any((REPO / "corpus" / "synthetic").glob("*")):
        pytest.skip("bundled corpus missing from corpus/")
    out = tmp_path_factory.mktemp("bundled") / "out"
    proc = subprocess.run([sys.executable, "-m", "extractor", "run", "corpus", "--out", str(out), "-q"],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out

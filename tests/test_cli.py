"""End to end: `extractor run` over a folder, the output contract, reproducibility, bad files."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from extractor.cli import main

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "seed" / "songbei-chuankou-2020.txt"


@pytest.fixture
def folder(tmp_path):
    if not SEED.exists():
        pytest.skip("seed report missing from corpus/seed")
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    shutil.copy(SEED, d / "sub" / SEED.name)
    (d / "garbage.txt").write_bytes(bytes(range(256)) * 10)
    (d / "empty.doc").write_bytes(b"")
    (d / "fake.pdf").write_bytes(b"%PDF-1.4 truncated")
    (d / "notes.md").write_text("not a report")
    return d


def run(folder, out):
    assert main(["run", str(folder), "--out", str(out), "-q"]) == 0


def test_run_writes_the_contract(folder, tmp_path):
    out = tmp_path / "out"
    run(folder, out)
    for name in ("reports", "sections", "cells", "findings", "wide"):
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == 4                                   # notes.md skipped, bad files kept
    by = dict(zip(reports.path.map(lambda p: Path(p).name), reports.status))
    assert by == {"songbei-chuankou-2020.txt": "ok", "garbage.txt": "failed", "empty.doc": "failed",
                  "fake.pdf": "failed"}
    errors = dict(zip(reports.path.map(lambda p: Path(p).name), reports.error))
    assert "garbage.txt" in errors["garbage.txt"] and "empty" in errors["empty.doc"]
    seed = reports[reports.status == "ok"].iloc[0]
    assert seed.template_version == "v2019" and seed.report_year == 2020
    assert str(seed.published_on) == "2020-01-31"
    cells = pd.read_parquet(out / "cells.parquet")
    assert cells["value"].dtype == "float64"
    assert set(cells.columns) >= {"report_id", "key", "table", "row_key", "col_key", "value", "raw", "status",
                                  "where"}
    c = cells.set_index("key").loc["t3.new_received.total"]
    assert c.value == 2 and c.raw == "2" and c.status == "ok" and "line" in c["where"]
    findings = pd.read_parquet(out / "findings.parquet")
    assert {"T3-BAL", "T3-TOTAL-ROW", "T3-TOTAL-COL", "TIME-EARLY", "FMT-TABLE-SHAPE"} <= set(findings.rule_id)
    bal = findings[findings.rule_id == "T3-BAL"].iloc[0]
    assert "t3.r_total.natural_person" in bal.cells and json.loads(bal.evidence)
    wide = pd.read_parquet(out / "wide.parquet")
    assert wide.loc[0, "t3.new_received.total"] == 2
    csv = (out / "cells.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")                      # UTF-8 BOM for Excel


def test_same_input_same_bytes(folder, tmp_path):
    run(folder, tmp_path / "a")
    run(folder, tmp_path / "b")
    files = [f for f in sorted((tmp_path / "a").iterdir()) if f.is_file()]  # .cache aside
    assert len(files) == 10
    for f in files:
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_parse_prints_json():
    if not SEED.exists():
        pytest.skip("seed report missing")
    p = subprocess.run([sys.executable, "-m", "extractor", "parse", str(SEED)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["report"]["agency"] and len(data["cells"]) == 198
    assert {f["rule_id"] for f in data["findings"]} >= {"T3-BAL", "TIME-EARLY"}


def test_python_api_frames():
    if not SEED.exists():
        pytest.skip("seed report missing")
    import extractor
    rep = extractor.parse(SEED)
    frames = rep.frames()
    assert len(frames["cells"]) == 198 and frames["reports"].loc[0, "status"] == "ok"


def test_text_that_is_not_a_report_fails_with_a_reason(tmp_path):
    import extractor
    p = tmp_path / "note.txt"
    p.write_text("会议通知：请各单位于周五前报送材料。", encoding="utf-8")
    rep = extractor.parse(p)
    assert rep.status == "failed" and "does not look like an OGI annual report" in rep.error
    assert str(p) in rep.error

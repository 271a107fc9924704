"""`extractor check` (findings only, exit codes, --fail-on, --accept, JSON), `run --accept`
and the `audit` subcommand's wiring."""
from __future__ import annotations

import json
import sys
import types
from dataclasses import replace

import pandas as pd
import pytest

from extractor import synth
from extractor.accept import AcceptFileError, parse_accepted
from extractor.cli import main


@pytest.fixture
def clean(tmp_path):
    """One clean synthetic report: no finding at all."""
    d = tmp_path / "clean"
    d.mkdir()
    (d / "a-2022.txt").write_text(synth.render(synth.random_spec(1, "v2021", 2022)), encoding="utf-8")
    return d


@pytest.fixture
def mixed(tmp_path):
    """An error (T4 total off by one) in one file; warnings only (same tables and prose as last
    year: DUP-TABLE-PREV, DUP-PREV-YEAR) in another."""
    d = tmp_path / "mixed"
    d.mkdir()
    bad = synth.random_spec(2, "v2021", 2022, defects=("t4_total_off",), agency="白石镇人民政府")
    (d / "bad-2022.txt").write_text(synth.render(bad), encoding="utf-8")
    s22 = synth.random_spec(4, "v2021", 2022, agency="河西区教育局", scale="busy")
    (d / "hx-2022.txt").write_text(synth.render(s22), encoding="utf-8")
    (d / "hx-2023.txt").write_text(synth.render(replace(s22, year=2023)), encoding="utf-8")
    return d


def check(capsys, *argv):
    code = main(["check", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def lines(out):
    return [x.split("\t") for x in out.splitlines() if x.count("\t") == 4]


def test_clean_input_exits_0(clean, capsys):
    code, out, _ = check(capsys, clean)
    assert code == 0 and lines(out) == []
    assert "1 files (0 failed), 0 findings" in out and out.rstrip().endswith("not accepted")
    assert code == main(["check", str(clean), "--fail-on", "warning"]) == 0


def test_error_fails_warning_only_with_fail_on_warning(mixed, capsys):
    code, out, _ = check(capsys, mixed)
    rows = lines(out)
    assert code == 1
    assert {(r[0].rsplit("/", 1)[-1], r[1], r[2]) for r in rows} >= {
        ("bad-2022.txt", "T4-REVIEW-SUM", "error"), ("hx-2023.txt", "DUP-TABLE-PREV", "warning"),
        ("hx-2023.txt", "DUP-PREV-YEAR", "warning")}
    assert all(len(r[4]) == 16 for r in rows) and "FAIL:" in out
    # without the error file, only warnings remain: pass by default, fail with --fail-on warning
    (mixed / "bad-2022.txt").unlink()
    code, out, _ = check(capsys, mixed)
    assert code == 0 and {r[2] for r in lines(out)} == {"warning"} and "OK: 0 finding(s)" in out
    code, out, _ = check(capsys, mixed, "--fail-on", "warning")
    assert code == 1


def test_accept_file(mixed, tmp_path, capsys):
    _, out, _ = check(capsys, mixed, "--fail-on", "warning")
    rows = lines(out)
    failing = [r for r in rows if r[2] in ("error", "warning")]
    acc = tmp_path / "accepted.txt"
    text = "# reviewed by the auditor\n\n" + "".join(
        f"{r[4]}  # {r[1]} {r[0]}\n" if i % 2 else f"{r[4].upper()}\n" for i, r in enumerate(failing))
    acc.write_text(text + "0123456789abcdef  # stale: matches nothing\n", encoding="utf-8")
    code, out, _ = check(capsys, mixed, "--fail-on", "warning", "--accept", acc)
    assert code == 0
    assert {r[2] for r in lines(out) if r[2] != "info"} <= {"error (accepted)", "warning (accepted)"}
    assert f"accepted {len(failing)}" in out and "1 accepted fingerprints matched nothing" in out
    # accept only some: the rest still fails
    acc.write_text(failing[0][4] + "\n", encoding="utf-8")
    assert main(["check", str(mixed), "--fail-on", "warning", "--accept", str(acc)]) == 1


def test_json_output(mixed, capsys):
    code, out, _ = check(capsys, mixed, "--format", "json")
    data = json.loads(out)
    assert code == data["exit_code"] == 1
    s = data["summary"]
    assert s["files"] == 3 and s["error"] >= 1 and s["fail_on"] == "error" and s["failing"] == s["error"]
    f = next(x for x in data["findings"] if x["rule_id"] == "DUP-TABLE-PREV")
    assert f["severity"] == "warning" and not f["accepted"] and not f["fails"] and len(f["fingerprint"]) == 16
    assert any("hx-2022.txt" in e["text"] for e in f["evidence"])      # the other report is named
    assert {x["status"] for x in data["files"]} == {"ok"}


def test_usage_errors_exit_2(mixed, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["check", str(mixed), "--fail-on", "fatal"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["check"])
    assert e.value.code == 2
    assert main(["check", str(tmp_path / "nothing-here")]) == 2
    assert main(["check", str(mixed), "--accept", str(tmp_path / "missing.txt")]) == 2
    bad = tmp_path / "bad.txt"
    bad.write_text("# ok\nnot-a-fingerprint\n", encoding="utf-8")
    assert main(["check", str(mixed), "--accept", str(bad)]) == 2
    assert "bad.txt:2" in capsys.readouterr().err
    assert main(["run", str(mixed), "--out", str(tmp_path / "o"), "-q", "--accept", str(bad)]) == 2
    assert main(["check", str(mixed), "--deadlines", str(tmp_path / "no-deadlines.toml")]) == 2
    assert main(["audit", str(mixed), "--out", str(tmp_path / "a"), "--deadlines", str(tmp_path / "x.toml")]) == 2


def test_parse_accepted():
    assert parse_accepted("\ufeffABCDEF0123456789 # note\n#x\n  \n0123456789abcdef\n") == {
        "abcdef0123456789": "note", "0123456789abcdef": ""}
    for bad in ("abc\n", "0123456789abcdef 0123456789abcdef\n", "0123456789abcdeg\n"):
        with pytest.raises(AcceptFileError):
            parse_accepted(bad)


def test_failed_files_are_reported_but_do_not_fail_the_check(clean, capsys):
    (clean / "garbage.txt").write_bytes(bytes(range(256)) * 10)
    code, out, err = check(capsys, clean)
    assert code == 0 and "2 files (1 failed)" in out and "garbage.txt" in err


def test_run_accept_marks_findings(mixed, tmp_path, capsys):
    _, out, _ = check(capsys, mixed)
    fp = next(r[4] for r in lines(out) if r[1] == "DUP-TABLE-PREV")
    acc = tmp_path / "acc.txt"
    acc.write_text(f"{fp}  # same tables, confirmed with the agency\n", encoding="utf-8")
    assert main(["run", str(mixed), "--out", str(tmp_path / "o"), "-q", "--accept", str(acc)]) == 0
    f = pd.read_parquet(tmp_path / "o" / "findings.parquet")
    assert f["accepted"].dtype == bool
    assert f.loc[f.accepted, "fingerprint"].tolist() == [fp]
    assert (f.rule_id == "DUP-TABLE-PREV").sum() == 1 and f.loc[f.accepted, "rule_id"].tolist() == ["DUP-TABLE-PREV"]
    csv = pd.read_csv(tmp_path / "o" / "findings.csv", encoding="utf-8-sig")
    assert csv.accepted.sum() == 1
    assert main(["run", str(mixed), "--out", str(tmp_path / "o2"), "-q"]) == 0
    assert not pd.read_parquet(tmp_path / "o2" / "findings.parquet").accepted.any()


def test_audit_subcommand_calls_write_audit(mixed, tmp_path, monkeypatch, capsys):
    calls = []
    fake = types.ModuleType("extractor.audit")

    def write_audit(reports, out_dir, lang="zh"):
        calls.append(([r.path for r in reports], str(out_dir), lang,
                      sorted({f.rule_id for r in reports for f in r.findings})))
        return [out_dir + "/audit.html"]

    fake.write_audit = write_audit
    monkeypatch.setitem(sys.modules, "extractor.audit", fake)
    import extractor
    monkeypatch.setattr(extractor, "audit", fake, raising=False)
    out = str(tmp_path / "aud")
    assert main(["audit", str(mixed), "--out", out, "--lang", "en"]) == 0
    [(paths, got_out, lang, rules)] = calls
    assert len(paths) == 3 and got_out == out and lang == "en"
    assert "DUP-TABLE-PREV" in rules            # the corpus checks ran before the audit
    assert "audit.html" in capsys.readouterr().out
    assert main(["audit", str(mixed), "--out", out]) == 0 and calls[-1][2] == "zh"
    with pytest.raises(SystemExit) as e:
        main(["audit", str(mixed), "--out", out, "--lang", "fr"])
    assert e.value.code == 2
    with pytest.raises(SystemExit):
        main(["audit", str(mixed)])                # --out is required
    assert main(["audit", str(tmp_path / "none"), "--out", out]) == 2

"""Deadline rules (RULES.md F: TIME-DEPT, TIME-GOV, TIME-GOVOFFICE, TIME-TOWNSHIP, TIME-V2007)
and the local deadlines file (`--deadlines`)."""
from datetime import date
from pathlib import Path

import pytest

from extractor import agency as A
from extractor.checks import RULES, run_checks
from extractor.checks.timing import publication_date
from extractor.deadlines import DeadlineConfig, DeadlineError, attach, load_deadlines, parse_deadlines
from extractor.model import Report

TIME_RULES = ("TIME-DEPT", "TIME-GOV", "TIME-GOVOFFICE", "TIME-TOWNSHIP", "TIME-V2007")


def make(agency: str, year: int, published: date | None = None, source: str = "signature", meta=None,
         deadlines: DeadlineConfig | None = None, year_evidence: str = "title") -> Report:
    a = A.classify(agency)
    rep = Report("r", "r.txt", "0" * 64, "txt", report_year=year, year_evidence=year_evidence, agency=agency,
                 agency_normalised=a.normalised, level=a.level, region_province=a.province, region_city=a.city,
                 region_county=a.county, published_on=published, published_on_source=source if published else "",
                 meta=dict(meta or {}))
    if published and source == "signature":
        rep.meta.setdefault("signature", f"{agency} {published.year}年{published.month}月{published.day}日")
    return attach(rep, deadlines)


def found(rep: Report, rule_id: str | None = None):
    return [f for f in run_checks(rep, only=[rule_id] if rule_id else TIME_RULES)]


def test_rules_are_registered_with_formula_and_source():
    for rid in TIME_RULES:
        r = RULES[rid]
        assert r.formula and r.source and r.severity in ("error", "warning", "info")


# --------------------------------------------------------------------------- TIME-DEPT

@pytest.mark.parametrize("agency", ["教育部", "国家统计局", "某某县财政局", "上海市浦东新区财政局", "平潭综合实验区地方税务局"])
def test_TIME_DEPT_passes_on_31_january(agency):
    assert found(make(agency, 2020, date(2021, 1, 31))) == []


def test_TIME_DEPT_fails_after_31_january():
    f = found(make("某某县财政局", 2020, date(2021, 2, 1)))
    assert [(x.rule_id, x.severity) for x in f] == [("TIME-DEPT", "error")]
    assert f[0].expected == "<= 2021-01-31" and f[0].actual == "2021-02-01"
    assert "signature" in f[0].message and "Art. 49" in f[0].message
    texts = [e.text for e in f[0].evidence]
    assert any("2021年2月1日" in t for t in texts) and any("local_dept" in t for t in texts)


def test_TIME_DEPT_not_before_2019_and_not_for_governments():
    assert found(make("某某县财政局", 2018, date(2019, 2, 20)), "TIME-DEPT") == []  # v2007: 31 March
    assert found(make("某某县人民政府", 2020, date(2021, 2, 20)), "TIME-DEPT") == []


def test_TIME_DEPT_uses_page_meta_before_the_signature():
    # signed in time, put online late: the page's date is the publication date (RULES.md F)
    rep = make("某某县财政局", 2020, date(2021, 1, 20), meta={"published": "2021-02-05 09:30"})
    f = found(rep, "TIME-DEPT")
    assert f and f[0].actual == "2021-02-05" and "page_meta" in f[0].message
    assert any("发布日期: 2021-02-05" in e.text for e in f[0].evidence)
    assert publication_date(rep).source == "page_meta"
    # and the other way round: late signature date, page date in time
    assert found(make("某某县财政局", 2020, date(2021, 2, 5), meta={"published": "2021-01-25"}), "TIME-DEPT") == []


def test_TIME_DEPT_file_property_date_is_only_a_warning():
    rep = make("某某县财政局", 2020, date(2021, 3, 1), source="file_properties",
               meta={"modified": "2021-03-01T08:00:00Z"})
    f = found(rep, "TIME-DEPT")
    assert f[0].severity == "warning" and "file's own property" in f[0].message
    assert any("file property modified" in e.text for e in f[0].evidence)


def test_TIME_rules_skip_a_year_guessed_from_the_date():
    rep = make("某某县财政局", 2020, date(2021, 5, 1), year_evidence="publication date minus one year")
    assert found(rep) == []


def test_TIME_rules_need_a_date():
    assert found(make("某某县财政局", 2020, None)) == []


# --------------------------------------------------------------------------- TIME-GOV

@pytest.mark.parametrize("agency", ["广东省人民政府", "深圳市人民政府", "洪泽区人民政府", "淮安市洪泽区人民政府"])
def test_TIME_GOV(agency):
    assert found(make(agency, 2021, date(2022, 3, 31))) == []
    f = found(make(agency, 2021, date(2022, 4, 1)))
    assert [(x.rule_id, x.severity, x.expected) for x in f] == [("TIME-GOV", "error", "<= 2022-03-31")]


def test_TIME_GOV_special_zone_is_judged_as_a_government_but_only_warned():
    # 平潭综合实验区 published its 2020 report on 2021-03-05: in time for a government report
    assert found(make("平潭综合实验区", 2020, date(2021, 3, 5), source="page_meta",
                      meta={"published": "2021-03-05 08:58"})) == []
    f = found(make("平潭综合实验区", 2020, date(2021, 4, 2)))
    assert [(x.rule_id, x.severity) for x in f] == [("TIME-GOV", "warning")]
    assert "development-zone" in f[0].message


def test_TIME_GOV_special_zone_with_a_configured_deadline():
    cfg = parse_deadlines({"deadlines": [{"level": "special", "deadline": "01-31", "severity": "error",
                                          "source": "区管委会通知"}]})
    f = found(make("平潭综合实验区", 2020, date(2021, 3, 5), deadlines=cfg))
    assert [(x.rule_id, x.severity, x.expected) for x in f] == [("TIME-GOV", "error", "<= 2021-01-31")]
    assert "区管委会通知" in f[0].message


# --------------------------------------------------------------------------- TIME-GOVOFFICE

def test_TIME_GOVOFFICE_default_reads_the_office_as_a_department():
    assert found(make("北京市海淀区人民政府办公室", 2020, date(2021, 1, 31))) == []
    f = found(make("北京市海淀区人民政府办公室", 2020, date(2021, 2, 10)))
    assert [(x.rule_id, x.severity, x.expected) for x in f] == [("TIME-GOVOFFICE", "warning", "<= 2021-01-31")]


def test_TIME_GOVOFFICE_configurable():
    rep = make("北京市海淀区人民政府办公室", 2020, date(2021, 2, 10), deadlines=DeadlineConfig(govoffice="government"))
    assert found(rep) == []
    rep = make("北京市海淀区人民政府办公室", 2020, date(2021, 4, 10), deadlines=DeadlineConfig(govoffice="government"))
    assert [x.expected for x in found(rep)] == ["<= 2021-03-31"]
    rep = make("北京市海淀区人民政府办公室", 2020, date(2021, 9, 1), deadlines=DeadlineConfig(govoffice="off"))
    assert found(rep) == []
    rep = make("北京市海淀区人民政府办公室", 2020, date(2021, 2, 20), deadlines=DeadlineConfig(govoffice="02-15"))
    assert [x.expected for x in found(rep)] == ["<= 2021-02-15"]


def test_government_report_compiled_by_its_office_is_a_government_report():
    a = A.identify("洪泽区人民政府", "淮安市洪泽区人民政府办公室")
    rep = make("洪泽区人民政府", 2023, date(2024, 2, 26))
    rep.agency_normalised, rep.level = a.normalised, a.level
    assert found(rep) == []


# --------------------------------------------------------------------------- TIME-TOWNSHIP

def test_TIME_TOWNSHIP_deadline_unknown_is_info():
    f = found(make("哈尔滨市松北区船口街道办事处", 2020, date(2021, 2, 20)))
    assert [(x.rule_id, x.severity, x.scope) for x in f] == [("TIME-TOWNSHIP", "info", "deadline_unknown")]
    assert "deadline_unknown" in f[0].message and "2021-02-20" in f[0].message


def test_TIME_TOWNSHIP_configured_deadline_by_province_of_the_city():
    cfg = parse_deadlines({"deadlines": [{"level": "township", "province": "黑龙江", "deadline": "01-31"}]})
    assert found(make("哈尔滨市松北区船口街道办事处", 2020, date(2021, 1, 31), deadlines=cfg)) == []
    f = found(make("哈尔滨市松北区船口街道办事处", 2020, date(2021, 2, 20), deadlines=cfg))
    assert [(x.rule_id, x.severity, x.expected) for x in f] == [("TIME-TOWNSHIP", "warning", "<= 2021-01-31")]
    assert "黑龙江省" in f[0].message
    # a township elsewhere is not covered by that rule
    f = found(make("某某镇人民政府", 2020, date(2021, 2, 20), deadlines=cfg))
    assert [x.scope for x in f] == ["deadline_unknown"]


def test_TIME_TOWNSHIP_most_specific_rule_wins():
    cfg = parse_deadlines({"deadlines": [
        {"level": "township", "deadline": "03-31"},
        {"level": "township", "city": "哈尔滨市", "county": "松北区", "deadline": "01-15", "severity": "error"},
        {"level": "township", "province": "黑龙江省", "deadline": "01-31"},
    ]})
    f = found(make("哈尔滨市松北区船口街道办事处", 2020, date(2021, 1, 20), deadlines=cfg))
    assert [(x.severity, x.expected) for x in f] == [("error", "<= 2021-01-15")]
    assert found(make("某某镇人民政府", 2020, date(2021, 3, 20), deadlines=cfg)) == []


def test_TIME_TOWNSHIP_rule_years():
    cfg = parse_deadlines({"deadlines": [{"level": "township", "deadline": "01-31", "from_year": 2022}]})
    assert [x.scope for x in found(make("某某镇人民政府", 2021, date(2022, 2, 20), deadlines=cfg))] == \
        ["deadline_unknown"]
    assert [x.expected for x in found(make("某某镇人民政府", 2022, date(2023, 2, 20), deadlines=cfg))] == \
        ["<= 2023-01-31"]


# --------------------------------------------------------------------------- TIME-V2007

@pytest.mark.parametrize("agency", ["平潭综合实验区地方税务局", "平潭综合实验区", "某某镇人民政府", "教育部"])
def test_TIME_V2007(agency):
    # pingtan-tax-2013: page date 2014-02-25, within 31 March
    rep = make(agency, 2013, date(2014, 2, 25), source="page_meta", meta={"published": "2014-02-25 00:00"})
    assert found(rep) == []
    f = found(make(agency, 2013, date(2014, 4, 1)))
    assert [(x.rule_id, x.severity, x.expected) for x in f] == [("TIME-V2007", "error", "<= 2014-03-31")]


def test_TIME_V2007_for_unknown_levels_too():
    f = found(make("某某局", 2016, date(2017, 5, 1)))
    assert [x.rule_id for x in f] == ["TIME-V2007"]


# --------------------------------------------------------------------------- the deadlines file

def test_load_toml(tmp_path):
    p = tmp_path / "deadlines.toml"
    p.write_text('govoffice = "government"\n'
                 '[[deadlines]]\nlevel = "township"\nprovince = "黑龙江省"\ndeadline = "01-31"\n'
                 'source = "黑龙江省通知"\n', encoding="utf-8")
    cfg = load_deadlines(p)
    assert cfg.govoffice == "government" and cfg.path == str(p)
    (r,) = cfg.rules
    assert (r.level, r.province, r.month, r.day, r.severity, r.source) == \
        ("township", "黑龙江省", 1, 31, "warning", "黑龙江省通知")


def test_load_toml_inline_list(tmp_path):
    p = tmp_path / "d.toml"
    p.write_text('deadlines = [{level = "township", province = "黑龙江省", deadline = "01-31"}]\n', encoding="utf-8")
    assert load_deadlines(p).rules[0].province == "黑龙江省"


def test_load_yaml(tmp_path):
    pytest.importorskip("yaml")
    p = tmp_path / "d.yaml"
    p.write_text("deadlines:\n  - level: township\n    city: 哈尔滨市\n    deadline: '01-20'\n", encoding="utf-8")
    r = load_deadlines(p).rules[0]
    assert (r.city, r.month, r.day) == ("哈尔滨市", 1, 20)


@pytest.mark.parametrize("data,message", [
    ({"deadlines": [{"level": "county", "deadline": "01-31"}]}, "Art. 49 sets its deadline"),
    ({"deadlines": [{"level": "township", "deadline": "1月31日"}]}, "not a month-day"),
    ({"deadlines": [{"level": "township", "deadline": "02-30"}]}, "not a month-day"),
    ({"deadlines": [{"level": "township"}]}, "no deadline"),
    ({"deadlines": [{"level": "township", "deadline": "01-31", "provice": "黑龙江省"}]}, "unknown keys"),
    ({"deadlines": [{"level": "township", "deadline": "01-31", "province": "松北"}]}, "not a provincial-level"),
    ({"deadlines": [{"level": "township", "deadline": "01-31", "severity": "fatal"}]}, "severity"),
    ({"deadlines": {"level": "township"}}, "list of tables"),
    ({"govoffice": "sometimes"}, "govoffice"),
    ({"deadline": []}, "unknown keys"),
])
def test_bad_deadlines_are_refused_with_the_entry_named(data, message):
    with pytest.raises(DeadlineError, match=message):
        parse_deadlines(data, "d.toml")


def test_unreadable_or_invalid_file(tmp_path):
    with pytest.raises(DeadlineError, match="cannot read"):
        load_deadlines(tmp_path / "missing.toml")
    p = tmp_path / "bad.toml"
    p.write_text("[[deadlines]\n", encoding="utf-8")
    with pytest.raises(DeadlineError, match="not valid TOML"):
        load_deadlines(p)


# --------------------------------------------------------------------------- end to end

SEED = Path(__file__).resolve().parents[1] / "corpus" / "seed" / "songbei-chuankou-2020.txt"


def test_parse_passes_the_deadlines_to_the_rules(tmp_path):
    if not SEED.exists():
        pytest.skip("seed report missing")
    import extractor

    plain = extractor.parse(SEED)
    assert [(f.severity, f.scope) for f in plain.findings if f.rule_id == "TIME-TOWNSHIP"] == \
        [("info", "deadline_unknown")]
    cfg = parse_deadlines({"deadlines": [{"level": "township", "province": "黑龙江省", "deadline": "01-31"}]})
    configured = extractor.parse(SEED, deadlines=cfg)
    assert not [f for f in configured.findings if f.rule_id == "TIME-TOWNSHIP"]  # signed 2020-01-31: in time
    assert "TIME-EARLY" in {f.rule_id for f in configured.findings}


def test_cli_run_deadlines(tmp_path):
    if not SEED.exists():
        pytest.skip("seed report missing")
    import pandas as pd

    from extractor.cli import main

    p = tmp_path / "d.toml"
    p.write_text('[[deadlines]]\nlevel = "township"\ncity = "哈尔滨市"\ndeadline = "01-31"\n', encoding="utf-8")
    assert main(["run", str(SEED), "--out", str(tmp_path / "out"), "-q", "--deadlines", str(p)]) == 0
    findings = pd.read_parquet(tmp_path / "out" / "findings.parquet")
    assert "TIME-TOWNSHIP" not in set(findings.rule_id)
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet")
    assert reports.level.tolist() == ["township"] and reports.region_city.tolist() == ["哈尔滨市"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[deadlines]]\nlevel = "county"\ndeadline = "01-31"\n', encoding="utf-8")
    assert main(["run", str(SEED), "--out", str(tmp_path / "out2"), "-q", "--deadlines", str(bad)]) == 2

import pytest

from extractor.templates import detect_edition, get_template, label_score, norm_label


def test_template_sizes_match_schema():
    v19, v21 = get_template("v2019"), get_template("v2021")
    assert len(v19.t3_rows) == 23 and len(v21.t3_rows) == 25        # SCHEMA §3 row counts
    assert len([k for k in v19.cell_keys() if k.startswith("t3.")]) == 161
    assert len([k for k in v21.cell_keys() if k.startswith("t3.")]) == 175
    assert len([k for k in v19.cell_keys() if k.startswith("t4.")]) == 15
    assert len([k for k in v19.cell_keys() if k.startswith("t2.")]) == 22
    assert len([k for k in v21.cell_keys() if k.startswith("t2.")]) == 10


@pytest.mark.parametrize("a,b", [
    ("3.危及“三安全一稳定”", '3．危及"三安全一稳定"'),
    ("3.危及“三安全一稳定”", "3、危及「三安全一稳定」"),
    ("自然人", "自\n然\n人"),                 # vertical label, one character per line
    ("（七）总计", "(七)总计"),
    ("本年增/减", "本年增／减"),
])
def test_label_normalisation(a, b):
    assert norm_label(a) == norm_label(b)


def test_misprint_matches_fuzzily_with_score_kept():
    s = label_score("2.其他法律行政止公开", "2.其他法律行政法规禁止公开")
    assert 0.8 <= s < 1.0


@pytest.mark.parametrize("text,year,edition", [
    ("信息内容 本年制发件数 本年废止件数 现行有效件数", 2021, "v2021"),
    ("第二十条第（一）项 信息内容 本年新制作数量 本年新公开数量", 2020, "v2019"),
    ("（六）其他处理\t0\n（七）总计\t0", None, "v2019"),
    ("本列数据的勾稽关系为 结转下年度继续办理", 2020, "v2019"),
    ("本列数据的勾稽关系为 结转下年度继续办理", 2023, "v2021"),
    ("五、因政府信息公开申请行政复议、提起行政诉讼的情况 政府信息公开情况统计表", 2016, "v2007"),
])
def test_edition_from_labels(text, year, edition):
    assert detect_edition(text, year).edition == edition


def test_edition_never_from_numbers_only():
    g = detect_edition("1 2 3 4 5 6 7", None)
    assert g.edition is None and g.confidence == "none"

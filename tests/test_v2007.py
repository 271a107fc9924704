"""v2007 statistics (`v2007.stat.<slug>`): the gold document, real reports without
gold, and synthetic phrasings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.model import Section, Where
from extractor.v2007 import extract_v2007_stats, load_stats, value_of

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_file(rel: str) -> Path:
    path = CORPUS / rel
    if not path.exists():
        pytest.skip(f"shared corpus not available: {path} (tests read ../shared/corpus)")
    return path


def body_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    marker = "==================== 正文 ===================="
    return text.split(marker, 1)[1].strip() if marker in text else text


def split(body: str, headings: list[tuple[str, str]]) -> list[Section]:
    """Sections cut at the given headings (found in order); the text before the first is the preamble."""
    cuts, pos = [], 0
    for key, title in headings:
        i = body.index(title, pos)
        cuts.append((i, key, title))
        pos = i + len(title)
    out = [Section("s0_preamble", "", body[: cuts[0][0]].strip(), Where(char=0, char_end=cuts[0][0]))]
    for n, (i, key, title) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(body)
        out.append(Section(key, title, body[i + len(title): end].strip(), Where(char=i, char_end=end)))
    return out


def stats(sections: list[Section]) -> dict[str, object]:
    cells = extract_v2007_stats(sections)
    keys = [c.key for c in cells]
    assert len(keys) == len(set(keys)), "a slug reported twice"
    return {c.key: c for c in cells}


def one(text: str, key: str = "s3_applications") -> dict[str, object]:
    return stats([Section(key, "", text)])


def val(cells, slug):
    c = cells.get("v2007.stat." + slug)
    return None if c is None else c.value


# --------------------------------------------------------------------------- the gold document

TAX_HEADINGS = [
    ("s1_overview", "一、概述"),
    ("s2_proactive", "二、主动公开政府信息情况"),
    ("s3_applications", "三、依申请公开、不予公开及咨询政府信息情况"),
    ("s_approvals", "四、审批事项及处理情况"),
    ("s4_review_litigation", "五、申请行政复议、提起行政诉讼和申诉的情况"),
    ("s_staff_expenses", "六、工作人员及信息公开事务支出情况"),
]


@pytest.fixture(scope="module")
def tax_2013():
    src = corpus_file("real/pingtan-tax-2013.txt")
    gold = json.loads(corpus_file("gold/pingtan-tax-2013.json").read_text(encoding="utf-8"))
    sections = split(body_of(src), TAX_HEADINGS)
    return sections, extract_v2007_stats(sections), gold


def test_gold_cells_exact(tax_2013):
    _, cells, gold = tax_2013
    got = {c.key: c for c in cells}
    want = {k: v for k, v in gold["cells"].items() if k.startswith("v2007.stat.")}
    for key, spec in want.items():
        assert key in got, f"missing {key}"
        assert got[key].value == pytest.approx(spec["value"], rel=1e-9), key
        assert got[key].raw == spec["raw"], key
        if "unit" in spec:
            assert got[key].unit == spec["unit"], key
    # nothing beyond the gold list (it names every statistic of the document)
    assert set(got) == set(want), f"unexpected: {sorted(set(got) - set(want))}"


def test_gold_cell_shape_and_provenance(tax_2013):
    sections, cells, _ = tax_2013
    texts = [s.text for s in sections]
    for c in cells:
        assert c.table == "v2007" and c.col_key == "value" and c.status == "ok"
        assert c.key == "v2007.stat." + c.row_key and c.label
        # the match can be found back in one section's text
        assert any(t[c.where.char: c.where.char_end] == c.raw for t in texts), c.key
    # document order
    order = []
    for c in cells:
        si = next(i for i, t in enumerate(texts) if t[c.where.char: c.where.char_end] == c.raw)
        order.append((si, c.where.char))
    assert order == sorted(order)


# --------------------------------------------------------------------------- real reports without gold

def test_pingtan_2012_prose_and_spaced_table():
    body = body_of(corpus_file("real/pingtan-2012.txt"))
    cells = stats(split(body, [
        ("s1_overview", "一、 概述"),
        ("s_key_areas", "二、重点领域政府信息公开情况"),
        ("s2_proactive", "三、主动公开政府信息情况"),
        ("s3_applications", "四、政府信息依申请公开工作情况"),
        ("s5_problems", "五、政府信息公开工作存在的主要问题及改进情况"),
        ("s_stat_table", "平潭综合实验区政府信息公开情况统计表"),
    ]))
    assert val(cells, "proactive_new_total") == 1913  # prose first; the table's 739 comes later
    assert val(cells, "proactive_cumulative") == 4359  # 历年累计 column of the spaced table
    assert val(cells, "proactive_policy_normative") == 403
    assert val(cells, "proactive_safety_emergency") == 19
    assert val(cells, "website_visits") == 72065
    assert cells["v2007.stat.applications_received"].raw == "未收到有关政府信息公开的申请"
    assert cells["v2007.stat.review_cases"].raw == "未收到有关政府信息公开行政复议申请"
    assert val(cells, "applications_received") == 0 and val(cells, "review_cases") == 0
    for slug in ("applications_onsite", "applications_email", "applications_online", "applications_letter",
                 "applications_fax", "applications_answered", "agreed_disclosure", "partial_disclosure",
                 "denied_disclosure", "litigation_cases", "complaint_cases", "proactive_gazette"):
        assert val(cells, slug) == 0, slug
    assert "v2007.stat.applications_completed" not in cells  # 累计办结9542件 is online approvals
    assert "v2007.stat.proactive_org_functions" in cells and val(cells, "proactive_org_functions") == 133


@pytest.mark.parametrize("name,total", [("pingtan-2016", 3460), ("pingtan-2018", 2069)])
def test_pingtan_flattened_tables(name, total):
    body = body_of(corpus_file(f"real/{name}.txt"))
    cells = stats([Section("s0_preamble", "", body)])  # whole text: no section help at all
    assert val(cells, "proactive_new_total") == total
    # digits run together (条346085376) cannot be split: no value is guessed
    assert "v2007.stat.proactive_cumulative" not in cells
    assert "v2007.stat.proactive_website" not in cells
    # 条00 is unambiguous
    assert val(cells, "proactive_gazette") == 0
    assert val(cells, "applications_received") == 0 and val(cells, "litigation_cases") == 0
    # 12345 hotline numbers (2018) and procurement-site counts are not OGI statistics
    assert "v2007.stat.applications_completed" not in cells
    assert "v2007.stat.consultations_total" not in cells


# --------------------------------------------------------------------------- synthetic phrasings

def test_applications_prose_with_chinese_numerals():
    cells = one("全年共收到政府信息公开申请十二件，其中当面申请5件，网上申请4件，信函申请3件。"
                "已全部办结，其中同意公开8件，同意部分公开2件，不同意公开1件，申请信息不存在1件。")
    assert cells["v2007.stat.applications_received"].raw == "十二件"
    assert val(cells, "applications_received") == 12
    assert (val(cells, "applications_onsite"), val(cells, "applications_online"),
            val(cells, "applications_letter")) == (5, 4, 3)
    assert (val(cells, "agreed_disclosure"), val(cells, "partial_disclosure"),
            val(cells, "denied_disclosure"), val(cells, "info_not_exist")) == (8, 2, 1, 1)


def test_number_before_label_and_hedges():
    cells = one("本年度共受理了3件政府信息公开申请，均已按时答复。接待公众咨询近200人次，"
                "其中电话咨询150余人次。")
    assert val(cells, "applications_received") == 3
    assert cells["v2007.stat.consultations_total"].raw == "近200人次"
    assert cells["v2007.stat.consultations_phone"].raw == "150余人次"
    assert val(cells, "consultations_phone") == 150


def test_proactive_and_channels():
    cells = one("2014年，本机关主动公开政府信息1,234条，其中通过政府网站公开1200条，政府公报公开34条；"
                "主动公开规范性文件6件。召开新闻发布会3次，发布政策解读稿件12篇。", "s2_proactive")
    assert val(cells, "proactive_new_total") == 1234
    assert cells["v2007.stat.proactive_new_total"].raw == "1,234条"
    assert val(cells, "proactive_website") == 1200 and val(cells, "proactive_gazette") == 34
    assert val(cells, "proactive_normative_docs") == 6
    assert val(cells, "press_conferences") == 3 and val(cells, "policy_interpretations") == 12


@pytest.mark.parametrize("text,slug,raw", [
    ("本年度没有收到政府信息公开申请。", "applications_received", "没有收到政府信息公开申请"),
    ("本年度无依申请公开事项。", "applications_received", "无依申请公开事项"),
    ("本年度未收取任何费用。", "fees_collected_cny", "未收取任何费用"),
    ("我局无专职人员，由办公室兼职人员2名负责。", "staff_fulltime", "无专职人员"),
    ("无行政复议和行政诉讼案件。", "litigation_cases", "无行政复议和行政诉讼案件"),
])
def test_zero_claims(text, slug, raw):
    cells = one(text)
    c = cells["v2007.stat." + slug]
    assert (c.value, c.raw, c.status) == (0, raw, "ok")


def test_review_litigation_claims_do_not_count_as_applications():
    cells = one("本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。", "s4_review_litigation")
    assert "v2007.stat.applications_received" not in cells
    assert val(cells, "review_cases") == 0 and val(cells, "litigation_cases") == 0
    assert cells["v2007.stat.litigation_cases"].raw == "未发生因政府信息公开申请行政复议、提起行政诉讼的情况"
    cells = one("因政府信息公开申请行政复议和行政诉讼均为0件。", "s4_review_litigation")
    assert val(cells, "review_cases") == 0 and val(cells, "litigation_cases") == 0


def test_staff_money_and_units():
    cells = one("配备专职人员2名，兼职人员5名；政府信息公开工作经费3.5万元。收取检索、复制费用120元。",
                "s_staff_expenses")
    assert (val(cells, "staff_fulltime"), val(cells, "staff_parttime")) == (2, 5)
    assert cells["v2007.stat.staff_fulltime"].unit == "名"
    exp = cells["v2007.stat.ogi_expenditure_10k_cny"]
    assert (exp.value, exp.raw, exp.unit) == (3.5, "3.5万元", "万元")
    assert "v2007.stat.ogi_expenditure_cny" not in cells
    fee = cells["v2007.stat.fees_collected_cny"]
    assert (fee.value, fee.unit) == (120, "元")


def test_unrelated_numbers_are_not_picked_up():
    text = ("2013年，本局召开党组会议12次，发布新闻稿件30篇，网站点击量12万次，完成财政收入5000万元，"
            "办理人大建议20件，受理行政许可申请500件，办结480件，办结率96%。联系电话：0591-23165255，"
            "邮编350400。共收到15564件咨询投诉件，已办结15042件。一是统一思想，二是一条龙服务。")
    for key in ("s1_overview", "s3_applications"):
        assert one(text, key) == {}, key


def test_single_column_statistics_table():
    text = ("政府信息公开情况统计表 统计指标 单位 统计数\n"
            "一、主动公开情况\n1.主动公开政府信息数（不同渠道和方式公开相同信息计1条） 条 356\n"
            "其中：主动公开规范性文件数 条 12\n"
            "二、依申请公开情况\n1.收到申请数 件 7\n1.当面申请数 件 2\n2.传真申请数 件 0\n3.网络申请数 件 5\n"
            "4.信函申请数 件 0\n2.申请办结数 件 7\n3.申请答复数 件 7\n1.属于已主动公开范围数 件 1\n"
            "2.同意公开答复数 件 4\n3.同意部分公开答复数 件 1\n4.不同意公开答复数 件 1\n"
            "三、行政复议数量 件 0\n四、行政诉讼数量 件 1\n五、举报投诉数量 件 0\n"
            "六、依申请公开信息收取的费用 万元 0\n"
            "七、机构建设和保障经费情况\n3.从事政府信息公开工作人员数 人 6\n1.专职人员数（不包括政府公报及政府网站工作人员数） 人 2\n"
            "2.兼职人员数 人 4\n4.政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费） 万元 8.5\n"
            "八、政府信息公开会议和培训情况\n1.召开政府信息公开工作会议或专题会议数 次 3\n2.举办各类培训班数 次 2\n"
            "3.接受培训人员数 人次 150\n")
    cells = one(text, "s_stat_table")
    expected = {
        "proactive_new_total": 356, "proactive_normative_docs": 12, "applications_received": 7,
        "applications_onsite": 2, "applications_fax": 0, "applications_online": 5, "applications_letter": 0,
        "applications_completed": 7, "applications_answered": 7, "already_public": 1, "agreed_disclosure": 4,
        "partial_disclosure": 1, "denied_disclosure": 1, "review_cases": 0, "litigation_cases": 1,
        "complaint_cases": 0, "fees_collected_10k_cny": 0, "staff_total": 6, "staff_fulltime": 2,
        "staff_parttime": 4, "ogi_expenditure_10k_cny": 8.5, "meetings": 3, "trainings": 2,
        "training_participants": 150,
    }
    got = {k.removeprefix("v2007.stat."): c.value for k, c in cells.items()}
    assert got == expected


def test_fullwidth_digits_and_broken_lines():
    cells = one("全年共收到政府信息公开申\n请 １２ 件，已全部答复。", "s3_applications")
    c = cells["v2007.stat.applications_received"]
    assert (c.value, c.raw) == (12, "１２ 件")


def test_first_occurrence_wins_and_where():
    secs = [Section("s1_overview", "", "全年收到政府信息公开申请3件。", Where(line=4)),
            Section("s3_applications", "", "本年度共收到政府信息公开申请5件。", Where(line=9))]
    cells = stats(secs)
    c = cells["v2007.stat.applications_received"]
    assert c.value == 3 and c.where.line == 4
    assert secs[0].text[c.where.char: c.where.char_end] == "3件"


def test_template_data_is_well_formed():
    slugs = [s.slug for s in load_stats()]
    assert len(slugs) == len(set(slugs))
    for required in ("proactive_new_total", "applications_received", "review_cases", "litigation_cases",
                     "consultations_total", "staff_fulltime", "ogi_expenditure_10k_cny"):
        assert required in slugs
    assert value_of("约4900人次") == 4900 and value_of("3000多人次") == 3000 and value_of("2.04%占") == 2.04
    assert value_of("一百二十条") == 120 and value_of("1万元") == 1

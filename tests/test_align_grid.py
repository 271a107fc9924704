"""Grid -> template cells by labels: spanned (DOCX/HTML-like) and ragged (text export) grids."""
from gridlang import grid

from extractor.align import align_t2, align_t3, align_t4
from extractor.templates import get_template

V19, V21 = get_template("v2019"), get_template("v2021")
COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def t3_header(extra_subtotal=False):
    orgs = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"] + (["小计"] if extra_subtotal else [])
    return [
        [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7 + extra_subtotal)],
        [("自\n然\n人", 2, 1), ("法人或其他组织", 1, 5 + extra_subtotal), ("总计", 2, 1)],
        orgs,
    ]


def spanned_t3(tpl, values, extra_subtotal=False):
    rows = t3_header(extra_subtotal)
    outcome = [r for r in tpl.t3_rows if r.key not in ("new_received", "carried_over", "carried_forward")]
    for r in tpl.t3_rows:
        v = values.get(r.key, ["0"] * (7 + extra_subtotal))
        if r.key in ("new_received", "carried_over", "carried_forward"):
            rows.append([(r.label, 1, 3)] + v)
        elif r.key == outcome[0].key:
            rows.append([("三、本年度办理结果", len(outcome), 1), (r.label, 1, 2)] + v)
        elif r.group.startswith("（") and r.label[0].isdigit():
            first = [x for x in outcome if x.group == r.group][0]
            n = sum(1 for x in outcome if x.group == r.group)
            lead = [(r.group, n, 1)] if first.key == r.key else []
            rows.append(lead + [r.label] + v)
        else:
            rows.append([(r.label, 1, 2)] + v)
    return grid(rows)


def test_spanned_t3_maps_every_cell_by_labels():
    vals = {"new_received": ["5", "1", "", "/", "—", "0", "6"], "r_granted": ["3", "1", "", "", "", "", "4"]}
    issues = []
    cells = {c.key: c for c in align_t3(spanned_t3(V21, vals), V21, issues)}
    assert not issues
    assert len(cells) == 175
    assert cells["t3.new_received.natural_person"].value == 5
    assert cells["t3.new_received.org_research"].status == "blank"
    assert cells["t3.new_received.org_public_welfare"].status == "slash"
    assert cells["t3.new_received.org_legal_service"].status == "dash"
    assert cells["t3.r_granted.total"].value == 4
    assert cells["t3.r_other_other.total"].value == 0
    assert cells["t3.r_granted.total"].where.row is not None   # provenance kept


def test_extra_subtotal_column_kept_under_its_own_key():
    vals = {"new_received": ["5", "1", "0", "0", "0", "2", "3", "8"]}
    cells = {c.key: c for c in align_t3(spanned_t3(V19, vals, extra_subtotal=True), V19, [])}
    assert cells["t3.new_received.org_subtotal"].value == 3
    assert cells["t3.new_received.org_subtotal"].in_template is False
    assert cells["t3.new_received.total"].value == 8


def test_ragged_t3_right_aligned_values_and_misprinted_label():
    rows = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
            ["", "自\n然\n人", "法人或其他组织", "总计"],
            ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其\n他", ""],
            ["一、本年新收政府信息公开申请数量", "2", "0", "0", "0", "0", "0", "2"],
            ["", "（三）\n不予\n公开", "1.属于国家秘密"] + [""] * 6 + ["0"],
            ["", "", "2.其他法律行政止公开"] + [""] * 6 + ["0"]]
    cells = {c.key: c for c in align_t3(grid(rows, ragged=True), V19, [])}
    assert cells["t3.new_received.natural_person"].value == 2
    assert cells["t3.r_denied_state_secret.total"].value == 0
    law = cells["t3.r_denied_law_prohibited.total"]
    assert law.value == 0 and law.label == "2.其他法律行政止公开"   # fuzzy match, printed label kept


def test_v2019_single_other_row_in_v2021_table_is_kept():
    vals = {}
    g = spanned_t3(V21, vals)
    rows = [[c.text for c in r] for r in g.rows()]
    # replace the three v2021 （六） items by the single 2019-style row
    ragged = [r for r in rows if not any(x.startswith(("1.申请人", "2.申请人", "3.其他")) for x in r)]
    i = next(i for i, r in enumerate(ragged) if r and r[-1] and "（七）总计" in "".join(r))
    ragged.insert(i, ["（六）其他处理"] + ["0"] * 7)
    cells = {c.key: c for c in align_t3(grid(ragged, ragged=True), V21, [])}
    assert cells["t3.r_other.total"].in_template is False
    assert "t3.r_other_other.total" not in cells


def test_t4_spanned_headers():
    head = [("行政复议", 1, 5), ("行政诉讼", 1, 10)]
    blocks = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [head,
            [(b, 2, 1) for b in blocks] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
            blocks + blocks,
            [str(i) for i in range(15)]]
    cells = {c.key: c for c in align_t4(grid(rows), V19, [])}
    assert cells["t4.review.upheld"].value == 0
    assert cells["t4.lit_direct.upheld"].value == 5
    assert cells["t4.lit_after_review.total"].value == 14


def test_t2_blank_header_falls_back_to_position_and_is_reported():
    rows = [["第二十条第（一）项"], ["信息内容", "本年新制作数量", "", "对外公开总数量"],
            ["规章", "0", "", "0"], ["规范性文件", "3", "2", "9"]]
    issues = []
    cells = {c.key: c for c in align_t2([grid(rows, ragged=True)], V19, issues)}
    assert cells["t2.normative_docs.new_published"].value == 2
    assert cells["t2.regulations.new_published"].status == "blank"
    assert any("blank" in i["problem"] for i in issues)

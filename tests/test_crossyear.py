"""Corpus-level rules (checks/crossyear.py): cross-year continuity, duplicates, which reports
are the same body's, stable fingerprints and order-independent results."""
from __future__ import annotations

import hashlib
import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from extractor import synth
from extractor.checks import CORPUS_RULES, RULES, all_rules, run_corpus_checks
from extractor.checks import crossyear as X
from extractor.cli import main
from extractor.corpus import discover, run_corpus
from extractor.model import CellValue, Report, Section
from extractor.pipeline import parse_bytes

from conftest import GOLD, REAL

CROSS = set(CORPUS_RULES)


def cross(rep: Report, rule: str | None = None):
    return [f for f in rep.findings if f.rule_id in CROSS and (rule is None or f.rule_id == rule)]


def make(agency, year, version="v2021", cells=None, *, path=None, fmt="txt", sections=None, ambiguous=(),
         level=None, normalised=None) -> Report:
    """A hand-built report: `cells` maps keys to values (None = blank); `ambiguous` keys are
    unreadable (status ambiguous, as in flattened web text)."""
    path = path or f"/c/{agency}-{year}.{fmt}"
    sha = hashlib.sha256(f"{path}|{agency}|{year}|{sorted((cells or {}).items())}|{sections}".encode()).hexdigest()
    rep = Report(sha[:16], path, sha, fmt, template_version=version, report_year=year, agency=agency, level=level,
                 agency_normalised=normalised)
    for k, v in (cells or {}).items():
        t, row, col = k.split(".")
        if k in ambiguous:
            rep.cells.append(CellValue(k, t, row, col, None, "123", "ambiguous"))
        else:
            rep.cells.append(CellValue(k, t, row, col, None if v is None else float(v),
                                       "" if v is None else str(v), "blank" if v is None else "ok"))
    for k in ambiguous:
        if k not in (cells or {}):
            t, row, col = k.split(".")
            rep.cells.append(CellValue(k, t, row, col, None, "123", "ambiguous"))
    rep.sections = [Section(k, k, t) for k, t in (sections or {}).items()]
    return rep


def set_value(rep: Report, key: str, value: float) -> None:
    rep.cells = [replace(c, value=float(value), raw=X.fmt_num(value), status="ok") if c.key == key else c
                 for c in rep.cells]
    object.__setattr__(rep, "_cell_index", None)   # Report.cell() caches by the number of cells


def from_gold(doc_id: str, path: str | None = None) -> Report:
    p = GOLD / f"{doc_id}.json"
    if not p.exists():
        pytest.skip(f"gold {p} not available")
    g = json.loads(p.read_text(encoding="utf-8"))
    cells = {k: v["value"] for k, v in {**g["cells"], **g.get("extra_cells", {})}.items()}
    amb = [k for k in g.get("ambiguous_cells", []) if not (path or "").endswith(".html")]
    rep = make(g["agency"], g["report_year"], g["template_version"], cells, path=path or g["source_file"],
               fmt=g["format"], ambiguous=amb)
    rep.sha256 = g["source_sha256"] if not path else hashlib.sha256(path.encode()).hexdigest()
    return rep


V21 = {"t2.regulations.issued": 0, "t2.regulations.repealed": 0, "t2.regulations.in_force": 2,
       "t2.normative_docs.issued": 3, "t2.normative_docs.repealed": 1, "t2.normative_docs.in_force": 10}


def t3(row, **cols):
    vals = {c: cols.get(c, 0) for c in X.T3_COLS[:-1]}
    vals["total"] = cols.get("total", sum(vals.values()))
    return {f"t3.{row}.{c}": v for c, v in vals.items()}


# --------------------------------------------------------------------------- registry

def test_corpus_rules_are_registered_apart_from_per_report_rules():
    assert CROSS == {"T3-CROSSYEAR-CARRY", "T2-INFORCE-ROLL", "T2-REPEAL-LE-STOCK", "T2-V19-ITEMS-ROLL",
                     "T4-CROSSYEAR-PENDING", "DUP-PREV-YEAR", "DUP-TABLE-PREV", "DUP-PEER"}
    assert not CROSS & set(RULES) and CROSS <= set(all_rules())
    for r in CORPUS_RULES.values():
        assert r.formula and r.source and r.severity in ("warning", "info"), r.id
    assert CORPUS_RULES["T4-CROSSYEAR-PENDING"].severity == "info"
    with pytest.raises(ValueError):
        X.corpus_rule("T3-BAL", "error", "clash", "PRACT")(lambda reps: ())


# --------------------------------------------------------------------------- bodies

def test_body_names_region_prefix_and_family():
    keys = X.body_keys(["洪泽区人民政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府", "洪泽区人民政府办公室",
                        "平潭综合实验区", "平潭综合实验区地方税务局"])
    assert keys["洪泽区人民政府"] == keys["淮安市洪泽区人民政府"] == "江苏省淮安市洪泽区人民政府"
    assert keys["洪泽区人民政府办公室"] == "洪泽区人民政府办公室"        # the office is another report family
    assert keys["平潭综合实验区"] != keys["平潭综合实验区地方税务局"]   # a department is not its zone
    # a short name that fits two different longer bodies is ambiguous and stays alone
    keys = X.body_keys(["新城区人民政府", "西安市新城区人民政府", "呼和浩特市新城区人民政府"])
    assert keys["新城区人民政府"] == "新城区人民政府"
    assert X.body_keys(["人民政府", "淮安市人民政府"])["人民政府"] == "人民政府"   # generic names never match
    assert X.body_keys(["财政局", "淮安市财政局"])["财政局"] == "财政局"           # no place of its own
    keys = X.body_keys(["松北区船口街道办事处", "哈尔滨市松北区船口街道办事处"])
    assert keys["松北区船口街道办事处"] == "哈尔滨市松北区船口街道办事处"
    assert X.norm_name(" 淮安市 洪泽区人民政府\u3000") == "淮安市洪泽区人民政府"


def test_normalised_agency_is_preferred_and_levels_must_agree():
    a = make("洪泽区政府", 2022, cells=V21, normalised="淮安市洪泽区人民政府")
    b = make("洪泽区人民政府", 2023, cells={**V21, "t2.normative_docs.in_force": 99})
    run_corpus_checks([a, b])
    assert [f.rule_id for f in cross(b)] == ["T2-INFORCE-ROLL"]
    a.level, b.level = "county", "local_dept"
    run_corpus_checks([a, b])
    assert cross(b) == []


# --------------------------------------------------------------------------- the real pairs

def real_reports(names):
    files = [REAL / n for n in names]
    if not all(f.exists() for f in files):
        pytest.skip("shared corpus not available")
    return run_corpus(files)


def test_hongze_2023_2024_hold():
    """Carry-over 0 -> 0 and the in-force roll 5 + 3 - 0 = 8 hold: no finding. Parsed from the PDFs
    when a PDF reader is present, else built from the gold annotations."""
    reps = []
    if (REAL / "hongze-2023.pdf").exists():
        reps = run_corpus([REAL / "hongze-2023.pdf", REAL / "hongze-2024.pdf"])
    if not reps or any(r.status == "failed" or r.cell("t2.normative_docs.in_force") is None for r in reps):
        reps = [from_gold("hongze-2023"), from_gold("hongze-2024")]
        run_corpus_checks(reps)
    r23, r24 = sorted(reps, key=lambda r: r.report_year)
    keys = X.body_keys([X.body_name(r23), X.body_name(r24)])
    assert keys[X.body_name(r23)] == keys[X.body_name(r24)]
    assert [(c.path, [p.path for p in ps]) for c, ps in X.pairs(reps)] == [(r24.path, [r23.path])]
    assert cross(r23) == [] and cross(r24) == []
    # the same pair with a stock that does not roll is caught, on the later report, naming both
    set_value(r24, "t2.normative_docs.in_force", 9)
    run_corpus_checks(reps)
    [f] = cross(r24)
    assert f.rule_id == "T2-INFORCE-ROLL" and f.expected == "8" and f.actual == "9" and f.severity == "warning"
    ev = " | ".join(e.text for e in f.evidence)
    assert r24.path in ev and r23.path in ev and r24.report_id in ev and r23.report_id in ev
    assert "t2.normative_docs.in_force = '5'" in ev and r23.sha256 in f.scope
    assert cross(r23) == []


def test_pingtan_2019_2020_hold_txt_and_html():
    reps = real_reports(["pingtan-2019.txt", "pingtan-2019.html", "pingtan-2020.txt", "pingtan-2020.html"])
    assert all(cross(r) == [] for r in reps)
    by = {Path(r.path).name: r for r in reps}
    pairs = {Path(c.path).name: [Path(p.path).name for p in ps] for c, ps in X.pairs(reps)}
    assert pairs == {"pingtan-2020.txt": ["pingtan-2019.txt", "pingtan-2019.html"],
                     "pingtan-2020.html": ["pingtan-2019.html", "pingtan-2019.txt"]}
    # the comparisons were made: items roll 396, 10, 2648, 126, 35 (the 2019 txt cells are ambiguous,
    # so the html copy is used); T3 carry 0 = 0
    cands = [by["pingtan-2019.txt"], by["pingtan-2019.html"]]
    for k, n in zip(X.T2_V19_ITEMS, (396, 10, 2648, 126, 35)):
        prev, v = X.first_usable(cands, [f"t2.{k}.prev_year_items", f"t2.{k}.items_change"])
        assert prev is by["pingtan-2019.html"] and v[f"t2.{k}.prev_year_items"] + v[f"t2.{k}.items_change"] == n
        assert X.val(by["pingtan-2020.html"], f"t2.{k}.prev_year_items") == n
    assert X.first_usable(cands, ["t3.carried_forward.total"])[1] == {"t3.carried_forward.total": 0}


def test_pingtan_gold_pair_holds_and_a_broken_roll_is_found():
    r19, r20 = from_gold("pingtan-2019", "/c/pingtan-2019.html"), from_gold("pingtan-2020", "/c/pingtan-2020.html")
    run_corpus_checks([r20, r19])
    assert cross(r19) == [] and cross(r20) == []
    set_value(r20, "t2.licensing.prev_year_items", 400)
    run_corpus_checks([r20, r19])
    [f] = cross(r20)
    assert f.rule_id == "T2-V19-ITEMS-ROLL" and f.expected == "396" and f.actual == "400"


# --------------------------------------------------------------------------- the rules one by one

def test_T3_CROSSYEAR_CARRY_total_first_then_columns():
    prev = make("云岭县人民政府", 2021, cells={**t3("carried_forward", natural_person=2, org_other=1)})
    cur = make("云岭县人民政府", 2022, cells={**t3("carried_over", natural_person=2, org_other=1)})
    run_corpus_checks([prev, cur])
    assert cross(cur) == []
    cur = make("云岭县人民政府", 2022, cells={**t3("carried_over", natural_person=1, org_other=0)})
    run_corpus_checks([prev, cur])
    [f] = cross(cur)                          # one finding on the total, naming the columns
    assert f.scope.endswith(":total") and f.expected == "3" and f.actual == "1"
    assert "natural_person 2→1" in f.message and "org_other 1→0" in f.message
    cur = make("云岭县人民政府", 2022, cells={**t3("carried_over", natural_person=1, org_commercial=1, org_other=1)})
    run_corpus_checks([prev, cur])             # totals agree, columns do not
    assert sorted(f.scope.split(":")[1] for f in cross(cur)) == ["natural_person", "org_commercial"]
    assert cross(prev) == []


def test_T3_CROSSYEAR_CARRY_skips_unreadable_cells_and_other_editions():
    prev = make("云岭县人民政府", 2021, cells=t3("carried_forward", natural_person=2),
                ambiguous=["t3.carried_forward.total", "t3.carried_forward.natural_person"])
    cur = make("云岭县人民政府", 2022, cells=t3("carried_over", natural_person=5))
    run_corpus_checks([prev, cur])
    assert cross(cur) == []
    old = make("云岭县人民政府", 2019, "v2007", t3("carried_forward", natural_person=2))
    cur = make("云岭县人民政府", 2020, "v2019", t3("carried_over", natural_person=5))
    run_corpus_checks([old, cur])
    assert cross(cur) == []
    # a year gap is not a pair
    prev = make("云岭县人民政府", 2020, cells=t3("carried_forward", natural_person=2))
    run_corpus_checks([prev, make("云岭县人民政府", 2022, cells=t3("carried_over"))])
    assert list(X.pairs([prev, make("云岭县人民政府", 2022)])) == []


def test_T2_INFORCE_ROLL_and_REPEAL_LE_STOCK():
    prev = make("临江市人民政府", 2022, cells=V21)
    ok = {**V21, "t2.normative_docs.issued": 4, "t2.normative_docs.repealed": 2, "t2.normative_docs.in_force": 12}
    cur = make("临江市人民政府", 2023, cells=ok)
    run_corpus_checks([cur, prev])
    assert cross(cur) == []
    bad = {**ok, "t2.normative_docs.in_force": 11, "t2.regulations.repealed": 5, "t2.regulations.in_force": 0}
    cur = make("临江市人民政府", 2023, cells=bad)
    run_corpus_checks([cur, prev])
    got = sorted((f.rule_id, f.scope.split(":")[1]) for f in cross(cur))
    assert got == [("T2-INFORCE-ROLL", "normative_docs"), ("T2-INFORCE-ROLL", "regulations"),
                   ("T2-REPEAL-LE-STOCK", "regulations")]
    # not before 2022 (the 2021 edition's first year has no v2021 predecessor) and not across editions
    early = make("临江市人民政府", 2021, cells=V21), make("临江市人民政府", 2022, cells=bad)
    run_corpus_checks(list(early))
    assert [f.rule_id for f in cross(early[1])] == ["T2-INFORCE-ROLL", "T2-INFORCE-ROLL", "T2-REPEAL-LE-STOCK"]
    early[0].report_year, early[1].report_year = 2020, 2021
    run_corpus_checks(list(early))
    assert cross(early[1]) == []
    # ambiguous cells are skipped
    cur = make("临江市人民政府", 2023, cells=bad, ambiguous=["t2.normative_docs.in_force"])
    run_corpus_checks([cur, prev])
    assert sorted((f.rule_id, f.scope.split(":")[1]) for f in cross(cur)) == [
        ("T2-INFORCE-ROLL", "regulations"), ("T2-REPEAL-LE-STOCK", "regulations")]
    cur = make("临江市人民政府", 2023, cells=bad, ambiguous=["t2.regulations.repealed", "t2.normative_docs.issued"])
    run_corpus_checks([cur, prev])
    assert cross(cur) == []


def test_T2_V19_ITEMS_ROLL():
    cells19 = {"t2.licensing.prev_year_items": 100, "t2.licensing.items_change": -4,
               "t2.penalty.prev_year_items": 50, "t2.penalty.items_change": None}        # blank = 0
    prev = make("白石镇人民政府", 2019, "v2019", cells19)
    cur = make("白石镇人民政府", 2020, "v2019", {"t2.licensing.prev_year_items": 96, "t2.penalty.prev_year_items": 50})
    run_corpus_checks([prev, cur])
    assert cross(cur) == []
    cur = make("白石镇人民政府", 2020, "v2019", {"t2.licensing.prev_year_items": 100, "t2.penalty.prev_year_items": 50})
    run_corpus_checks([prev, cur])
    [f] = cross(cur)
    assert f.rule_id == "T2-V19-ITEMS-ROLL" and f.scope.endswith(":licensing") and f.expected == "96"


def t4(**blocks):
    out = {}
    for b in X.T4_BLOCKS:
        v = blocks.get(b, (0, 0, 0, 0))
        out.update({f"t4.{b}.{c}": x for c, x in zip(("upheld", "corrected", "other", "pending"), v)})
        out[f"t4.{b}.total"] = sum(v)
    return out


def test_T4_CROSSYEAR_PENDING_is_info_and_silenced_by_the_narrative():
    prev = make("东湖街道办事处", 2022, cells=t4(review=(1, 0, 0, 2)))
    cur = make("东湖街道办事处", 2023, cells=t4(), sections={"s1_overview": "本年度工作平稳。"})
    run_corpus_checks([prev, cur])
    [f] = cross(cur)
    assert f.rule_id == "T4-CROSSYEAR-PENDING" and f.severity == "info" and f.scope.endswith(":review")
    cur = make("东湖街道办事处", 2023, cells=t4(), sections={"s1_overview": "上年结转的2件行政复议案件均已审结。"})
    run_corpus_checks([prev, cur])
    assert cross(cur) == []


NARR = {"s1_overview": "2022年，本局坚持以公开为常态、不公开为例外，围绕中心工作扎实推进政务公开。全年通过门户网站主动公开"
                       "政府信息三百余条，及时更新机构职能、政策文件、财政预决算等栏目，规范办理依申请公开事项。",
        "s5_problems": "存在的主要问题：政策解读形式较为单一，基层公开标准化规范化建设仍需加强，工作人员业务水平有待提升。"
                       "改进措施：丰富解读形式，加强培训，推进基层政务公开标准化规范化建设向纵深发展。",
        "s6_other": "本年度未收取信息处理费。无其他需要报告的事项。"}
OTHER = {"s1_overview": "本年度，我区围绕优化营商环境，集中发布惠企政策汇编，开设政策问答专栏，回应企业关切，"
                        "组织政务开放日活动四次，邀请人大代表、政协委员和群众代表走进机关，现场体验审批服务流程。",
         "s5_problems": "一是部分单位对新条例理解不深；二是栏目内容更新存在滞后。下一步将建立定期巡查和通报机制，"
                        "压实各单位主体责任，确保公开内容准确及时。",
         "s6_other": "无。"}


def test_DUP_PREV_YEAR():
    prev = make("金沙区交通运输局", 2022, sections=NARR)
    same = {k: v.replace("2022年", "2023年") for k, v in NARR.items()}
    cur = make("金沙区交通运输局", 2023, sections=same)
    run_corpus_checks([prev, cur])
    [f] = cross(cur)
    assert f.rule_id == "DUP-PREV-YEAR" and float(f.actual) >= 0.85 and cross(prev) == []
    cur = make("金沙区交通运输局", 2023, sections=OTHER)
    run_corpus_checks([prev, cur])
    assert cross(cur) == []
    tiny = make("金沙区交通运输局", 2023, sections={"s6_other": "无。"})
    run_corpus_checks([make("金沙区交通运输局", 2022, sections={"s6_other": "无。"}), tiny])
    assert cross(tiny) == []                      # too short to compare


def test_template_labels_do_not_count_as_narrative():
    labels = "本年新收政府信息公开申请数量上年结转政府信息公开申请数量本年度办理结果予以公开部分公开（区分处理的，只计这一情形，不计其他情形）"
    rep = make("x", 2022, sections={"s3_applications": labels * 3})
    raw = {labels[i:i + 5] for i in range(len(labels) - 4)}
    left = X.narrative_grams(rep)
    assert len(left) < len(raw) / 2 and "信息公开申" not in left   # only grams across label boundaries stay


def test_DUP_TABLE_PREV():
    tables = {**t3("new_received", natural_person=3, total=3), **t3("r_total", natural_person=3), **t4()}
    prev = make("北川县卫生健康局", 2022, cells=tables)
    cur = make("北川县卫生健康局", 2023, cells=tables)
    run_corpus_checks([prev, cur])
    assert [f.rule_id for f in cross(cur)] == ["DUP-TABLE-PREV"]
    zeros = {k: 0 for k in tables}
    a, b = make("北川县卫生健康局", 2022, cells=zeros), make("北川县卫生健康局", 2023, cells=zeros)
    run_corpus_checks([a, b])
    assert cross(b) == []                         # all-zero tables repeat legitimately
    changed = make("北川县卫生健康局", 2023, cells={**tables, "t3.r_total.natural_person": 2})
    run_corpus_checks([prev, changed])
    assert cross(changed) == []


def test_DUP_PEER_both_sides_once_per_other_body():
    a = make("清源市司法局", 2022, sections=NARR)
    a_html = make("清源市司法局", 2022, sections=NARR, fmt="html")
    b = make("南浦市生态环境局", 2022, sections=NARR)
    c = make("石门县住房和城乡建设局", 2022, sections=OTHER)
    d = make("临江市自然资源和规划局", 2023, sections=NARR)        # another year: not a peer
    run_corpus_checks([a, a_html, b, c, d])
    assert [f.rule_id for f in cross(a)] == ["DUP-PEER"] and [f.rule_id for f in cross(a_html)] == ["DUP-PEER"]
    assert [f.rule_id for f in cross(b)] == ["DUP-PEER"]           # once, though the body has two copies
    assert cross(c) == [] and cross(d) == []
    assert a.path in " ".join(e.text for e in cross(b)[0].evidence) or a_html.path in " ".join(
        e.text for e in cross(b)[0].evidence)


def test_similar_pairs_is_exact():
    rng = random.Random(7)
    alphabet = [chr(0x4E00 + i) for i in range(300)]
    base = [frozenset(rng.sample(alphabet, 120)) for _ in range(6)]
    docs = {}
    for i, s in enumerate(base):
        docs[f"d{i}"] = s
        docs[f"d{i}x"] = frozenset(list(s)[:-rng.randint(0, 30)] or s)
    brute = sorted((a, b) for a in docs for b in docs if a < b and X.jaccard(docs[a], docs[b]) >= 0.85)
    assert [(a, b) for a, b, _ in X.similar_pairs(docs, 0.85)] == brute


def test_synthetic_pairs_from_random_spec():
    """Two years of one synthetic body, parsed from rendered text: T3-CROSSYEAR-CARRY fires exactly
    when the spec's 2022 结转下年度 differs from its 2023 上年结转, and a pair made consistent is clean."""
    seen = set()
    for seed in range(6):
        s22 = synth.random_spec(seed, "v2021", 2022, agency="云岭县人民政府", scale="busy")
        s23 = synth.random_spec(seed + 50, "v2021", 2023, agency="淮安市云岭县人民政府", scale="busy")
        r22 = parse_bytes(f"/s/{seed}-2022.txt", synth.render(s22).encode())
        r23 = parse_bytes(f"/s/{seed}-2023.txt", synth.render(s23).encode())
        run_corpus_checks([r23, r22])
        fwd = synth.value_of(s22.cells, "t3.carried_forward.total")
        over = synth.value_of(s23.cells, "t3.carried_over.total")
        got = [f for f in cross(r23) if f.rule_id == "T3-CROSSYEAR-CARRY"]
        if fwd != over:
            assert [f.scope.split(":")[1] for f in got] == ["total"], seed
            assert got[0].expected == X.fmt_num(fwd) and got[0].actual == X.fmt_num(over)
        else:
            assert all(f.scope.split(":")[1] != "total" for f in got)
        seen.add(fwd != over)
        assert cross(r22) == []
        # 2023 = 2022's cells moved on by one year: carry-over = last year's carry-forward (and T3-BAL
        # still holds: the same amount added to 上年结转 and 结转下年度)
        cells = dict(s22.cells)
        for c in X.T3_COLS:
            f = synth.value_of(s22.cells, f"t3.carried_forward.{c}")
            o = synth.value_of(s22.cells, f"t3.carried_over.{c}")
            cells[f"t3.carried_over.{c}"] = str(int(f))
            cells[f"t3.carried_forward.{c}"] = str(int(synth.value_of(s22.cells, f"t3.carried_forward.{c}") + f - o))
        nxt = parse_bytes(f"/s/{seed}-2023b.txt", synth.render(replace(s22, year=2023, cells=cells, seed=seed + 9)).encode())
        run_corpus_checks([r22, nxt])
        assert not [f for f in cross(nxt) if f.rule_id == "T3-CROSSYEAR-CARRY"], seed
        assert not [f for f in nxt.findings if f.rule_id == "T3-BAL"]
    assert seen == {True, False}


# --------------------------------------------------------------------------- fingerprints and order

def test_fingerprints_distinct_per_pair_and_stable():
    prev_a = make("临江市人民政府", 2022, cells=V21, path="/c/a.txt")
    prev_b = make("临江市人民政府", 2022, cells=V21, path="/c/b.html", fmt="html")
    cur = make("临江市人民政府", 2023, cells={**V21, "t2.normative_docs.in_force": 99})
    run_corpus_checks([prev_a, prev_b, cur])
    [f] = cross(cur)
    used = prev_a  # same format (txt) first
    assert f.scope == f"{used.sha256}:normative_docs"
    fp = f.fingerprint
    run_corpus_checks([cur, prev_b, prev_a])       # again, another order: nothing added, same print
    assert [g.fingerprint for g in cross(cur)] == [fp]
    run_corpus_checks([prev_b, cur])                # compared with the other copy: another pair
    assert [g.fingerprint for g in cross(cur)] != [fp]


def _folder(tmp_path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for n in ("pingtan-2019.txt", "pingtan-2019.html", "pingtan-2020.txt", "pingtan-2020.html"):
        if (REAL / n).exists():
            shutil.copy(REAL / n, d / n)
    s22 = synth.random_spec(1, "v2021", 2022, agency="河西区教育局")
    s23 = replace(s22, year=2023)   # same data, same prose: DUP-TABLE-PREV, DUP-PREV-YEAR
    (d / "hx-2022.txt").write_text(synth.render(s22), encoding="utf-8")
    (d / "hx-2023.txt").write_text(synth.render(s23), encoding="utf-8")
    (d / "hx-2023-copy.txt").write_text(synth.render(s23), encoding="utf-8")   # same bytes, another name
    peer = replace(s23, agency="金沙区交通运输局")
    (d / "js-2023.txt").write_text(synth.render(peer), encoding="utf-8")
    return d


def test_same_corpus_in_any_order_same_fingerprints_and_bytes(tmp_path):
    d = _folder(tmp_path)
    files = sorted(str(p) for p in d.iterdir())
    shuffled = files[:]
    random.Random(3).shuffle(shuffled)
    assert shuffled != files
    outs = []
    for i, order in enumerate((files, shuffled, files[::-1])):
        out = tmp_path / f"out{i}"
        assert main(["run", *order, "--out", str(out), "-q"]) == 0
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir() if p.is_file())  # the datasets (.cache aside)
    assert names == sorted(p.name for p in outs[1].iterdir() if p.is_file()) and len(names) == 10
    for o in outs[1:]:
        for n in names:
            assert (outs[0] / n).read_bytes() == (o / n).read_bytes(), n
    import pandas as pd
    f = pd.read_parquet(outs[0] / "findings.parquet")
    r = pd.read_parquet(outs[0] / "reports.parquet").set_index("report_id")
    f["file"] = f.report_id.map(r.path).map(lambda p: Path(p).name)
    got = set(zip(f.file, f.rule_id))
    assert {("hx-2023.txt", "DUP-TABLE-PREV"), ("hx-2023.txt", "DUP-PREV-YEAR"),
            ("hx-2023-copy.txt", "DUP-TABLE-PREV"), ("js-2023.txt", "DUP-PEER"),
            ("hx-2023.txt", "DUP-PEER")} <= got
    assert not any(n.startswith("pingtan") and rid in CROSS for n, rid in got)
    assert r.index[r.path.str.endswith("hx-2023.txt")][0].endswith("-2")   # ids in path order


def test_run_corpus_twice_same_fingerprints(tmp_path):
    d = _folder(tmp_path)
    files = discover([d])
    a = {(r.path, f.rule_id, f.fingerprint) for r in run_corpus(files) for f in r.findings}
    b = {(r.path, f.rule_id, f.fingerprint) for r in run_corpus(files[::-1]) for f in r.findings}
    assert a == b and any(rid in CROSS for _, rid, _ in a)

"""Synthetic OGI annual reports whose truth is known by construction.

A `ReportSpec` says what a report prints: its edition, year, issuing body, the raw
text of every table cell, and the layout options (text shape, placeholders,
missing sections, wrong dates, extra rows and columns, narrative counts). Two
renderers turn a spec into the two real plain-text shapes:

* `render_cell_per_line` — the text export of a DOCX (like the seed report
  songbei-chuankou-2020.txt): one table cell per tab-indented line, blank cells
  as a lone tab, rows separated by empty lines, vertical labels one character
  per line, merged cells continued by lone tabs;
* `render_flattened_web` — the text rendering of a web page (like
  pingtan-2021.txt): `key: value` header lines, a `==== 正文 ====` rule, then the
  whole body on one line with every table flattened (labels, then digits run
  together).

`truth(spec)` gives what a correct extractor must return: every cell (value,
raw, status), sections in order with printed titles, edition, year, agency,
publication date, and the rule ids expected among error/warning findings. The
truth never reads the extractor: labels are copied here from SCHEMA.md, the
identities are evaluated here, and for flattened text the cells that the text
alone cannot split (no template identity decides them) are computed here by an
independent enumeration and marked "ambiguous".

`random_spec(seed, edition, ...)` fills a spec with consistent data (all
template identities hold) and applies the requested options; `VARIANTS` names
the specs of the committed synthetic corpus, written by

    python -m extractor.synth corpus/synthetic

(which also writes the DOCX/HTML/DOC/WPS examples of `extractor.synth_formats`: the
same logical report written in those formats, with real merged-cell tables).
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

EDITIONS = ("v2019", "v2021")
SHAPES = ("cell_per_line", "flattened_web")

# --------------------------------------------------------------------------- the official layout
# An independent copy of SCHEMA.md §2–§4 (the oracle must not share the extractor's templates).

COUNT, SIGNED, AMOUNT = "count", "signed", "amount"

# (article, [(col_key, label, kind)], [(row_key, label)])
T2_LAYOUT: dict[str, list[tuple[str, list[tuple[str, str, str]], list[tuple[str, str]]]]] = {
    "v2019": [
        ("第二十条第（一）项",
         [("new_made", "本年新制作数量", COUNT), ("new_published", "本年新公开数量", COUNT),
          ("total_published", "对外公开总数量", COUNT)],
         [("regulations", "规章"), ("normative_docs", "规范性文件")]),
        ("第二十条第（五）项",
         [("prev_year_items", "上一年项目数量", COUNT), ("items_change", "本年增/减", SIGNED),
          ("decisions", "处理决定数量", COUNT)],
         [("licensing", "行政许可"), ("other_mgmt_services", "其他对外管理服务事项")]),
        ("第二十条第（六）项",
         [("prev_year_items", "上一年项目数量", COUNT), ("items_change", "本年增/减", SIGNED),
          ("decisions", "处理决定数量", COUNT)],
         [("penalty", "行政处罚"), ("coercion", "行政强制")]),
        ("第二十条第（八）项",
         [("prev_year_items", "上一年项目数量", COUNT), ("items_change", "本年增/减", SIGNED)],
         [("admin_fees", "行政事业性收费")]),
        ("第二十条第（九）项",
         [("items", "采购项目数量", COUNT), ("amount", "采购总金额", AMOUNT)],
         [("central_procurement", "政府集中采购")]),
    ],
    "v2021": [
        ("第二十条第（一）项",
         [("issued", "本年制发件数", COUNT), ("repealed", "本年废止件数", COUNT),
          ("in_force", "现行有效件数", COUNT)],
         [("regulations", "规章"), ("normative_docs", "行政规范性文件")]),
        ("第二十条第（五）项", [("decisions", "本年处理决定数量", COUNT)], [("licensing", "行政许可")]),
        ("第二十条第（六）项", [("decisions", "本年处理决定数量", COUNT)],
         [("penalty", "行政处罚"), ("coercion", "行政强制")]),
        ("第二十条第（八）项", [("amount_10k_cny", "本年收费金额（单位：万元）", AMOUNT)],
         [("admin_fees", "行政事业性收费")]),
    ],
}

T3_TITLE = "收到和处理政府信息公开申请情况"
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_COLS = [("natural_person", "自然人"), ("org_commercial", "商业企业"), ("org_research", "科研机构"),
           ("org_public_welfare", "社会公益组织"), ("org_legal_service", "法律服务机构"), ("org_other", "其他"),
           ("total", "总计")]
APPLICANTS = [k for k, _ in T3_COLS[:6]]
ORGS = APPLICANTS[1:]
R3 = "三、本年度办理结果"
G_DENIED, G_UNABLE, G_UNPROC, G_OTHER = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
DENIED = [("r_denied_state_secret", "1.属于国家秘密"), ("r_denied_law_prohibited", "2.其他法律行政法规禁止公开"),
          ("r_denied_security_stability", "3.危及“三安全一稳定”"), ("r_denied_third_party", "4.保护第三方合法权益"),
          ("r_denied_internal_affairs", "5.属于三类内部事务信息"), ("r_denied_process_info", "6.属于四类过程性信息"),
          ("r_denied_enforcement_file", "7.属于行政执法案卷"), ("r_denied_admin_inquiry", "8.属于行政查询事项")]
UNABLE = [("r_unable_not_held", "1.本机关不掌握相关政府信息"), ("r_unable_needs_creation", "2.没有现成信息需要另行制作"),
          ("r_unable_unclear", "3.补正后申请内容仍不明确")]
UNPROC = [("r_unprocessed_petition", "1.信访举报投诉类申请"), ("r_unprocessed_repeat", "2.重复申请"),
          ("r_unprocessed_publication", "3.要求提供公开出版物"), ("r_unprocessed_excessive", "4.无正当理由大量反复申请"),
          ("r_unprocessed_confirm_reissue", "5.要求行政机关确认或重新出具已获取信息")]
OTHER21 = [("r_other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
           ("r_other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
           ("r_other_other", "3.其他")]
# how the merged group cells print in a DOCX text export (one piece per line)
VERTICAL = {R3: ["三、", "本", "年", "度", "办", "理", "结", "果"], G_DENIED: ["（三）", "不予", "公开"],
            G_UNABLE: ["（四）", "无法", "提供"], G_UNPROC: ["（五）不予", "处理"], G_OTHER: ["（六）其他", "处理"]}

T4_BLOCKS = [("review", "行政复议"), ("lit_direct", "未经复议直接起诉"), ("lit_after_review", "复议后起诉")]
T4_COLS = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"),
           ("total", "总计")]

SECTION_KEYS = ["s1_overview", "s2_proactive", "s3_applications", "s4_review_litigation", "s5_problems", "s6_other"]
SECTION_TITLES = {"s1_overview": "一、总体情况", "s2_proactive": "二、主动公开政府信息情况",
                  "s3_applications": "三、收到和处理政府信息公开申请情况",
                  "s4_review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
                  "s5_problems": "五、存在的主要问题及改进情况", "s6_other": "六、其他需要报告的事项"}
# real variants (SCHEMA.md §1) a spec may print instead
SECTION_VARIANTS = {"s1_overview": ["一、总体情况概述"],
                    "s4_review_litigation": ["四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                                             "四、政府信息公开行政复议和行政诉讼情况"],
                    "s5_problems": ["五、存在的主要问题及改进措施", "五、政府信息公开工作存在的主要问题及改进情况"]}
DROPPABLE = {"s1_overview", "s5_problems", "s6_other"}


def t3_rows(edition: str, single_other: bool = False) -> list[tuple[str, str | None, str]]:
    """T3 rows as printed: (row key, group, label); group None = a top-level row (一, 二, 四),
    "" = an item directly under 三、本年度办理结果, else the group label it sits under."""
    rows: list[tuple[str, str | None, str]] = [
        ("new_received", None, "一、本年新收政府信息公开申请数量"),
        ("carried_over", None, "二、上年结转政府信息公开申请数量"),
        ("r_granted", "", "（一）予以公开"),
        ("r_partial", "", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]
    rows += [(k, G_DENIED, lab) for k, lab in DENIED]
    rows += [(k, G_UNABLE, lab) for k, lab in UNABLE]
    rows += [(k, G_UNPROC, lab) for k, lab in UNPROC]
    if edition == "v2019" or single_other:
        rows.append(("r_other", "", G_OTHER))
    else:
        rows += [(k, G_OTHER, lab) for k, lab in OTHER21]
    rows += [("r_total", "", "（七）总计"), ("carried_forward", None, "四、结转下年度继续办理")]
    return rows


def template_t3_rows(edition: str) -> list[str]:
    return [k for k, _, _ in t3_rows(edition)]


def t3_columns(subtotal: bool = False) -> list[str]:
    cols = [k for k, _ in T3_COLS]
    if subtotal:
        cols.insert(cols.index("total"), "org_subtotal")
    return cols


def layout_keys(edition: str, t3_subtotal_col: bool = False, t3_single_other: bool = False) -> list[str]:
    """Every cell key a report of this layout prints, in table order."""
    keys = [f"t2.{r}.{c}" for _, cols, rows in T2_LAYOUT[edition] for r, _ in rows for c, _, _ in cols]
    keys += [f"t3.{r}.{c}" for r, _, _ in t3_rows(edition, t3_single_other) for c in t3_columns(t3_subtotal_col)]
    keys += [f"t4.{b}.{c}" for b, _ in T4_BLOCKS for c, _ in T4_COLS]
    return keys


def edition_for_year(year: int) -> str:
    return "v2007" if year <= 2018 else ("v2019" if year <= 2020 else "v2021")


# --------------------------------------------------------------------------- the spec

@dataclass
class ReportSpec:
    """What a synthetic report prints. `cells` maps every printed cell key to its raw text
    (blank = ""); the T3 rows printed follow `edition` and `t3_single_other`."""

    edition: str
    year: int
    agency: str
    cells: dict[str, str]
    shape: str = "cell_per_line"
    seed: int = 0  # narrative choices and (flattened) where spaces fall between cells
    title_suffix: str = "年"  # "年" or "年度" after the year in the title
    title_lines: int = 2  # cell-per-line: the title broken over two lines (as in the seed) or one
    signature: bool = True  # agency and date printed at the end
    signature_org: str | None = None  # default: the agency
    signature_date: date | None = None  # default: 20 January of the following year
    page_date: date | None = None  # flattened: the page's 发布时间 (default: the signature date)
    web_chrome: bool = False  # flattened: CMS navigation before the body (title only in the header)
    period_year: int | None = None  # the 统计期限 year (default: the report year)
    drop_sections: tuple[str, ...] = ()
    section_titles: dict[str, str] = field(default_factory=dict)  # printed-title overrides
    narrative_new_received: int | None = None  # "本年度共收到政府信息公开申请N件" (None: not stated)
    t3_subtotal_col: bool = False  # an extra 小计 column after 其他 (cell-per-line only)
    t3_single_other: bool = False  # a v2021 table printing the 2019 single （六）其他处理 row
    spacing: str = "tight"  # flattened: "tight" (digits run together) or "some" (spaces/NBSP here and there)
    label_style: str = "official"  # T3 labels as in the template, or "variants" seen in real reports
    date_style: str = "arabic"  # the signature date: "arabic" (2021年1月20日) or "chinese" (二〇二一年一月二十日)
    proactive_count: int = 120  # the 主动公开 count quoted in section 一

    def __post_init__(self):
        if self.edition not in EDITIONS:
            raise ValueError(f"edition must be one of {EDITIONS}, not {self.edition!r}")
        if self.label_style not in ("official", "variants") or self.date_style not in ("arabic", "chinese"):
            raise ValueError(f"label_style {self.label_style!r} / date_style {self.date_style!r} unknown")
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}, not {self.shape!r}")
        bad = set(self.drop_sections) - DROPPABLE
        if bad:
            raise ValueError(f"only sections without tables can be dropped ({sorted(DROPPABLE)}), not {sorted(bad)}")
        if self.shape == "flattened_web":
            if self.t3_subtotal_col:
                raise ValueError("a 小计 column is only rendered in the cell-per-line shape")
            blank = sorted(k for k, v in self.cells.items() if v.strip() == "")
            if blank:
                raise ValueError(f"flattened text cannot show blank cells (they vanish): {blank[:5]}")
        missing = [k for k in self.cell_keys() if k not in self.cells]
        if missing:
            raise ValueError(f"cells missing from the spec: {missing[:5]}{' …' if len(missing) > 5 else ''}")

    # layout -------------------------------------------------------------
    @property
    def t3_cols(self) -> list[str]:
        return t3_columns(self.t3_subtotal_col)

    def t3_rows(self) -> list[tuple[str, str | None, str]]:
        return t3_rows(self.edition, self.t3_single_other)

    def cell_keys(self) -> list[str]:
        return layout_keys(self.edition, self.t3_subtotal_col, self.t3_single_other)

    # metadata -----------------------------------------------------------
    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}{self.title_suffix}政府信息公开工作年度报告"

    @property
    def sig_date(self) -> date:
        return self.signature_date or date(self.year + 1, 1, 20)

    @property
    def web_date(self) -> date:
        return self.page_date or self.sig_date

    def sections(self) -> list[tuple[str, str]]:
        return [(k, self.section_titles.get(k, SECTION_TITLES[k])) for k in SECTION_KEYS
                if k not in self.drop_sections]


# --------------------------------------------------------------------------- cell text -> meaning

PLACEHOLDERS = {"/": "slash", "／": "slash", "—": "dash", "——": "dash", "-": "dash", "－": "dash", "–": "dash"}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def cell_meaning(raw: str) -> tuple[float | None, str]:
    """(value, status) of a printed cell: blank -> (None, blank); "/" -> (0, slash);
    "—" -> (0, dash); numbers (full-width digits, sign, 增加/减少, unit 元/万元/亿元) -> (n, ok)."""
    t = raw.strip()
    if t == "":
        return None, "blank"
    if t in PLACEHOLDERS:
        return 0.0, PLACEHOLDERS[t]
    t = unicodedata.normalize("NFKC", t)
    sign = 1.0
    for word, s in (("增加", 1.0), ("减少", -1.0)):
        if t.startswith(word):
            t, sign = t[len(word):], s
    for unit in ("亿元", "万元", "元"):
        if t.endswith(unit):
            t = t[: -len(unit)]
            break
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t, re.ASCII):
        raise ValueError(f"not a cell this builder prints: {raw!r}")
    return sign * float(t), "ok"


def value_of(cells: dict[str, str], key: str) -> float:
    """For arithmetic: blank and placeholders count as 0 (RULES.md)."""
    v, _ = cell_meaning(cells[key])
    return 0.0 if v is None else v


# --------------------------------------------------------------------------- flattened runs

def _clean(run: str) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", " ", run).strip()


def _token_ok(tok: str, kind: str, last: bool) -> bool:
    """A well-formed cell in a run: a placeholder, or a number without leading zeros (a sign only
    in a signed column, decimals and a unit only in an amount column, the unit only at the end)."""
    if tok in PLACEHOLDERS:
        return True
    t = unicodedata.normalize("NFKC", tok)
    if kind == AMOUNT:
        m = re.fullmatch(r"(0|[1-9]\d*)(\.\d+)?(元|万元|亿元)?", t, re.ASCII)
        return bool(m) and len(t) <= 20 and (last or not m.group(3))
    if len(t) > 7:  # counts in these tables stay under ten million
        return False
    pattern = r"[+-]?(0|[1-9]\d*)" if kind == SIGNED else r"0|[1-9]\d*"
    return bool(re.fullmatch(pattern, t, re.ASCII))


def run_splits(run: str, kinds: list[str]) -> list[tuple[str, ...]]:
    """Every way to read len(kinds) well-formed cells from a run; a space is always a boundary."""
    run = _clean(run)
    n = len(kinds)
    out: list[tuple[str, ...]] = []

    def rec(i: int, acc: list[str]):
        while i < len(run) and run[i] == " ":
            i += 1
        k = len(acc)
        if k == n:
            if i == len(run):
                out.append(tuple(acc))
            return
        stop = run.find(" ", i)
        stop = len(run) if stop < 0 else stop
        for j in range(i + 1, stop + 1):
            tok = run[i:j]
            if _token_ok(tok, kinds[k], last=(k == n - 1)):
                rec(j, acc + [tok])

    rec(0, [])
    return out


def _tval(tok: str) -> float:
    if tok in PLACEHOLDERS:
        return 0.0
    v, _ = cell_meaning(tok)
    return 0.0 if v is None else v


def _per_cell(solutions: list[tuple[str, ...]], n: int) -> list[str | None]:
    """The token of each cell if every solution agrees on it, else None (ambiguous)."""
    if not solutions:
        return [None] * n
    return [solutions[0][i] if all(s[i] == solutions[0][i] for s in solutions) else None for i in range(n)]


def _flat_rng(spec: ReportSpec) -> random.Random:
    return random.Random(spec.seed * 7919 + 17)


def _join_cells(tokens: list[str], rng: random.Random, spacing: str) -> str:
    out = tokens[0]
    for t in tokens[1:]:
        sep = ""
        if spacing == "some":
            x = rng.random()
            sep = " " if x < 0.10 else ("\u00a0" if x < 0.14 else "")
        out += sep + t
    return out


def flat_runs(spec: ReportSpec) -> dict[tuple[str, str], tuple[str, str]]:
    """(table, row key) -> (what follows the label before the first cell, the run of cells) for the
    flattened shape; T4 is one row keyed ("t4", ""). Deterministic in spec.seed."""
    rng = _flat_rng(spec)
    out: dict[tuple[str, str], tuple[str, str]] = {}

    def lead() -> str:
        return " " if spec.spacing == "some" and rng.random() < 0.2 else ""

    for _, cols, rows in T2_LAYOUT[spec.edition]:
        for r, _ in rows:
            out[("t2", r)] = (lead(), _join_cells([spec.cells[f"t2.{r}.{c}"] for c, _, _ in cols], rng, spec.spacing))
    for r, _, _ in spec.t3_rows():
        out[("t3", r)] = (lead(), _join_cells([spec.cells[f"t3.{r}.{c}"] for c in spec.t3_cols], rng, spec.spacing))
    toks = [spec.cells[f"t4.{b}.{c}"] for b, _ in T4_BLOCKS for c, _ in T4_COLS]
    out[("t4", "")] = ("", _join_cells(toks, rng, spec.spacing))
    return out


def _decide_t2(spec: ReportSpec, runs) -> dict[str, str | None]:
    got: dict[str, str | None] = {}
    for _, cols, rows in T2_LAYOUT[spec.edition]:
        kinds = [k for _, _, k in cols]
        for r, _ in rows:
            toks = _per_cell(run_splits(runs[("t2", r)][1], kinds), len(cols))
            for (c, _, _), t in zip(cols, toks):
                got[f"t2.{r}.{c}"] = t
    return got


MAX_JOINT = 100_000  # joint T3 readings the oracle will weigh (a real page never comes near)


def _decide_t3(spec: ReportSpec, runs) -> dict[str, str | None]:
    """Per row, the splits whose 总计 equals the row sum (all splits if none); then, jointly, the
    choices under which most column identities hold (T3-BAL, T3-TOTAL-ROW). Cells on which the
    best choices disagree are ambiguous."""
    cols = spec.t3_cols
    n = len(cols)
    rows = [r for r, _, _ in spec.t3_rows()]
    outcome = [r for r in rows if r.startswith("r_") and r != "r_total"]
    cand: dict[str, list[tuple[str, ...]]] = {}
    for r in rows:
        sols = run_splits(runs[("t3", r)][1], [COUNT] * n)
        ok = [s for s in sols if sum(_tval(t) for t in s[:-1]) == _tval(s[-1])]
        cand[r] = ok or sols
    free = [r for r in rows if len(cand[r]) > 1]

    def score(assign: dict[str, tuple[str, ...]]) -> int:
        v = {r: [_tval(t) for t in s] for r, s in assign.items()}
        s = 0
        for c in range(n):
            s += v["new_received"][c] + v["carried_over"][c] == v["r_total"][c] + v["carried_forward"][c]
            s += sum(v[r][c] for r in outcome) == v["r_total"][c]
        return s

    fixed = {r: cand[r][0] for r in rows if len(cand[r]) == 1}
    if any(not cand[r] for r in rows):
        raise ValueError("a T3 run cannot be read as cells at all")
    combos = 1
    for r in free:
        combos *= len(cand[r])
    if combos > MAX_JOINT:
        raise ValueError(f"{combos} joint readings of T3: too many to decide by the identities")
    best_s, best = -1, []
    for choice in itertools.product(*(cand[r] for r in free)):
        assign = dict(fixed)
        assign.update(zip(free, choice))
        s = score(assign)
        if s > best_s:
            best_s, best = s, [choice]
        elif s == best_s:
            best.append(choice)
    got: dict[str, str | None] = {}
    for r in rows:
        sols = [cand[r][0]] if r in fixed else [c[free.index(r)] for c in best]
        for c, t in zip(cols, _per_cell(sols, n)):
            got[f"t3.{r}.{c}"] = t
    return got


def _decide_t4(spec: ReportSpec, runs) -> dict[str, str | None]:
    """The 15 cells read as one run; the splits under which most block sums hold."""
    sols = run_splits(runs[("t4", "")][1], [COUNT] * 15)

    def score(s):
        v = [_tval(t) for t in s]
        return sum(sum(v[b * 5: b * 5 + 4]) == v[b * 5 + 4] for b in range(3))

    top = max((score(s) for s in sols), default=0)
    best = [s for s in sols if score(s) == top]
    keys = [f"t4.{b}.{c}" for b, _ in T4_BLOCKS for c, _ in T4_COLS]
    return dict(zip(keys, _per_cell(best, 15)))


def flat_decisions(spec: ReportSpec) -> dict[str, str | None]:
    """What the flattened text alone decides for each cell: its token, or None (ambiguous)."""
    runs = flat_runs(spec)
    got = _decide_t2(spec, runs)
    got.update(_decide_t3(spec, runs))
    got.update(_decide_t4(spec, runs))
    return got


def misread_cells(spec: ReportSpec, decided: dict[str, str | None] | None = None) -> list[str]:
    """Cells the identities would decide *wrongly* from the flattened text (a builder must not
    produce these: the truth would then be unknowable from the text)."""
    if spec.shape != "flattened_web":
        return []
    dec = flat_decisions(spec) if decided is None else decided
    return [k for k, t in dec.items() if t is not None and t != spec.cells[k].strip()]


# --------------------------------------------------------------------------- truth

@dataclass
class Truth:
    name: str
    shape: str
    edition: str
    report_year: int
    agency: str
    title: str
    published_on: date  # what the extractor should report (the signature, else the page date)
    signature_date: date | None
    page_date: date | None
    # key -> (value, raw, status); an "ambiguous" cell keeps the value printed, which the text cannot tell
    cells: dict[str, tuple[float | None, str, str]]
    sections: list[tuple[str, str]]  # (key, printed title), s0_preamble first
    rules: dict[str, str]  # rule id -> why it is expected (among error/warning findings)
    narrative: list[dict] = field(default_factory=list)

    @property
    def ambiguous(self) -> list[str]:
        return sorted(k for k, (_, _, s) in self.cells.items() if s == "ambiguous")

    def to_gold(self, source_file: str, sha256: str, spec: ReportSpec) -> dict:
        """The gold-annotation format of ../shared/corpus (so tools/score.py can score it), plus
        per-cell statuses, the expected rules with severities, and the spec."""
        cells, extra = {}, {}
        tpl_t3 = set(template_t3_rows(self.edition))
        for k, (v, raw, _) in self.cells.items():
            _, row, col = k.split(".")
            entry = {"value": _jsonnum(v), "raw": raw}
            in_template = not k.startswith("t3.") or (row in tpl_t3 and col != "org_subtotal")
            (cells if in_template else extra)[k] = entry
        return {
            "doc_id": self.name, "source_file": source_file, "source_sha256": sha256,
            "format": "txt", "shape": self.shape, "template_version": self.edition,
            "report_year": self.report_year, "agency": self.agency, "title": self.title,
            "published_on": self.signature_date.isoformat() if self.signature_date else None,
            "page_meta_published_on": self.page_date.isoformat() if self.page_date else None,
            "expected_published_on": self.published_on.isoformat(),
            "sections": [{"key": k, "title_as_printed": t} for k, t in self.sections],
            "cells": cells, "extra_cells": extra,
            "cell_status": {k: s for k, (_, _, s) in self.cells.items() if s != "ok"},  # the rest: "ok"
            "ambiguous_cells": self.ambiguous, "missing_cells": [],
            "narrative_facts": self.narrative,
            "true_inconsistencies": [{"rule": r, "detail": d, "cells": []} for r, d in sorted(self.rules.items())],
            "spec": spec_to_json(spec),
            "notes": "synthetic report generated by extractor.synth; truth known by construction",
        }


def _jsonnum(v: float | None):
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


def _sections_truth(spec: ReportSpec) -> list[tuple[str, str]]:
    return [("s0_preamble", "")] + spec.sections()


def expected_rules(spec: ReportSpec, statuses: dict[str, str] | None = None) -> dict[str, str]:
    """Rule ids a correct checker must raise (error or warning) for this spec, with the reason.
    Evaluated here from the printed cells and options, independently of extractor.checks.
    `statuses` (key -> truth status) says which cells a reader can see; default: all of them.
    (Identities are evaluated on every printed value: `random_spec` never leaves a T3 or T4 cell
    ambiguous, so a reader sees every value an identity needs.)"""
    c, rules = spec.cells, {}
    if statuses is None:
        statuses = {k: cell_meaning(c[k])[1] for k in spec.cell_keys()}
    placeholders = sorted(k for k, st in statuses.items() if st in ("slash", "dash"))
    if placeholders:
        rules["FMT-NONNUMERIC"] = f"{len(placeholders)} cells print “/” or “—” (warning)"
    v = lambda k: value_of(c, k)  # noqa: E731
    rows = [r for r, _, _ in spec.t3_rows()]
    outcome = [r for r in rows if r.startswith("r_") and r != "r_total"]
    t3c = [k for k, _ in T3_COLS]
    for col in t3c:
        left = v(f"t3.new_received.{col}") + v(f"t3.carried_over.{col}")
        right = v(f"t3.r_total.{col}") + v(f"t3.carried_forward.{col}")
        if left != right:
            rules.setdefault("T3-BAL", f"{col}: {left:g} != {right:g}")
        s = sum(v(f"t3.{r}.{col}") for r in outcome)
        if s != v(f"t3.r_total.{col}"):
            rules.setdefault("T3-TOTAL-ROW", f"{col}: outcome rows {s:g} != （七）总计 {v(f't3.r_total.{col}'):g}")
    for r in rows:
        s = sum(v(f"t3.{r}.{col}") for col in APPLICANTS)
        if s != v(f"t3.{r}.total"):
            rules.setdefault("T3-TOTAL-COL", f"{r}: applicants {s:g} != 总计 {v(f't3.{r}.total'):g}")
        if spec.t3_subtotal_col and sum(v(f"t3.{r}.{o}") for o in ORGS) != v(f"t3.{r}.org_subtotal"):
            rules.setdefault("T3-SUBTOTAL", f"{r}: 小计 differs from the organisation columns")
    if sum(v(f"t3.{r}.total") for r in outcome) > v("t3.new_received.total") + v("t3.carried_over.total"):
        rules["T3-PARTIAL-ONCE"] = "outcome rows exceed the applications"
    for b, name in (("review", "T4-REVIEW-SUM"), ("lit_direct", "T4-LITDIRECT-SUM"),
                    ("lit_after_review", "T4-LITAFTER-SUM")):
        parts = sum(v(f"t4.{b}.{k}") for k, _ in T4_COLS[:4])
        if parts != v(f"t4.{b}.total"):
            rules[name] = f"{b}: {parts:g} != 总计 {v(f't4.{b}.total'):g}"
    if spec.edition == "v2019":
        for k in ("licensing", "other_mgmt_services", "penalty", "coercion", "admin_fees"):
            left = v(f"t2.{k}.prev_year_items") + v(f"t2.{k}.items_change")
            if f"t2.{k}.items_change" in c and left < 0:
                rules.setdefault("T2-V19-ITEMS-NONNEG", f"{k}: 上一年项目数量 + 本年增/减 = {left:g} < 0")
    if spec.t3_subtotal_col:
        rules["FMT-TABLE-SHAPE"] = "an extra 小计 column (warning)"
    if spec.t3_single_other and spec.edition == "v2021":
        rules["FMT-TABLE-SHAPE"] = "the 2019 single （六）其他处理 row replaces the three v2021 items (error)"
    want = edition_for_year(spec.year)
    if want != spec.edition and spec.year != 2019:
        sev = "error" if spec.year >= 2022 and spec.edition == "v2019" else "warning"
        rules["FMT-VERSION-MISMATCH"] = f"{spec.edition} tables in a {spec.year} report ({sev})"
    missing = [k for k in SECTION_KEYS if k in spec.drop_sections]
    if missing and spec.year != 2019:
        rules["FMT-SECTIONS"] = "missing " + ", ".join(missing)
    published = published_on(spec)
    if published < date(spec.year + 1, 1, 1):
        rules["TIME-EARLY"] = f"dated {published.isoformat()}, before {spec.year} ended"
    if spec.period_year is not None and spec.period_year != spec.year:
        rules["YEAR-TITLE-PERIOD"] = f"title {spec.year}, statistic period {spec.period_year}"
    n = spec.narrative_new_received
    if n is not None and n != v("t3.new_received.total"):
        rules["TXT-APP-NEW"] = f"the text says {n} applications, T3 一 总计 says {v('t3.new_received.total'):g}"
    return rules


def published_on(spec: ReportSpec) -> date:
    if spec.signature:
        return spec.sig_date
    if spec.shape == "flattened_web":
        return spec.web_date
    raise ValueError("a cell-per-line report without a signature has no publication date")


def truth(spec: ReportSpec, name: str = "") -> Truth:
    cells: dict[str, tuple[float | None, str, str]] = {}
    decided = flat_decisions(spec) if spec.shape == "flattened_web" else {}
    wrong = misread_cells(spec, decided)
    if wrong:
        raise ValueError(f"the flattened text would be misread at {wrong[:5]}: not a valid synthetic case")
    for k in spec.cell_keys():
        raw = spec.cells[k].strip()
        v, status = cell_meaning(raw)
        if spec.shape == "flattened_web" and decided.get(k) is None:
            status = "ambiguous"  # the printed value is known here, but the text alone cannot tell it
        cells[k] = (v, raw, status)
    narrative = []
    if spec.narrative_new_received is not None:
        narrative.append({"text": f"本年度共收到政府信息公开申请{spec.narrative_new_received}件",
                          "section": "s3_applications", "relates_to": "t3.new_received.total",
                          "value": spec.narrative_new_received, "rule": "TXT-APP-NEW"})
    return Truth(name=name, shape=spec.shape, edition=spec.edition, report_year=spec.year, agency=spec.agency,
                 title=spec.title, published_on=published_on(spec),
                 signature_date=spec.sig_date if spec.signature else None,
                 page_date=spec.web_date if spec.shape == "flattened_web" else None,
                 cells=cells, sections=_sections_truth(spec),
                 rules=expected_rules(spec, {k: st for k, (_, _, st) in cells.items()}), narrative=narrative)


# --------------------------------------------------------------------------- narrative

CN_DIGITS = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1..31 as written in dates: 一, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else "") + (CN_DIGITS[ones] if ones else "")


def _cn_date(d: date, style: str = "arabic") -> str:
    if style == "chinese":
        return "".join(CN_DIGITS[int(x)] for x in str(d.year)) + f"年{_cn_number(d.month)}月{_cn_number(d.day)}日"
    return f"{d.year}年{d.month}月{d.day}日"


# label variants printed by real reports (SCHEMA.md §3, "Label normalisation hints")
_HALF_PARENS = str.maketrans({"（": "(", "）": ")"})


def t3_label(spec: ReportSpec, label: str) -> str:
    """A T3 row/group label as this spec prints it: the template's, or with half-width
    parentheses, "1、" item numbers, no quotes around 三安全一稳定 and 合计 for 总计."""
    if spec.label_style == "official":
        return label
    t = label.translate(_HALF_PARENS) if label.startswith("（") else label
    t = re.sub(r"^(\d)\.", r"\1、", t)
    t = t.replace("“", "").replace("”", "")
    return t.replace("（七）总计", "（七）合计").replace("(七)总计", "(七)合计")


def t3_total_label(spec: ReportSpec) -> str:
    return "合计" if spec.label_style == "variants" else "总计"


def _preamble(spec: ReportSpec, rng: random.Random) -> str:
    py = spec.period_year or spec.year
    upper = rng.choice(["《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》",
                        "上级政务公开工作主管部门的有关要求", "本省政府信息公开工作年度报告编制的有关要求"])
    phone = f"0{rng.randint(310, 998)}-{rng.randint(2000000, 8999999)}"
    return (f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{upper}，{spec.agency}编制本报告。"
            f"本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
            f"存在的主要问题及改进情况、其他需要报告的事项六个部分组成。"
            f"本报告中所列数据的统计期限自{py}年1月1日至{py}年12月31日。"
            f"本报告电子版可在{spec.agency}门户网站政府信息公开专栏查阅或下载。"
            f"如对本报告有疑问，请与{spec.agency}办公室联系（联系电话：{phone}）。")


def _overview(spec: ReportSpec, rng: random.Random) -> list[str]:
    """Paragraphs of section 一: an opening, then the five aspects the notices ask for."""
    y = spec.year
    opening = rng.choice([
        f"{y}年，{spec.agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，"
        f"紧紧围绕中心工作，扎实推进政府信息公开，切实保障人民群众的知情权、参与权、表达权和监督权。",
        f"{y}年，{spec.agency}在上级部门的指导下，严格执行《条例》各项规定，进一步健全工作机制，"
        f"以公开促落实、以公开促规范、以公开促服务，较好地完成了本年度政府信息公开各项工作。"])
    parts = [
        ("（一）主动公开", f"坚持“公开为常态、不公开为例外”原则，通过门户网站、政务新媒体和公开栏等渠道及时发布政府信息，"
                     f"全年主动公开政府信息{spec.proactive_count}条。"),
        ("（二）依申请公开", "严格按照《条例》规定的程序和时限办理政府信息公开申请，规范答复文书格式，做到依法、及时、准确答复。"),
        ("（三）政府信息管理", "落实政府信息公开保密审查制度，坚持“先审查、后公开”，动态更新政府信息公开指南和目录。"),
        ("（四）政府信息公开平台建设", "加强政府网站和政务新媒体管理，优化栏目设置，确保信息发布及时、准确、规范。"),
        ("（五）监督保障", f"将政务公开工作纳入年度绩效考核，组织业务培训{rng.randint(1, 4)}次，不断提升工作人员业务能力。"),
    ]
    return [opening] + [f"{h}。{t}" for h, t in parts]


def _s4_text(spec: ReportSpec) -> str:
    c = spec.cells
    review = value_of(c, "t4.review.total")
    lit = value_of(c, "t4.lit_direct.total") + value_of(c, "t4.lit_after_review.total")
    if review == 0 and lit == 0:
        return "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    return f"本年度因政府信息公开工作被申请行政复议{review:g}件，被提起行政诉讼{lit:g}件。"


def _s5_parts(rng: random.Random) -> list[str]:
    return ["（一）存在的主要问题",
            rng.choice(["一是政策解读形式还不够丰富，图表图解等方式运用较少；二是个别栏目信息更新不够及时。",
                        "一是政府信息公开工作人员多为兼职，业务能力有待提升；二是公开内容的深度和广度还需进一步拓展。"]),
            "（二）改进措施",
            rng.choice(["下一步，我们将丰富政策解读形式，加强信息发布审核，定期开展栏目自查，进一步提升公开质量。",
                        "下一步，我们将加强业务培训，完善工作机制，拓展公开渠道，推动政府信息公开工作规范化、常态化。"])]


def _s6_text(spec: ReportSpec) -> str:
    if spec.edition == "v2021":
        return "本年度未收取信息处理费。无其他需要报告的事项。"
    return "无其他需要报告的事项。"


def _s3_text(spec: ReportSpec) -> str:
    if spec.narrative_new_received is None:
        return ""
    return f"本年度共收到政府信息公开申请{spec.narrative_new_received}件。"


# --------------------------------------------------------------------------- cell-per-line

def _vertical(label: str) -> list[str]:
    return list(label)


def _table_lines(rows: list[list[list[str]]]) -> list[str]:
    """Rows of cells (a cell = its lines) -> the export's lines: a TAB starts each cell, a
    continuation line (vertical label) follows without one, an empty line ends each row."""
    out: list[str] = []
    for i, row in enumerate(rows):
        if i:
            out.append("")
        for cell in row:
            out.append("\t" + cell[0])
            out.extend(cell[1:])
    out.append("")
    return out


def _t2_grid(spec: ReportSpec) -> list[list[list[str]]]:
    rows = [[["主动公开政府信息情况"]]]
    for article, cols, trows in T2_LAYOUT[spec.edition]:
        rows.append([[article]])
        rows.append([["信息内容"]] + [[lab] for _, lab, _ in cols])
        for r, lab in trows:
            rows.append([[lab]] + [[spec.cells[f"t2.{r}.{c}"]] for c, _, _ in cols])
    return rows


def _t3_grid(spec: ReportSpec) -> list[list[list[str]]]:
    rows: list[list[list[str]]] = [[[T3_TITLE]], [[T3_NOTE], ["申请人情况"]],
                                   [[""], _vertical("自然人"), ["法人或其他组织"], [t3_total_label(spec)]]]
    third = [[""], [""]] + [[lab] if lab != "其他" else _vertical(lab) for _, lab in T3_COLS[1:6]]
    if spec.t3_subtotal_col:
        third.append(["小计"])
    rows.append(third + [[""]])
    seen_groups: set[str] = set()
    first_outcome = True
    for r, group, label in spec.t3_rows():
        values = [[spec.cells[f"t3.{r}.{c}"]] for c in spec.t3_cols]
        label = t3_label(spec, label)
        if group is None:
            rows.append([[label]] + values)
            continue
        lead = [VERTICAL[R3]] if first_outcome else [[""]]
        first_outcome = False
        if group == "":
            rows.append(lead + [[label]] + values)
        else:
            gcell = [t3_label(spec, x) for x in VERTICAL[group]] if group not in seen_groups else [""]
            seen_groups.add(group)
            rows.append(lead + [gcell, [label]] + values)
    return rows


def _t4_grid(spec: ReportSpec) -> list[list[list[str]]]:
    heads = [_vertical(lab) for _, lab in T4_COLS]
    return [[["行政复议"], ["行政诉讼"]],
            heads + [["未经复议直接起诉"], ["复议后起诉"]],
            [[""]] * 5 + heads + heads,
            [[spec.cells[f"t4.{b}.{c}"]] for b, _ in T4_BLOCKS for c, _ in T4_COLS]]


def render_cell_per_line(spec: ReportSpec) -> str:
    """The DOCX text-export shape of the seed report (songbei-chuankou-2020.txt)."""
    rng = random.Random(spec.seed)
    lines: list[str] = []
    if spec.title_lines == 2:
        lines += [f"{spec.agency}{spec.year}{spec.title_suffix}", "政府信息公开工作年度报告"]
    else:
        lines.append(spec.title)
    lines += ["", _preamble(spec, rng)]
    overview = _overview(spec, rng)
    s5 = _s5_parts(rng)
    for key, heading in spec.sections():
        indent = rng.choice(["", "", "    ", "  "])
        lines.append(indent + heading)
        if key == "s1_overview":
            lines.append(overview[0])
            for p in overview[1:]:
                head, _, rest = p.partition("。")
                lines += ["    " + head, "    " + rest]
        elif key == "s2_proactive":
            lines.append(f"{spec.year}年，本机关依法依规做好主动公开工作，具体情况如下。")
            lines.append("")
            lines += _table_lines(_t2_grid(spec))
            lines.append("")
        elif key == "s3_applications":
            text = _s3_text(spec)
            lines.append(text or f"{spec.year}年，本机关收到和处理政府信息公开申请情况如下。")
            lines += _table_lines(_t3_grid(spec))
            lines.append("")
        elif key == "s4_review_litigation":
            lines.append(_s4_text(spec))
            lines += _table_lines(_t4_grid(spec))
            lines += ["", ""]
        elif key == "s5_problems":
            lines += ["    " + p for p in s5]
            lines.append("")
        elif key == "s6_other":
            lines += ["    " + _s6_text(spec), ""]
    if spec.signature:
        lines += ["", " " * 19 + (spec.signature_org or spec.agency), " " + _cn_date(spec.sig_date, spec.date_style)]
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- flattened web text

def _t2_flat(spec: ReportSpec, runs) -> str:
    out = []
    for i, (article, cols, rows) in enumerate(T2_LAYOUT[spec.edition]):
        out.append(("" if i == 0 else " ") + article + "信息内容" + "".join(lab for _, lab, _ in cols))
        for r, lab in rows:
            lead, run = runs[("t2", r)]
            out.append(lab + lead + run)
    return "".join(out)


def _t3_flat(spec: ReportSpec, runs) -> str:
    head = T3_NOTE + "申请人情况" + "自然人法人或其他组织" + t3_total_label(spec) + " " \
        + "".join(lab for _, lab in T3_COLS[1:6])
    out = [head]
    seen: set[str] = set()
    first_outcome = True
    for r, group, label in spec.t3_rows():
        lead, run = runs[("t3", r)]
        prefix = ""
        if group is not None and first_outcome:
            prefix, first_outcome = R3, False
        if group and group not in seen:
            prefix += t3_label(spec, group)
            seen.add(group)
        out.append(prefix + t3_label(spec, label) + lead + run)
    return "".join(out)


def _t4_flat(spec: ReportSpec, runs) -> str:
    heads = "".join(lab for _, lab in T4_COLS)
    return "行政复议行政诉讼" + heads + "未经复议直接起诉复议后起诉" + heads + heads + runs[("t4", "")][1]


def render_flattened_web(spec: ReportSpec) -> str:
    """The archived-web-page text shape (pingtan-2021.txt): header lines, a rule, one body line."""
    rng = random.Random(spec.seed)
    runs = flat_runs(spec)
    d = spec.web_date
    stamp = f"{d.isoformat()} {9 + spec.seed % 8:02d}:{(spec.seed * 13) % 60:02d}"
    slug = hashlib.sha256(spec.title.encode("utf-8")).hexdigest()[:5]
    url = (f"https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/{d.year}{d.month:02d}/"
           f"t{d.strftime('%Y%m%d')}_{int(slug, 16)}.htm")
    header = [f"标题: {spec.title}", f"发布时间: {stamp}", "文号: ", "发布机构: ", "栏目: 政府信息公开年报",
              f"原文链接: {url}", "==================== 正文 ===================="]
    body: list[str] = []
    if spec.web_chrome:
        body.append(f"当前位置： 首页政务公开政府信息公开政府信息公开年报 {spec.title} 来源：{spec.agency} "
                    f"时间：{stamp} 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： --> ")
    else:
        body.append(spec.title + " ")
    body.append(_preamble(spec, rng))
    overview = _overview(spec, rng)
    s5 = _s5_parts(rng)
    for key, heading in spec.sections():
        if key == "s1_overview":
            body.append(heading + "".join(overview))
        elif key == "s2_proactive":
            body.append(heading + " " + _t2_flat(spec, runs))
        elif key == "s3_applications":
            body.append(heading + _s3_text(spec) + _t3_flat(spec, runs))
        elif key == "s4_review_litigation":
            body.append(" " + heading + " " + _s4_text(spec) + _t4_flat(spec, runs) + " ")
        elif key == "s5_problems":
            body.append(heading + s5[0] + "：" + s5[1] + s5[2] + "：" + s5[3])
        elif key == "s6_other":
            body.append(heading + _s6_text(spec))
    if spec.signature:
        body.append(f"{spec.signature_org or spec.agency} {_cn_date(spec.sig_date, spec.date_style)}")
    body.append(" 附件下载")
    return "\n".join(header) + "\n" + "".join(body) + "\n"


def render(spec: ReportSpec) -> str:
    return render_cell_per_line(spec) if spec.shape == "cell_per_line" else render_flattened_web(spec)


# --------------------------------------------------------------------------- random data

AGENCIES = ["青山县市场监督管理局", "临江市自然资源和规划局", "松河区人民政府办公室", "东湖街道办事处",
            "白石镇人民政府", "河西区教育局", "云岭县人民政府", "南浦市生态环境局", "北川县卫生健康局",
            "金沙区交通运输局", "石门县住房和城乡建设局", "清源市司法局"]
# where an applicant's processed applications go (v2021 keys; r_other stands for the （六） group)
OUTCOME_WEIGHTS = [("r_granted", 40), ("r_partial", 10), ("r_unable_not_held", 20), ("r_unable_unclear", 4),
                   ("r_unable_needs_creation", 3), ("r_denied_process_info", 3), ("r_denied_third_party", 2),
                   ("r_denied_enforcement_file", 2), ("r_denied_admin_inquiry", 2), ("r_denied_internal_affairs", 2),
                   ("r_unprocessed_petition", 5), ("r_unprocessed_repeat", 4), ("r_unprocessed_publication", 1),
                   ("r_unprocessed_confirm_reissue", 1), ("r_other", 4)]


def _t3_numbers(rng: random.Random, spec_rows: list[str], scale: str) -> dict[tuple[str, str], int]:
    """Consistent T3 numbers: per applicant column, outcomes drawn first, then 二 and 四, and 一
    solved from the balance; 总计 column = row sums; （七）总计 = outcome sums."""
    outcome_rows = [r for r in spec_rows if r.startswith("r_") and r != "r_total"]
    other_rows = [r for r in outcome_rows if r.startswith("r_other")]
    nums: dict[tuple[str, str], int] = {(r, c): 0 for r in spec_rows for c in APPLICANTS}
    for c in APPLICANTS:
        if scale == "zero":
            processed = 0
        elif c == "natural_person":
            processed = rng.randint(1, 5) if scale == "small" else rng.randint(12, 90)
        elif scale == "busy":  # organisations file tens of applications too (digit runs get harder)
            processed = rng.choice([0, 0, 1, 2, rng.randint(8, 25)])
        else:
            processed = rng.choice([0, 0, 0, 1, 2]) if scale != "small" else rng.choice([0, 0, 0, 1])
        for _ in range(processed):
            r = rng.choices([k for k, _ in OUTCOME_WEIGHTS], [w for _, w in OUTCOME_WEIGHTS])[0]
            if r == "r_other":
                r = rng.choice(other_rows)
            nums[(r, c)] += 1
        cf = rng.choice([0, 0, 0, 1, 2]) if processed else 0
        co = rng.randint(0, min(2, processed + cf)) if processed and rng.random() < 0.4 else 0
        nums[("carried_forward", c)] = cf
        nums[("carried_over", c)] = co
        nums[("r_total", c)] = sum(nums[(r, c)] for r in outcome_rows)
        nums[("new_received", c)] = nums[("r_total", c)] + cf - co
    for r in spec_rows:
        nums[(r, "total")] = sum(nums[(r, c)] for c in APPLICANTS)
    return nums


def _t2_cells(rng: random.Random, edition: str, shape: str, ambiguous: bool) -> dict[str, str]:
    cells: dict[str, str] = {}
    big = lambda lo, hi: str(rng.randint(lo, hi)) if rng.random() < 0.7 else "0"  # noqa: E731
    if edition == "v2021":
        cells.update({"t2.regulations.issued": "0", "t2.regulations.repealed": "0", "t2.regulations.in_force": "0"})
        issued, repealed = rng.randint(0, 30), rng.randint(0, 5)
        cells["t2.normative_docs.issued"], cells["t2.normative_docs.repealed"] = str(issued), str(repealed)
        cells["t2.normative_docs.in_force"] = str(issued + rng.randint(5, 300))
        if ambiguous:  # as in pingtan-2021: 69 / 3 / 665 prints "693665"
            cells.update({"t2.normative_docs.issued": "69", "t2.normative_docs.repealed": "3",
                          "t2.normative_docs.in_force": "665"})
        cells["t2.licensing.decisions"] = big(1, 3000)
        cells["t2.penalty.decisions"] = big(1, 1500)
        cells["t2.coercion.decisions"] = big(1, 60)
        cells["t2.admin_fees.amount_10k_cny"] = rng.choice(["0", "12.5", "3.26", "248.311082"])
        return cells
    made = rng.randint(0, 12)
    cells.update({"t2.regulations.new_made": "0", "t2.regulations.new_published": "0",
                  "t2.regulations.total_published": "0",
                  "t2.normative_docs.new_made": str(made), "t2.normative_docs.new_published": str(made),
                  "t2.normative_docs.total_published": str(made + rng.randint(0, 80))})
    if ambiguous:
        cells.update({"t2.normative_docs.new_made": "12", "t2.normative_docs.new_published": "3",
                      "t2.normative_docs.total_published": "145"})

    def change() -> str:
        k = rng.choice([0, 0, 0, 1, 2, 3])
        if k == 0:
            return "0"
        if shape == "cell_per_line" and rng.random() < 0.3:
            return rng.choice(["增加", "减少"]) + str(k)
        return rng.choice(["+", "-"]) + str(k)

    def kept(prev: str, ch: str) -> str:
        """A list cannot lose more items than it had (T2-V19-ITEMS-NONNEG): a decrease below zero
        becomes the same increase (no extra draw, so the other values stay as they were)."""
        if int(prev) + cell_meaning(ch)[0] < 0:
            return ch.replace("减少", "增加").replace("-", "+")
        return ch

    for row in ("licensing", "other_mgmt_services", "penalty", "coercion"):
        cells[f"t2.{row}.prev_year_items"] = big(1, 400)
        cells[f"t2.{row}.items_change"] = kept(cells[f"t2.{row}.prev_year_items"], change())
        cells[f"t2.{row}.decisions"] = big(1, 2000)
    cells["t2.admin_fees.prev_year_items"] = big(1, 40)
    cells["t2.admin_fees.items_change"] = kept(cells["t2.admin_fees.prev_year_items"], change())
    n = rng.randint(0, 30)
    cells["t2.central_procurement.items"] = str(n)
    cells["t2.central_procurement.amount"] = "0" if n == 0 else rng.choice(["394432.52元", "35.6万元", "1280000元"])
    return cells


def _t4_cells(rng: random.Random, scale: str) -> dict[str, str]:
    cells = {}
    for b, _ in T4_BLOCKS:
        vals = [0, 0, 0, 0]
        if scale != "zero" and rng.random() < (0.8 if scale == "busy" else 0.4):
            for i in range(rng.randint(1, 12 if scale == "busy" else 3)):
                vals[rng.choice([0, 0, 1, 2, 3])] += 1
        for (c, _), v in zip(T4_COLS, vals + [sum(vals)]):
            cells[f"t4.{b}.{c}"] = str(v)
    return cells


def _zero_text(rng: random.Random, style: str, shape: str, row: str, col: str) -> str:
    if style == "0":
        return "0"
    if style == "blank":  # as in the seed: blank outcome cells per applicant, 0 in 总计
        return "" if row.startswith("r_") and col != "total" else "0"
    if style == "slash":
        return "/"
    if style == "dash":
        return "—"
    if style == "mixed":
        return rng.choice(["0", "/", "—"] if shape == "flattened_web" else ["0", "", "/", "—"])
    raise ValueError(f"unknown zero style {style!r}")


def random_spec(seed: int, edition: str = "v2021", year: int | None = None, shape: str = "cell_per_line", *,
                scale: str = "medium", zero_style: str = "0", fullwidth: bool = False,
                defects: tuple[str, ...] = (), t2_ambiguous: bool = False, narrative: str | None = None,
                **options) -> ReportSpec:
    """A spec with consistent data (all template identities hold) and then the requested options.

    scale: "zero" | "small" | "medium" | "busy" (none, a handful, tens of applications from people,
      tens from organisations as well);
    zero_style: how T3 zeros print: "0" | "blank" | "slash" | "dash" | "mixed";
    fullwidth: T3 and T4 digits printed full-width (１２);
    defects: "t3_total_off" (（七）总计 自然人 and 总计 one too high), "t4_total_off" (行政复议 总计 one
      too high), "t3_col_total_off" (一 总计 one too high);
    t2_ambiguous: 行政规范性文件 / 规范性文件 values whose run of digits no identity can split;
    narrative: None | "consistent" | "inconsistent" — the sentence stating the number of new applications;
    options: any other `ReportSpec` field (drop_sections, signature_date, t3_subtotal_col, …).
    For the flattened shape the numbers are redrawn until the template identities decide every T3
    and T4 cell (the T2 cells may stay ambiguous: no identity covers them)."""
    year = year or (2020 if edition == "v2019" else 2021)
    for attempt in range(200):
        rng = random.Random(seed * 100_003 + attempt)
        agency = options.get("agency") or rng.choice(AGENCIES)
        keys = layout_keys(edition, bool(options.get("t3_subtotal_col")), bool(options.get("t3_single_other")))
        base = ReportSpec(edition=edition, year=year, agency=agency, cells={k: "0" for k in keys},
                          shape=shape, seed=seed, **{k: v for k, v in options.items() if k != "agency"})
        rows = [r for r, _, _ in base.t3_rows()]
        nums = _t3_numbers(rng, rows, scale)
        if "t3_total_off" in defects:
            nums[("r_total", "natural_person")] += 1
            nums[("r_total", "total")] += 1
        if "t3_col_total_off" in defects:
            nums[("new_received", "total")] += 1
        cells = _t2_cells(rng, edition, shape, t2_ambiguous)
        for r in rows:
            for c in base.t3_cols:
                if c == "org_subtotal":
                    n = sum(nums[(r, o)] for o in ORGS)
                else:
                    n = nums[(r, c)]
                text = str(n) if n else _zero_text(rng, zero_style, shape, r, c)
                cells[f"t3.{r}.{c}"] = text.translate(FULLWIDTH) if fullwidth else text
        t4 = _t4_cells(rng, scale)
        if "t4_total_off" in defects:
            t4["t4.review.total"] = str(int(t4["t4.review.total"]) + 1)
        cells.update({k: v.translate(FULLWIDTH) if fullwidth else v for k, v in t4.items()})
        bad = set(defects) - {"t3_total_off", "t4_total_off", "t3_col_total_off"}
        if bad:
            raise ValueError(f"unknown defects {sorted(bad)}")
        n_new = nums[("new_received", "total")]
        stated = None
        if narrative == "consistent":
            stated = n_new
        elif narrative == "inconsistent":
            stated = n_new + nums[("carried_over", "total")] + 5
        spec = replace(base, cells=cells, narrative_new_received=stated, proactive_count=rng.randint(30, 900))
        if shape == "flattened_web":
            try:
                dec = flat_decisions(spec)
            except ValueError:
                continue
            if any(dec[k] is None for k in dec if not k.startswith("t2.")) or misread_cells(spec, dec):
                continue
        return spec
    raise RuntimeError(f"no decidable flattened layout found for seed {seed}")


def spec_to_json(spec: ReportSpec) -> dict:
    d = asdict(spec)
    d.pop("cells")
    for k in ("signature_date", "page_date"):
        if d[k] is not None:
            d[k] = d[k].isoformat()
    d["drop_sections"] = list(d["drop_sections"])
    return d


# --------------------------------------------------------------------------- the committed corpus

# name -> the keyword arguments of `random_spec`
VARIANTS: dict[str, dict] = {
    # cell-per-line (DOCX text export), the seed's shape
    "cpl-v2019-2020-blank-cells": dict(
        seed=1, edition="v2019", year=2020, shape="cell_per_line", scale="small", zero_style="blank",
        narrative="consistent"),
    "cpl-v2021-2021-mixed-placeholders-label-variants": dict(
        seed=2, edition="v2021", year=2021, shape="cell_per_line", zero_style="mixed", title_lines=1,
        label_style="variants",
        section_titles={"s4_review_litigation": "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"}),
    "cpl-v2021-2022-fullwidth-text-mismatch": dict(
        seed=3, edition="v2021", year=2022, shape="cell_per_line", fullwidth=True, narrative="inconsistent",
        title_suffix="年度"),
    "cpl-v2021-2023-subtotal-t4-defect": dict(
        seed=4, edition="v2021", year=2023, shape="cell_per_line", t3_subtotal_col=True, defects=("t4_total_off",),
        scale="busy"),
    "cpl-v2021-2023-single-other-row": dict(
        seed=5, edition="v2021", year=2023, shape="cell_per_line", t3_single_other=True, zero_style="slash",
        date_style="chinese"),
    "cpl-v2019-2022-version-mismatch-no-s5": dict(
        seed=6, edition="v2019", year=2022, shape="cell_per_line", drop_sections=("s5_problems",), zero_style="dash",
        section_titles={"s1_overview": "一、总体情况概述"}),
    "cpl-v2019-2020-early-date-t3-defect": dict(
        seed=7, edition="v2019", year=2020, shape="cell_per_line", defects=("t3_total_off",),
        agency="松河区东湖街道", signature_org="临江市松河区东湖街道办事处", signature_date=date(2020, 1, 31)),
    # flattened web text (an archived page rendered to text)
    "web-v2021-2021-ambiguous-t2": dict(
        seed=29, edition="v2021", year=2021, shape="flattened_web", scale="busy", t2_ambiguous=True,
        web_chrome=True, signature=False, narrative="consistent"),
    "web-v2019-2019-spaced-placeholders": dict(
        seed=9, edition="v2019", year=2019, shape="flattened_web", spacing="some", zero_style="mixed",
        signature=False),
    "web-v2021-2022-defects-single-other-no-s6": dict(
        seed=10, edition="v2021", year=2022, shape="flattened_web", defects=("t3_total_off", "t4_total_off"),
        drop_sections=("s6_other",), narrative="inconsistent", t3_single_other=True),
    "web-v2021-2024-fullwidth": dict(
        seed=11, edition="v2021", year=2024, shape="flattened_web", fullwidth=True, spacing="some",
        page_date=date(2025, 1, 27)),
    "web-v2021-2023-label-variants": dict(
        seed=12, edition="v2021", year=2023, shape="flattened_web", label_style="variants", date_style="chinese"),
}


def variant_spec(name: str) -> ReportSpec:
    return random_spec(**VARIANTS[name])


def build(name: str) -> tuple[ReportSpec, str, Truth]:
    spec = variant_spec(name)
    return spec, render(spec), truth(spec, name)


def _jsonable(v):
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


def _dump(gold: dict) -> str:
    """Indented JSON with one line per cell."""
    text = json.dumps(gold, ensure_ascii=False, indent=1)
    return re.sub(r'\{\n\s+"value": (.*),\n\s+"raw": (.*)\n\s+\}', r'{"value": \1, "raw": \2}', text)


def corpus_files() -> dict[str, bytes]:
    """Every variant as <name>.txt plus <name>.truth.json (the gold format of ../shared/corpus,
    with the generator's arguments), in memory; the same bytes on every run."""
    files: dict[str, bytes] = {}
    for name in VARIANTS:
        spec, text, tr = build(name)
        data = text.encode("utf-8")
        gold = tr.to_gold(f"synthetic/{name}.txt", hashlib.sha256(data).hexdigest(), spec)
        gold["generator"] = {"call": "extractor.synth.random_spec", "arguments": _jsonable(VARIANTS[name])}
        files[f"{name}.txt"] = data
        files[f"{name}.truth.json"] = (_dump(gold) + "\n").encode("utf-8")
    return files


def write_corpus(out: Path) -> list[Path]:
    """Write `corpus_files()` into `out`; files of earlier variants that no longer exist are removed."""
    out.mkdir(parents=True, exist_ok=True)
    files = corpus_files()
    for old in out.glob("*"):
        if old.is_file() and old.name not in files and (old.suffix == ".txt" or old.name.endswith(".truth.json")):
            if old.name.endswith(".truth.json") and _is_format_example(old.name):
                continue  # an example of synth_formats (DOCX, HTML, DOC, WPS): written there
            old.unlink()
    written = []
    for fname, data in files.items():
        p = out / fname
        p.write_bytes(data)
        written.append(p)
    return written


def _is_format_example(fname: str) -> bool:
    # pdf-/scan-: the PDF examples of extractor.synth_pdf, written there
    return fname.startswith(("html-", "docx-", "doc-", "wps-", "pdf-", "scan-"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractor.synth",
                                 description="write the synthetic corpus (reports + truth) to a folder: the text "
                                             "reports, the DOCX/HTML/DOC/WPS examples of extractor.synth_formats "
                                             "and the PDF examples of extractor.synth_pdf")
    ap.add_argument("out", type=Path, help="target folder, e.g. corpus/synthetic")
    ap.add_argument("--refresh-legacy", action="store_true",
                    help="reconvert the DOC/WPS examples with LibreOffice even when they exist (their bytes change)")
    ap.add_argument("--refresh-pdf", action="store_true",
                    help="re-render the PDF examples (LibreOffice, then the scans) even when they exist")
    args = ap.parse_args(argv)
    files = write_corpus(args.out)
    print(f"{len(files) // 2} synthetic text reports written to {args.out}")
    from .synth_formats import write_corpus as write_format_corpus  # imports this module

    written, skipped = write_format_corpus(args.out, refresh_legacy=args.refresh_legacy)
    print(f"{len(written) // 2} DOCX/HTML/DOC/WPS examples written to {args.out}")
    if skipped:
        print(f"skipped (LibreOffice's soffice not found, DOC/WPS cannot be written): {', '.join(skipped)}",
              file=sys.stderr)
    from .synth_pdf import write_corpus as write_pdf_corpus  # imports this module

    written, skipped = write_pdf_corpus(args.out, refresh=args.refresh_pdf)
    print(f"{len(written) // 2} PDF examples (text layer and scanned) written to {args.out}")
    if skipped:
        print(f"skipped (LibreOffice's soffice not found, the PDFs cannot be rendered): {', '.join(skipped)}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Corpus-level rules (RULES.md: the cross-year rows of groups A–C and the duplicate rows
of group G): comparisons between the reports of one run, made once every file is parsed.

Which reports are the same body's
---------------------------------
A report's body is `agency_normalised` when set, else `agency` (whitespace removed,
NFKC). Two names are the same body when they are equal, or when the longer one is the
shorter one with a leading region prefix: the extra part is a run of place names each
ending in 省/市/自治区/自治州/州/盟/地区/县/区/旗 (淮安市洪泽区人民政府 = 洪泽区人民政府 with
淮安市 in front), and the shorter one itself starts with a place name (a bare 财政局 is never
matched to 淮安市财政局). The containment is only allowed at the front, so the body type at the end
stays the same ("report family": 洪泽区人民政府 is not 洪泽区人民政府办公室, and
平潭综合实验区 is not 平潭综合实验区地方税务局). Every name is mapped to its longest such
form; a short name that fits several longer names that are not the same body (新城区人民政府
under two different cities) is ambiguous and stays on its own. When both reports carry a
`level` and the levels differ they are not compared.

Which reports are compared
--------------------------
Reports that did not fail and have a report year and a body. For a report of year Y, the
candidates of year Y-1 of the same body are tried in a fixed order — same file format first,
then status `ok`, then by sha256 and path — and each comparison uses the first candidate
whose cells it needs are readable (cells of flattened text may be `ambiguous`: such a
candidate is skipped for that comparison, and when no candidate is usable nothing is
compared). The finding is attached to the later report; its evidence names both reports
(path and report_id) and the values compared, and its scope starts with the other report's
sha256, so the fingerprint of the same defect between the same two files is stable and two
pairs never share one. Nothing here depends on the order of the input files.

Same-year copies of one report (the txt and html renderings of one page) are neither peers
nor previous years of each other. DUP-PEER compares same-year reports of different bodies
and is attached to both reports of a pair (neither is "later"), once per other body (the
closest of that body's copies).
"""
from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Iterable, Iterator

import regex as re

from ..model import Evidence, Finding, Report
from .common import POST2019, T3_COLS, T4_BLOCKS, fmt_num, val
from .registry import corpus_rule, run_corpus_checks  # noqa: F401  (run_corpus_checks: the engine)

DUP_THRESHOLD = 0.85  # char-5gram Jaccard of the narrative, DUP-PREV-YEAR and DUP-PEER
MIN_GRAMS = 100       # narratives shorter than this (after removing template labels) are not compared
NGRAM = 5

T2_V21_DOCS = ("regulations", "normative_docs")
T2_V19_ITEMS = ("licensing", "other_mgmt_services", "penalty", "coercion", "admin_fees")
NARRATIVE_KEYS = re.compile(r"^s[1-6]_")

# --------------------------------------------------------------------------- bodies

_REGION_PREFIX = re.compile(r"^(?:\p{Han}{1,12}?(?:省|自治区|自治州|地区|市|州|盟|县|区|旗))+$")
# the shorter name must itself begin with a place (洪泽区…, 船口街道…): a bare 财政局 fits any city
_PLACE_FIRST = re.compile(r"^\p{Han}{1,12}?(?:省|自治区|自治州|地区|市|州|盟|县|区|旗|乡|镇|街道)")
_GENERIC = {"人民政府", "人民政府办公室", "人民政府办公厅", "政府", "政府办公室", "办公室", "办公厅", "管委会",
            "管理委员会"}


def norm_name(name: str | None) -> str | None:
    if not name:
        return None
    n = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return n or None


def body_name(report: Report) -> str | None:
    return norm_name(report.agency_normalised) or norm_name(report.agency)


def _is_region_prefixed(longer: str, shorter: str) -> bool:
    """`longer` is `shorter` with a leading run of place names (淮安市 + 洪泽区人民政府)."""
    if len(shorter) < 4 or shorter in _GENERIC or not longer.endswith(shorter) or longer == shorter:
        return False
    if not _PLACE_FIRST.match(shorter):
        return False
    return bool(_REGION_PREFIX.match(longer[: len(longer) - len(shorter)]))


def body_keys(names: Iterable[str]) -> dict[str, str]:
    """Each name -> the name of its group (the longest region-prefixed form, when unique)."""
    names = set(names)
    longer_forms: dict[str, set[str]] = defaultdict(set)
    for n in names:
        for k in range(1, len(n) - 3):
            s = n[k:]
            if s in names and _is_region_prefixed(n, s):
                longer_forms[s].add(n)

    memo: dict[str, str] = {}

    def top(n: str) -> str:
        if n not in memo:
            tops = {top(m) for m in longer_forms.get(n, ())}
            memo[n] = tops.pop() if len(tops) == 1 else n
        return memo[n]

    # longest first: a name's longer forms are settled before the name itself
    for n in sorted(names, key=lambda x: (-len(x), x)):
        top(n)
    return {n: top(n) for n in names}


def groups(reports: list[Report]) -> dict[str, dict[int, list[Report]]]:
    """body -> year -> reports (usable ones only), each list in a fixed order."""
    usable = [r for r in reports if r.status != "failed" and r.report_year is not None and body_name(r)]
    keys = body_keys(body_name(r) for r in usable)
    out: dict[str, dict[int, list[Report]]] = defaultdict(lambda: defaultdict(list))
    for r in usable:
        out[keys[body_name(r)]][r.report_year].append(r)
    for years in out.values():
        for lst in years.values():
            lst.sort(key=lambda r: (r.sha256, r.path, r.report_id))
    return out


def pairs(reports: list[Report]) -> Iterator[tuple[Report, list[Report]]]:
    """(report of year Y, the same body's reports of Y-1 in the order they are tried)."""
    g = groups(reports)
    for body in sorted(g):
        years = g[body]
        for y in sorted(years):
            prevs = years.get(y - 1)
            if not prevs:
                continue
            for cur in years[y]:
                cands = [p for p in prevs if p.sha256 != cur.sha256
                         and not (p.level and cur.level and p.level != cur.level)]
                cands.sort(key=lambda p: (p.format != cur.format, p.status != "ok", p.sha256, p.path,
                                          p.report_id))
                if cands:
                    yield cur, cands


def first_usable(cands: list[Report], keys: Iterable[str]) -> tuple[Report, dict[str, float]] | None:
    keys = tuple(keys)
    for p in cands:
        vals = {k: val(p, k) for k in keys}
        if all(v is not None for v in vals.values()):
            return p, vals
    return None


def values(report: Report, keys: Iterable[str]) -> dict[str, float] | None:
    vals = {k: val(report, k) for k in keys}
    return vals if all(v is not None for v in vals.values()) else None


# --------------------------------------------------------------------------- findings

def _who(r: Report) -> str:
    return f"{r.path} [report {r.report_id}, {r.report_year}]"


def _cell_ev(r: Report, keys: Iterable[str]) -> list[Evidence]:
    out = []
    for k in keys:
        c = r.cell(k)
        if c is not None:
            out.append(Evidence(f"{_who(r)}: {k} = {c.raw!r}", c.where))
    return out


def pair_finding(cur: Report, prev: Report, rule_id: str, severity: str, message: str, *, expected="",
                 actual="", cur_keys=(), prev_keys=(), scope="", extra=()) -> tuple[Report, Finding]:
    """A finding on `cur` about its pair with `prev`: both reports named in the evidence, the
    other report's sha256 in the scope (so the fingerprint is distinct per pair)."""
    ev = [Evidence(f"this report: {_who(cur)}"), Evidence(f"compared with: {_who(prev)}"), *extra,
          *_cell_ev(cur, cur_keys), *_cell_ev(prev, prev_keys)]
    f = Finding(rule_id=rule_id, severity=severity, message=message, expected=str(expected), actual=str(actual),
                cells=tuple(cur_keys), evidence=tuple(ev), scope=f"{prev.sha256}:{scope}" if scope else prev.sha256)
    return cur, f


def _editions(cur: Report, prev: Report, wanted) -> bool:
    return cur.template_version in wanted and prev.template_version in wanted


# --------------------------------------------------------------------------- A: T3 carry-over

@corpus_rule("T3-CROSSYEAR-CARRY", "warning", "last year's carried-forward = this year's carried-over", "PRACT")
def t3_crossyear_carry(reports: list[Report]):
    """∀c: prev.t3.carried_forward.c == t3.carried_over.c (v2019/v2021, Y ≥ 2020; total first —
    when the totals differ one finding names the columns that differ — else column by column)"""
    for cur, cands in pairs(reports):
        if cur.template_version not in POST2019 or cur.report_year < 2020:
            continue
        cands = [p for p in cands if p.template_version in POST2019]
        total_differs = False
        mine = values(cur, ["t3.carried_over.total"])
        got = first_usable(cands, ["t3.carried_forward.total"]) if mine else None
        if got:
            prev, pv = got
            a, b = mine["t3.carried_over.total"], pv["t3.carried_forward.total"]
            if a != b:
                total_differs = True
                cols = []
                for c in T3_COLS[:-1]:
                    x, y = val(cur, f"t3.carried_over.{c}"), val(prev, f"t3.carried_forward.{c}")
                    if x is not None and y is not None and x != y:
                        cols.append(f"{c} {fmt_num(y)}→{fmt_num(x)}")
                yield pair_finding(
                    cur, prev, "T3-CROSSYEAR-CARRY", "warning",
                    f"上年结转 total {fmt_num(a)} ≠ {cur.report_year - 1} report's 结转下年度 total {fmt_num(b)}"
                    + (f" (columns: {', '.join(cols)})" if cols else ""),
                    expected=fmt_num(b), actual=fmt_num(a), cur_keys=["t3.carried_over.total"],
                    prev_keys=["t3.carried_forward.total"], scope="total")
        if total_differs:
            continue
        for c in T3_COLS[:-1]:
            mine = values(cur, [f"t3.carried_over.{c}"])
            got = first_usable(cands, [f"t3.carried_forward.{c}"]) if mine else None
            if not got:
                continue
            prev, pv = got
            a, b = mine[f"t3.carried_over.{c}"], pv[f"t3.carried_forward.{c}"]
            if a != b:
                yield pair_finding(
                    cur, prev, "T3-CROSSYEAR-CARRY", "warning",
                    f"上年结转 {c} {fmt_num(a)} ≠ {cur.report_year - 1} report's 结转下年度 {c} {fmt_num(b)}",
                    expected=fmt_num(b), actual=fmt_num(a), cur_keys=[f"t3.carried_over.{c}"],
                    prev_keys=[f"t3.carried_forward.{c}"], scope=c)


# --------------------------------------------------------------------------- C: T2 stock rolls

def _v21_pairs(reports):
    for cur, cands in pairs(reports):
        if cur.template_version != "v2021" or cur.report_year < 2022:
            continue
        cands = [p for p in cands if p.template_version == "v2021"]
        if cands:
            yield cur, cands


@corpus_rule("T2-INFORCE-ROLL", "warning", "in-force stock = last year's stock + issued − repealed", "PRACT")
def t2_inforce_roll(reports: list[Report]):
    """t2.X.in_force == prev.t2.X.in_force + t2.X.issued − t2.X.repealed for X ∈ {regulations,
    normative_docs} (v2021 both years, Y ≥ 2022)"""
    for cur, cands in _v21_pairs(reports):
        for x in T2_V21_DOCS:
            keys = [f"t2.{x}.in_force", f"t2.{x}.issued", f"t2.{x}.repealed"]
            mine = values(cur, keys)
            got = first_usable(cands, [f"t2.{x}.in_force"]) if mine else None
            if not got:
                continue
            prev, pv = got
            stock, issued, repealed = (mine[k] for k in keys)
            exp = pv[f"t2.{x}.in_force"] + issued - repealed
            if stock != exp:
                yield pair_finding(
                    cur, prev, "T2-INFORCE-ROLL", "warning",
                    f"{x}: 现行有效 {fmt_num(stock)} ≠ {cur.report_year - 1} 现行有效 {fmt_num(pv[keys[0]])} + 制发 "
                    f"{fmt_num(issued)} − 废止 {fmt_num(repealed)} = {fmt_num(exp)}",
                    expected=fmt_num(exp), actual=fmt_num(stock), cur_keys=keys, prev_keys=[keys[0]], scope=x)


@corpus_rule("T2-REPEAL-LE-STOCK", "warning", "cannot repeal more than existed", "PRACT")
def t2_repeal_le_stock(reports: list[Report]):
    """t2.X.repealed ≤ prev.t2.X.in_force + t2.X.issued for X ∈ {regulations, normative_docs}
    (v2021 both years, Y ≥ 2022)"""
    for cur, cands in _v21_pairs(reports):
        for x in T2_V21_DOCS:
            keys = [f"t2.{x}.repealed", f"t2.{x}.issued"]
            mine = values(cur, keys)
            got = first_usable(cands, [f"t2.{x}.in_force"]) if mine else None
            if not got:
                continue
            prev, pv = got
            limit = pv[f"t2.{x}.in_force"] + mine[keys[1]]
            if mine[keys[0]] > limit:
                yield pair_finding(
                    cur, prev, "T2-REPEAL-LE-STOCK", "warning",
                    f"{x}: 废止 {fmt_num(mine[keys[0]])} > {cur.report_year - 1} 现行有效 "
                    f"{fmt_num(pv[f't2.{x}.in_force'])} + 制发 {fmt_num(mine[keys[1]])} = {fmt_num(limit)}",
                    expected=f"<= {fmt_num(limit)}", actual=fmt_num(mine[keys[0]]), cur_keys=keys,
                    prev_keys=[f"t2.{x}.in_force"], scope=x)


@corpus_rule("T2-V19-ITEMS-ROLL", "warning", "item-list continuity (2019 edition)", "PRACT; LOCAL")
def t2_v19_items_roll(reports: list[Report]):
    """t2.K.prev_year_items == prev.t2.K.prev_year_items + prev.t2.K.items_change for K ∈ {licensing,
    other_mgmt_services, penalty, coercion, admin_fees} (v2019 both years, Y ≥ 2020)"""
    for cur, cands in pairs(reports):
        if cur.template_version != "v2019" or cur.report_year < 2020:
            continue
        cands = [p for p in cands if p.template_version == "v2019"]
        for k in T2_V19_ITEMS:
            key, pkeys = f"t2.{k}.prev_year_items", [f"t2.{k}.prev_year_items", f"t2.{k}.items_change"]
            mine = values(cur, [key])
            got = first_usable(cands, pkeys) if mine else None
            if not got:
                continue
            prev, pv = got
            exp = pv[pkeys[0]] + pv[pkeys[1]]
            if mine[key] != exp:
                yield pair_finding(
                    cur, prev, "T2-V19-ITEMS-ROLL", "warning",
                    f"{k}: 上一年项目数量 {fmt_num(mine[key])} ≠ {cur.report_year - 1} report's "
                    f"{fmt_num(pv[pkeys[0]])} + 本年增/减 {fmt_num(pv[pkeys[1]])} = {fmt_num(exp)}",
                    expected=fmt_num(exp), actual=fmt_num(mine[key]), cur_keys=[key], prev_keys=pkeys, scope=k)


# --------------------------------------------------------------------------- B: T4 pending cases

_T4_WORDS = {"review": ("复议",), "lit_direct": ("诉讼", "起诉"), "lit_after_review": ("诉讼", "起诉")}
_T4_NAMES = {"review": "行政复议", "lit_direct": "未经复议直接起诉", "lit_after_review": "复议后起诉"}


def _narrative_mentions(report: Report, words) -> bool:
    # s4 holds the table (its labels name 复议 and 诉讼); the prose around it is in s1, s5, s6
    text = "".join(s.text for s in report.sections if s.key.split("_")[0] in ("s1", "s5", "s6"))
    return any(w in text for w in words)


@corpus_rule("T4-CROSSYEAR-PENDING", "info", "last year's pending cases vanish without a word", "PRACT")
def t4_crossyear_pending(reports: list[Report]):
    """prev.t4.B.pending > 0 and t4.B.total == 0 and the narrative (s1, s5, s6) never mentions
    复议 (B = review) / 诉讼 or 起诉 (litigation blocks)"""
    for cur, cands in pairs(reports):
        if cur.template_version not in POST2019:
            continue
        cands = [p for p in cands if p.template_version in POST2019]
        for b in T4_BLOCKS:
            mine = values(cur, [f"t4.{b}.total"])
            got = first_usable(cands, [f"t4.{b}.pending"]) if mine else None
            if not got:
                continue
            prev, pv = got
            pending = pv[f"t4.{b}.pending"]
            if pending > 0 and mine[f"t4.{b}.total"] == 0 and not _narrative_mentions(cur, _T4_WORDS[b]):
                yield pair_finding(
                    cur, prev, "T4-CROSSYEAR-PENDING", "info",
                    f"{_T4_NAMES[b]}: {fmt_num(pending)} case(s) pending at the end of {cur.report_year - 1}, "
                    f"none this year and the narrative does not say how they ended",
                    expected="explained", actual=f"t4.{b}.total = 0", cur_keys=[f"t4.{b}.total"],
                    prev_keys=[f"t4.{b}.pending"], scope=b)


# --------------------------------------------------------------------------- G: duplicates

def _strings(obj) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def boilerplate() -> frozenset[str]:
    """5-grams of the template's printed labels and section titles: table text every report
    shares, left out of the narrative comparison."""
    from ..templates import _load

    grams: set[str] = set()
    for name in ("v2019.toml", "v2021.toml", "t3_t4.toml", "sections.toml"):
        try:
            data = _load(name)
        except (FileNotFoundError, OSError):  # pragma: no cover - packaged with the module
            continue
        for s in _strings(data):
            s = _squash(s)
            grams.update(s[i:i + NGRAM] for i in range(len(s) - NGRAM + 1))
    return frozenset(grams)


def narrative_grams(report: Report) -> frozenset[str]:
    """char-5grams of sections 一…六 (whitespace removed, NFKC), template labels left out."""
    raw = "".join(s.text for s in report.sections if NARRATIVE_KEYS.match(s.key))
    cache = getattr(report, "_narrative_grams", None)  # a plain attribute, not a field: never exported
    if cache is not None and cache[0] == raw:
        return cache[1]
    text = _squash(raw)
    g = frozenset(text[i:i + NGRAM] for i in range(len(text) - NGRAM + 1)) - boilerplate()
    object.__setattr__(report, "_narrative_grams", (raw, g))
    return g


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


@corpus_rule("DUP-PREV-YEAR", "warning", "narrative nearly identical to last year's (内容雷同)", "F21; PRACT")
def dup_prev_year(reports: list[Report]):
    """Jaccard(char-5grams of s1..s6 without template labels, prev year's) ≥ 0.85 (both ≥ 100 grams)"""
    for cur, cands in pairs(reports):
        mine = narrative_grams(cur)
        if len(mine) < MIN_GRAMS:
            continue
        prev = next((p for p in cands if len(narrative_grams(p)) >= MIN_GRAMS), None)
        if prev is None:
            continue
        j = jaccard(mine, narrative_grams(prev))
        if j >= DUP_THRESHOLD:
            yield pair_finding(
                cur, prev, "DUP-PREV-YEAR", "warning",
                f"sections 一–六 are {j:.0%} the same as the {cur.report_year - 1} report (char 5-gram Jaccard)",
                expected=f"< {DUP_THRESHOLD:.2f}", actual=f"{j:.3f}")


def _t3t4_values(r: Report) -> dict[str, float] | None:
    keys = [c.key for c in r.cells if c.table in ("t3", "t4")]
    if not keys:
        return None
    return values(r, keys)


@corpus_rule("DUP-TABLE-PREV", "warning", "tables 3 and 4 identical to last year's", "PRACT")
def dup_table_prev(reports: list[Report]):
    """the same T3/T4 cell keys, every value equal to the prev year's, and not all zero"""
    for cur, cands in pairs(reports):
        if cur.template_version not in POST2019:
            continue
        mine = _t3t4_values(cur)
        if not mine or not any(mine.values()):
            continue
        for prev in cands:
            theirs = _t3t4_values(prev) if prev.template_version in POST2019 else None
            if theirs is None or set(theirs) != set(mine):
                continue
            if theirs == mine:
                nz = sum(1 for v in mine.values() if v)
                yield pair_finding(
                    cur, prev, "DUP-TABLE-PREV", "warning",
                    f"all {len(mine)} numbers of tables 3 and 4 ({nz} non-zero) are the same as in the "
                    f"{cur.report_year - 1} report",
                    expected="some change", actual="identical",
                    extra=[Evidence(f"t3.new_received.total = {fmt_num(mine.get('t3.new_received.total'))}, "
                                    f"t4.review.total = {fmt_num(mine.get('t4.review.total'))} in both")])
            break  # the first readable candidate decides


def similar_pairs(docs: dict[str, frozenset[str]], threshold: float) -> list[tuple[str, str, float]]:
    """All pairs of ids whose gram sets have Jaccard ≥ threshold (exact; prefix filtering: two
    such sets share at least one token among the rarest n − ⌈t·n⌉ + 1 of each)."""
    df = Counter(chain.from_iterable(docs.values()))
    # one global token order: tokens of a single document first (they can never be shared, so
    # they are neither ranked nor indexed), then the shared ones rarest first, ties by the token
    shared = sorted(((t, c) for t, c in df.items() if c > 1), key=itemgetter(1, 0))
    rank = {t: i for i, (t, _) in enumerate(shared)}
    index: dict[int, list[str]] = defaultdict(list)
    cands: set[tuple[str, str]] = set()
    for i in sorted(docs, key=lambda k: (len(docs[k]), k)):
        g = docs[i]
        n = len(g)
        ranks = [rank[t] for t in g if t in rank]
        k = (n - math.ceil(threshold * n) + 1) - (n - len(ranks))  # prefix length beyond the unshared
        if not n or k <= 0:
            continue
        for t in sorted(ranks)[:k]:
            bucket = index[t]
            for j in bucket:
                if len(docs[j]) >= threshold * n:  # j is not larger than i (sorted by size)
                    cands.add((j, i) if j < i else (i, j))
            bucket.append(i)
    out = []
    for a, b in sorted(cands):
        j = jaccard(docs[a], docs[b])
        if j >= threshold:
            out.append((a, b, j))
    return out


@corpus_rule("DUP-PEER", "warning", "narrative near-identical to another body's report of the same year", "F21")
def dup_peer(reports: list[Report]):
    """Jaccard(char-5grams of s1..s6 without template labels) ≥ 0.85 with a same-year report of
    another body (both ≥ 100 grams; attached to both reports, once per other body)"""
    yield from dup_peer_findings(reports, lambda r: len(narrative_grams(r)),
                                 lambda docs: similar_pairs({k: narrative_grams(r) for k, (_, r) in docs.items()},
                                                            DUP_THRESHOLD))


def dup_peer_findings(reports: list[Report], n_grams, similar):
    """DUP-PEER over `reports`, given `n_grams(report)` (the narrative's gram count) and
    `similar(docs)`, which returns the (id, id, Jaccard) pairs ≥ the threshold among
    `docs` = {id: (body, report)} of one year. `dup_peer` gives the exact in-memory finder;
    the corpus runner gives one working from MinHash signatures (`corpus_checks`)."""
    g = groups(reports)
    by_year: dict[int, dict[str, tuple[str, Report]]] = defaultdict(dict)
    for body, years in g.items():
        for y, lst in years.items():
            for r in lst:
                if n_grams(r) >= MIN_GRAMS:
                    by_year[y][f"{r.sha256}|{r.path}|{r.report_id}"] = (body, r)
    for y in sorted(by_year):
        docs = by_year[y]
        best: dict[tuple[str, str], tuple[float, str, str]] = {}  # (this doc, other body) -> closest
        for a, b, j in similar(docs):
            (ba, ra), (bb, rb) = docs[a], docs[b]
            if ba == bb or ra.sha256 == rb.sha256:
                continue
            for me, other, ob in ((a, b, bb), (b, a, ba)):
                k = (me, ob)
                if k not in best or (-j, other) < (-best[k][0], best[k][1]):
                    best[k] = (j, other, ob)
        for (me, ob), (j, other, _) in sorted(best.items()):
            cur, peer = docs[me][1], docs[other][1]
            yield pair_finding(
                cur, peer, "DUP-PEER", "warning",
                f"sections 一–六 are {j:.0%} the same as {peer.agency or ob}'s {y} report (char 5-gram Jaccard)",
                expected=f"< {DUP_THRESHOLD:.2f}", actual=f"{j:.3f}")

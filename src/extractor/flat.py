"""Tables flattened into running text (web pages rendered to text).

Row labels are located in the template's order (exact after normalisation, then
fuzzy inside the gap between their neighbours); the characters between one
label and the next are that row's run of digits, which `splitting` cuts into
cells using the template's identities. Values are never assigned by counting
numbers across rows: each row's run stays with its own label.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import regex as re
from rapidfuzz import fuzz

from .model import CellValue
from .splitting import (
    AMOUNT_KIND,
    COUNT,
    SIGNED_COUNT,
    ColumnKind,
    clean_run,
    decide,
    enumerate_splits,
    splits_from,
    token_value,
)
from .templates import Label, Template, norm_label

RUN = re.compile(r"^[\s\u00a0\u3000]*[0-9０-９/／—\-－+.．元万亿\s\u00a0\u3000]*")
MAX_COMBOS = 200_000


class NormText:
    """A text and its normalised form, with a map from normalised to original offsets."""

    def __init__(self, text: str, base: int = 0):
        self.text, self.base = text, base
        chars, index = [], []
        for i, ch in enumerate(text):
            # "1、" numbering an item is "1." in the compare form of labels (norm_label)
            n = "." if ch == "、" and i and text[i - 1].isdigit() else norm_label(ch)
            for c in n:
                chars.append(c)
                index.append(i)
        self.norm = "".join(chars)
        self.index = index + [len(text)]

    def orig(self, npos: int) -> int:
        return self.index[min(npos, len(self.index) - 1)]

    def find(self, label: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        """Exact match of a normalised label; returns (start, end) in normalised offsets."""
        nl = norm_label(label)
        end = len(self.norm) if end is None else end
        i = self.norm.find(nl, start, end)
        return (i, i + len(nl)) if i >= 0 else None

    def fuzzy(self, label: str, start: int, end: int, threshold: float = 80) -> tuple[int, int, float] | None:
        nl = norm_label(label)
        window = self.norm[start:end]
        if len(window) < len(nl) * 0.6:
            return None
        al = fuzz.partial_ratio_alignment(nl, window)
        if al is None or al.score < threshold:
            return None
        return start + al.dest_start, start + al.dest_end, al.score / 100.0


@dataclass
class Located:
    key: str
    label: Label
    nstart: int
    nend: int
    score: float


def locate_rows(nt: NormText, rows: list[Label], start: int, end: int,
                fuzzy_ok: set[str] | None = None) -> list[Located]:
    """Find each row label in order; exact first, then fuzzy in the gaps (only for
    the keys in `fuzzy_ok`, default all)."""
    found: dict[int, Located] = {}
    pos = start
    for i, lab in enumerate(rows):
        for form in lab.forms:
            hit = nt.find(form, pos, end)
            if hit:
                found[i] = Located(lab.key, lab, hit[0], hit[1], 1.0)
                pos = hit[1]
                break
    for i, lab in enumerate(rows):
        if i in found or (fuzzy_ok is not None and lab.key not in fuzzy_ok):
            continue
        lo = max((f.nend for j, f in found.items() if j < i), default=start)
        hi = min((f.nstart for j, f in found.items() if j > i), default=end)
        hit = nt.fuzzy(lab.label, lo, hi)
        if hit:
            s0, s1 = hit[0], hit[1]
            # the alignment may start inside the previous row's digits: skip them
            while s0 < s1 - 1 and nt.norm[s0].isdigit() and nt.norm[s0 + 1] != ".":
                s0 += 1
            found[i] = Located(lab.key, lab, s0, s1, hit[2])
    return [found[i] for i in sorted(found)]


def runs_after(nt: NormText, located: list[Located], end: int) -> list[tuple[Located, str, int, int]]:
    """The run of digits after each label, bounded by the next label: (label, run, ostart, oend)."""
    out = []
    for i, loc in enumerate(located):
        nxt = located[i + 1].nstart if i + 1 < len(located) else end
        o0, o1 = nt.orig(loc.nend), nt.orig(nxt)
        seg = nt.text[o0:o1]
        m = RUN.match(seg)
        run = m.group(0) if m else ""
        out.append((loc, run, nt.base + o0, nt.base + o0 + len(run)))
    return out


def tab_fields(run: str, kinds) -> list[tuple[str, ...]]:
    """A row exported with tabs between cells (`label\t2\t\t0…`): the fields are the cells,
    an empty field is a blank cell. Returns the single split, or [] when the run is not that."""
    if "\t" not in run:
        return []
    fields = run.strip(" \u00a0\u3000\n").split("\t")
    if fields and fields[0].strip() == "":
        fields = fields[1:]
    fields = [f.strip() for f in fields]
    if len(fields) != len(kinds):
        return []
    if not all(f == "" or k.ok(f, last=(i == len(kinds) - 1)) for i, (f, k) in enumerate(zip(fields, kinds))):
        return []
    return [tuple(fields)]


# ------------------------------------------------------------------ cell making

def _cell(table, row_key, col_key, token, raw_run, where, unit=None, label=None, in_template=True, ambiguous=False):
    key = f"{table}.{row_key}.{col_key}"
    if ambiguous:
        return CellValue(key, table, row_key, col_key, None, raw_run, "ambiguous", where, unit, label, in_template)
    if token is None or token == "":
        return CellValue(key, table, row_key, col_key, None, "", "blank", where, unit, label, in_template)
    from .numbers import parse_cell
    p = parse_cell(token)
    return CellValue(key, table, row_key, col_key, p.value, token, p.status, where, unit or p.unit, label,
                     in_template)


# ------------------------------------------------------------------ T3

def t3_flat(text: str, base: int, tpl: Template, where_of) -> tuple[list[CellValue], list[dict]]:
    nt = NormText(text, base)
    issues: list[dict] = []
    start = 0
    for anchor in ("申请人情况", tpl.t3_note, "本列数据的勾稽关系"):
        hit = nt.find(anchor)
        if hit:
            start = max(start, hit[1])
    cols = [c.key for c in tpl.t3_columns]
    head = nt.norm[start: start + 200]
    if norm_label("小计") in head:
        cols.insert(cols.index("total"), "org_subtotal")
    rows = list(tpl.t3_rows_all)
    located = locate_rows(nt, rows, start, len(nt.norm), fuzzy_ok={r.key for r in tpl.t3_rows})
    runs = []
    for loc, run, o0, o1 in runs_after(nt, located, len(nt.norm)):
        if not clean_run(run):
            # a group label (（六）其他处理 before its 2021 items) holds no numbers; any other
            # row label without numbers after it is printed but unreadable in this layout
            if loc.key != "r_other":
                issues.append({"table": "t3", "row": loc.key, "problem": f"row {loc.label.label!r}: no numbers "
                               "follow the label in the text", "severity": "warning", "cells": []})
            continue
        runs.append((loc, run, o0, o1))
    if not runs:
        return [], issues
    kinds = [COUNT] * len(cols)
    ti = cols.index("total")
    org = [i for i, c in enumerate(cols) if c.startswith("org_") and c != "org_subtotal"]

    def row_ok(vals):
        if sum(vals[i] for i in range(len(cols)) if i != ti and cols[i] != "org_subtotal") != vals[ti]:
            return False
        if "org_subtotal" in cols and sum(vals[i] for i in org) != vals[cols.index("org_subtotal")]:
            return False
        return True

    cand: dict[str, list[tuple[str, ...]]] = {}
    for loc, run, o0, o1 in runs:
        sols = tab_fields(run, kinds) or enumerate_splits(run, kinds)
        vals = [tuple(token_value(t) for t in s) for s in sols]
        good = [s for s, v in zip(sols, vals) if row_ok(v)]
        cand[loc.key] = good or sols
        if not sols:
            issues.append({"table": "t3", "row": loc.key, "problem": f"run {clean_run(run)!r} cannot be read as "
                           f"{len(cols)} cells", "severity": "warning", "cells": []})
    chosen = _joint_t3(cand, cols, tpl)
    out: list[CellValue] = []
    template_rows = {r.key for r in tpl.t3_rows}
    for loc, run, o0, o1 in runs:
        dec = chosen.get(loc.key)
        if dec is None:
            continue
        w = where_of(o0, o1)
        for i, col in enumerate(cols):
            amb = dec.tokens[i] is None
            out.append(_cell("t3", loc.key, col, dec.tokens[i], clean_run(run), w,
                             label=text[nt.orig(loc.nstart) - 0: nt.orig(loc.nend)] if loc.score < 1 else None,
                             in_template=loc.key in template_rows and col != "org_subtotal", ambiguous=amb))
    return out, issues


def _joint_t3(cand: dict[str, list[tuple[str, ...]]], cols: list[str], tpl: Template) -> dict:
    """Choose one split per row: the splits under which most column identities hold
    (T3-BAL and T3-TOTAL-ROW per column); cells that differ among the best are ambiguous."""
    keys = list(cand)
    free = [k for k in keys if len(cand[k]) > 1]
    fixed = {k: cand[k][0] for k in keys if len(cand[k]) == 1}
    outcome = [r.key for r in tpl.t3_rows_all if r.key.startswith("r_") and r.key != "r_total"]
    n = len(cols)

    def score(assign: dict[str, tuple[str, ...]]) -> int:
        v = {k: [token_value(t) for t in s] for k, s in assign.items()}
        zero = [0.0] * n
        s = 0
        for c in range(n):
            g = lambda k: v.get(k, zero)[c]  # noqa: E731
            if all(k in v for k in ("new_received", "carried_over", "r_total", "carried_forward")):
                s += g("new_received") + g("carried_over") == g("r_total") + g("carried_forward")
            if "r_total" in v:
                s += sum(g(k) for k in outcome if k in v) == g("r_total")
        return s

    result: dict = {k: decide([fixed[k]], n) for k in fixed}
    for k in keys:
        if not cand[k]:
            result[k] = decide([], n)
    free = [k for k in free if cand[k]]
    if not free:
        return result
    combos = 1
    for k in free:
        combos *= len(cand[k])
    if combos > MAX_COMBOS:
        for k in free:
            result[k] = decide(cand[k], n)
        return result
    best_score, best = -1, []
    for choice in product(*(cand[k] for k in free)):
        assign = dict(fixed)
        assign.update(zip(free, choice))
        s = score(assign)
        if s > best_score:
            best_score, best = s, [choice]
        elif s == best_score:
            best.append(choice)
    for i, k in enumerate(free):
        result[k] = decide([c[i] for c in best], n)
    return result


# ------------------------------------------------------------------ T4

def t4_flat(text: str, base: int, tpl: Template, where_of) -> tuple[list[CellValue], list[dict]]:
    nt = NormText(text, base)
    anchor = nt.find("复议后起诉")
    if not anchor:
        return [], []
    last_total = None
    pos = anchor[1]
    while True:
        hit = nt.find(tpl.t4_columns[-1].label, pos)
        if not hit or hit[0] - pos > 40:
            break
        last_total, pos = hit, hit[1]
    if last_total is None:
        return [], []
    o0 = nt.orig(last_total[1])
    m = RUN.match(nt.text[o0:])
    run = clean_run(m.group(0)) if m else ""
    if not run:
        return [], [{"table": "t4", "row": "", "problem": "no numbers after the T4 header", "severity": "warning"}]
    blocks = [b.key for b in tpl.t4_blocks]
    cols = [c.key for c in tpl.t4_columns]
    sols = _t4_best(run, len(cols), len(blocks))
    dec = decide(sols, len(cols) * len(blocks), truncated=len(sols) >= 1000)
    w = where_of(base + o0, base + o0 + len(m.group(0).rstrip()))
    out = []
    for bi, b in enumerate(blocks):
        for ci, c in enumerate(cols):
            i = bi * len(cols) + ci
            out.append(_cell("t4", b, c, dec.tokens[i], run, w, ambiguous=dec.tokens[i] is None))
    return out, []


def _t4_best(run: str, per_block: int, n_blocks: int) -> list[tuple[str, ...]]:
    """Splits of the whole run into n_blocks blocks, keeping those where most block sums hold."""
    memo: dict[tuple[int, int], tuple[int, list[tuple[str, ...]]]] = {}

    def best(i: int, b: int) -> tuple[int, list[tuple[str, ...]]]:
        if (i, b) in memo:
            return memo[(i, b)]
        if b == n_blocks:
            res = (0, [()]) if i >= len(run) else (-10**6, [])
            memo[(i, b)] = res
            return res
        top, sols = -10**6, []
        for toks, end in splits_from(run, i, [COUNT] * per_block, must_end=(b == n_blocks - 1)):
            vals = [token_value(t) for t in toks]
            ok = int(sum(vals[:-1]) == vals[-1])
            rest_score, rest = best(end, b + 1)
            if not rest:
                continue
            s = ok + rest_score
            if s > top:
                top, sols = s, [toks + r for r in rest[:1000]]
            elif s == top and len(sols) < 1000:
                sols.extend(toks + r for r in rest[: 1000 - len(sols)])
        memo[(i, b)] = (top, sols)
        return memo[(i, b)]

    return best(0, 0)[1]


# ------------------------------------------------------------------ T2

def _kind(col: Label) -> ColumnKind:
    return AMOUNT_KIND if col.amount else (SIGNED_COUNT if col.signed else COUNT)


def t2_flat(text: str, base: int, tpl: Template, where_of) -> tuple[list[CellValue], list[dict]]:
    nt = NormText(text, base)
    start_hit = nt.find(tpl.t2[0].article) or nt.find("信息内容")
    start = start_hit[0] if start_hit else 0
    pairs = tpl.t2_rows()
    rows = [r for _, r in pairs]
    located = locate_rows(nt, rows, start, len(nt.norm))
    sub_of = {r.key: st for st, r in pairs}
    out: list[CellValue] = []
    issues: list[dict] = []
    for loc, run, o0, o1 in runs_after(nt, located, len(nt.norm)):
        st = sub_of[loc.key]
        kinds = [_kind(c) for c in st.columns]
        r = clean_run(run)
        if not r:
            issues.append({"table": "t2", "row": loc.key, "problem": f"row {loc.label.label!r}: no numbers follow "
                           "the label in the text", "severity": "warning", "cells": []})
            continue
        sols = tab_fields(run, kinds) or enumerate_splits(r, kinds)
        dec = decide(sols, len(kinds), truncated=len(sols) >= 5000)
        w = where_of(o0, o1)
        if not sols:
            issues.append({"table": "t2", "row": loc.key, "problem": f"run {r!r} cannot be read as "
                           f"{len(kinds)} cells", "severity": "warning", "cells": []})
        for i, col in enumerate(st.columns):
            unit = None
            if col.amount:
                unit = "万元" if "万元" in col.label else None
                tok = dec.tokens[i]
                if tok:
                    for u in ("亿元", "万元", "元"):
                        if tok.endswith(u):
                            unit = u
                            break
            out.append(_cell("t2", loc.key, col.key, dec.tokens[i], r, w, unit=unit,
                             ambiguous=dec.tokens[i] is None))
    return out, issues

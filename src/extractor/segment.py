"""Paragraphs -> the canonical sections (s0 preamble … s6 other).

The document is laid out as one `Body` string (paragraphs and flattened grids in
reading order, each block on its own line) so that headings are found the same
way whether they stand on their own line or run inline in a flattened web page.
A numbered heading is a candidate when its title matches a known title or ends
like a heading; the chosen headings are the best-scoring chain in reading order
(canonical keys in order, numerals rising), which tolerates numbering mistakes
and ignores table labels such as 一、本年新收政府信息公开申请数量.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import regex as re

from .model import Document, Paragraph, Section, Where
from .templates import norm_label, section_specs

CN_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
               "十一": 11, "十二": 12}
CORE_ORDER = ["s1_overview", "s2_proactive", "s3_applications", "s4_review_litigation", "s5_problems",
              "s6_other"]
HEADING = re.compile(r"(?P<num>十[一二]?|[一二三四五六七八九])\s*[、.．]\s*")
TITLE_TAIL = re.compile(r"[^\s。；;：:，,0-9０-９（(【\[]{2,40}")
TITLE_END = re.compile(r"(情况|事项|措施|概述|问题|统计表|附表)")
DOC_TITLE = re.compile(
    r"(?P<agency>[^\s。，,；;：:、“”\"《》]{2,40}?)\s*(?P<year>(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年\s*度?\s*"
    r"(?:的)?(?:政府)?\s*信息\s*公开\s*(?:工作)?\s*年度\s*报告"
    r"|(?P<year2>(?:19|20)\d{2})\s*年\s*度?\s*(?P<agency2>[^\s。，,；;：:、]{2,40}?)\s*(?:政府)?信息公开(?:工作)?年度报告")


@dataclass
class Body:
    """The document as one string; `spans[i]` is where block i sits in it."""

    text: str
    spans: list[tuple[int, int]]
    blocks: list

    @classmethod
    def of(cls, doc: Document) -> "Body":
        parts, spans, pos = [], [], 0
        for b in doc.blocks:
            t = b.text if isinstance(b, Paragraph) else b.text()
            parts.append(t)
            spans.append((pos, pos + len(t)))
            pos += len(t) + 1
        return cls("\n".join(parts), spans, list(doc.blocks))

    def where(self, start: int, end: int) -> Where:
        """Provenance of a body range: the source lines of the blocks it covers, plus
        the offsets within the first block when that block is one long line."""
        idx = [i for i, (a, b) in enumerate(self.spans) if a <= end and b >= start]
        if not idx:
            return Where(char=start, char_end=end)
        first, last = self.blocks[idx[0]].where, self.blocks[idx[-1]].where
        line0 = first.line
        line1 = last.line_end or last.line
        if len(idx) > 1 or line1 != line0:
            return Where(line=line0, line_end=line1, page=first.page)
        # offsets within the block's source line (the reader may have dropped a prefix)
        a0 = self.spans[idx[0]][0] - (first.char or 0)
        return Where(line=line0, char=start - a0, char_end=end - a0, page=first.page)


@dataclass
class Candidate:
    start: int
    title_start: int
    end: int
    num: int
    title: str
    key: str
    score: float


_norm_char = lru_cache(maxsize=8192)(norm_label)  # norm_label of one character


def _match_norm_prefix(text: str, start: int, target: str, pieces: list[str] | None = None) -> int | None:
    """End offset in `text` such that norm_label(text[start:end]) == target, if any. `pieces`
    keeps norm_label(text[start + k]) for k < len(pieces) between calls with the same start."""
    acc = ""
    i = start
    while i < len(text) and len(acc) < len(target):
        k = i - start
        if pieces is not None and k < len(pieces):
            acc += pieces[k]
        else:
            p = _norm_char(text[i])
            if pieces is not None:
                pieces.append(p)
            acc += p
        i += 1
        if not target.startswith(acc):
            return None
    return i if acc == target else None


@cache
def _known_titles():
    out = []
    for spec in section_specs():
        for t in spec["titles"]:
            out.append((norm_label(t), spec["key"]))
    out.sort(key=lambda x: -len(x[0]))
    return tuple(out)


@cache
def _known_titles_by_first() -> dict[str, tuple[tuple[str, str], ...]] | None:
    """The known titles by their first character, each list in `_known_titles` order (None when a
    title is empty: it would match anything)."""
    out: dict[str, list] = {}
    for nt, key in _known_titles():
        if not nt:
            return None
        out.setdefault(nt[0], []).append((nt, key))
    return {c: tuple(v) for c, v in out.items()}


def _first_norm_char(text: str, start: int, pieces: list[str]) -> str:
    """The first character of norm_label(text[start + k]) for k = 0, 1, … that is not empty ("" at
    the end of the text), filling `pieces` as `_match_norm_prefix` does."""
    i = start + len(pieces)
    for p in pieces:
        if p:
            return p[0]
    while i < len(text):
        p = _norm_char(text[i])
        pieces.append(p)
        if p:
            return p[0]
        i += 1
    return ""


def _classify(title: str) -> str | None:
    nt = norm_label(title)
    for spec in section_specs():
        if any(norm_label(k) in nt for k in spec["keywords"]):
            return spec["key"]
    return None


def _candidates(text: str) -> list[Candidate]:
    known_all = _known_titles()
    by_first = _known_titles_by_first()
    out = []
    for m in HEADING.finditer(text):
        pos = m.end()
        before = text[m.start() - 1] if m.start() > 0 else "\n"
        boundary = before in "\n。；;！!？?：: \t\u3000）)" or m.start() == 0
        hit = None
        pieces: list[str] = []  # the characters after the numeral, normalised, shared by the titles
        # only a title starting with the first character of the normalised text can match it
        known = known_all if by_first is None else by_first.get(_first_norm_char(text, pos, pieces), ())
        for nt, key in known:
            end = _match_norm_prefix(text, pos, nt, pieces)
            if end is not None:
                hit = (end, key, 3.0)
                break
        if hit is None:
            tm = TITLE_TAIL.match(text, pos)
            if not tm:
                continue
            title = tm.group(0)
            ends = list(TITLE_END.finditer(title))
            if not ends:
                continue
            title = title[: ends[-1].end()]
            key = _classify(title)
            if key is None:
                key = "s_extra"
            hit = (pos + len(title), key, 1.0 if key != "s_extra" else 0.3)
            if not boundary:
                continue  # an unknown title glued to preceding text is too weak
        end, key, score = hit
        score += 0.5 if boundary else 0.0
        out.append(Candidate(m.start(), pos, end, CN_NUMERALS[m.group("num")], text[pos:end], key, score))
    return out


def _best_chain(cands: list[Candidate]) -> list[Candidate]:
    """Highest-scoring chain in reading order: core keys in canonical order, each once."""
    n = len(cands)
    best: list[tuple[float, int]] = [(0.0, -1)] * n
    order = {k: i for i, k in enumerate(CORE_ORDER)}

    def step(prev: Candidate | None, cur: Candidate) -> float:
        pnum = prev.num if prev else 0
        if cur.num == pnum + 1:
            return 1.0
        return -1.5 if cur.num <= pnum else -0.5

    for j, c in enumerate(cands):
        top = (c.score + step(None, c), -1)
        for i in range(j):
            p = cands[i]
            if p.end > c.start:
                continue
            # core keys must rise; walk back the chain to check the last core key and repeats
            ok, k, last_core = True, i, None
            seen = set()
            while k != -1:
                seen.add(cands[k].key)
                if last_core is None and cands[k].key in order:
                    last_core = cands[k].key
                k = best[k][1]
            if c.key in seen and c.key != "s_extra":
                ok = False
            if c.key in order and last_core is not None and order[c.key] <= order[last_core]:
                ok = False
            if not ok:
                continue
            s = best[i][0] + c.score + step(p, c)
            if s > top[0]:
                top = (s, i)
        best[j] = top
    if not cands:
        return []
    j = max(range(n), key=lambda x: (best[x][0], -x))
    chain = []
    while j != -1:
        chain.append(cands[j])
        j = best[j][1]
    return chain[::-1]


def find_title(body: Body, page_title: str | None = None) -> tuple[str, int, int]:
    """The report's own title (text, start, end) near the top of the body; ("", 0, 0) if none.
    A title broken over two short lines (松北区船口街道2020年 / 政府信息公开工作年度报告) counts."""
    head = body.text[:300]
    m = DOC_TITLE.search(head)
    if m and not head[: m.start()].strip():
        return m.group(0), m.start(), m.end()
    return "", 0, 0


def segment(doc: Document, body: Body | None = None) -> tuple[list[Section], dict]:
    """Sections of the document, plus facts found on the way (title, signature span)."""
    body = body or Body.of(doc)
    text = body.text
    title, t0, t1 = find_title(body, doc.meta.get("title"))
    chain = [c for c in _best_chain(_candidates(text)) if c.start >= t1]
    sections: list[Section] = []
    first = chain[0].start if chain else len(text)
    pre = text[t1:first]
    if pre.strip():
        s = len(pre) - len(pre.lstrip())
        sections.append(Section("s0_preamble", "", pre.strip(), body.where(t1 + s, first), span=(t1, first)))
    extra_n = 0
    for i, c in enumerate(chain):
        end = chain[i + 1].start if i + 1 < len(chain) else len(text)
        key = c.key
        if key == "s_extra":
            extra_n += 1
            key = f"s_extra_{extra_n}"
        seg = text[c.end:end]
        printed = text[c.start:c.end].strip()
        sections.append(Section(key, printed, seg.strip(), body.where(c.start, end), c.score, span=(c.start, end)))
    return sections, {"title": title, "title_span": (t0, t1)}

"""Statistics of v2007 reports (report years 2008-2018) as labelled key/values.

The 2007 Regulation prescribes no national table, so a report states its numbers
in prose (主动公开政府信息45条, 未收到政府信息公开申请, 兼职人员1人) and, from about
2014, in a local 政府信息公开情况统计表. Every statistic is described in
`templates/v2007.toml` -- slug, Chinese label, unit, regex patterns with a named
group `num`, zero-claim phrases and the sections where it applies -- and this
module only runs those descriptions (SCHEMA.md §5: `v2007.stat.<slug>`).

Matching works on a folded copy of each section's text: full-width digits, ％
and ． become ASCII one for one, and whitespace between two CJK characters or
punctuation marks is dropped (labels broken across PDF lines still match) while
whitespace next to digits or Latin letters is kept. Offsets are mapped back, so
`raw` is always the text as printed and `where.char`/`char_end` are offsets of
the match in `Section.text` (the other `Where` fields are the section's).

Each slug is reported at most once, at its first occurrence in document order
(sections in the order given, then by offset). A printed number belongs to one
statistic only: statistics claim numbers in file order, so the specific ones
listed first win over generic ones, unless a pattern is marked `shared` (行政复
议、行政诉讼均为0件). Zero claims have value 0 and the phrase as `raw`.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable

import regex as re

from .model import CellValue, Section, Where
from .numbers import parse_number

TABLE = "v2007"
KEY_PREFIX = "v2007.stat."

_MACRO = re.compile(r"(?<!\\[pPN])\{([A-Za-z_]\w*)\}")
# full-width digits, ％ and ． -> ASCII (one character for one, so offsets survive)
_FOLD = {**{0xFF10 + i: 0x30 + i for i in range(10)}, 0xFF05: 0x25, 0xFF0E: 0x2E, 0x3000: 0x20, 0xA0: 0x20}
_KEEP_SPACE = re.compile(r"[0-9A-Za-z.%]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Pattern:
    rx: re.Pattern
    zero: bool = False
    sections: frozenset[str] | None = None
    shared: bool = False
    needs: tuple[str, ...] = ()  # every match holds one of these (none: no such words known)


_META = set("\\.^$*+?{}[]()|")
_QUANT = "?*+{"
_QUANTIFIER = re.compile(r"\{(?:\d+|\d+,\d*|,\d+)\}")
_WORDS_GROUP = re.compile(r"\(\?:([^\\.^$*+?{}\[\]()|]+(?:\|[^\\.^$*+?{}\[\]()|]+)*)\)")


def _needs(rx: re.Pattern) -> tuple[str, ...]:
    """Words one of which every match of `rx` holds: the first plain text (or group of plain
    alternatives, `(?:收到|受理)`) of the regex that no quantifier makes optional; () when there
    is none, or a `|` outside groups, or flags."""
    src = rx.pattern
    if rx.flags & (re.IGNORECASE | re.FULLCASE | re.VERBOSE):
        return ()

    def skip_class(i: int) -> int:  # src[i] == "[": the index after its "]"
        i += 1
        if src[i:i + 1] == "^":
            i += 1
        i += 1  # a "]" right after "[" or "[^" is a member
        while i < len(src) and src[i] != "]":
            i += 2 if src[i] == "\\" else 1
        return i + 1

    def skip_group(i: int) -> int:  # src[i] == "(": the index after its ")"
        depth = 0
        while i < len(src):
            ch = src[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "[":
                i = skip_class(i)
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i

    # a "|" outside groups: no word is sure
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
        elif ch == "[":
            i = skip_class(i)
        elif ch == "(":
            i = skip_group(i)
        elif ch == "|":
            return ()
        else:
            i += 1
    def skip_quant(j: int) -> int | None:
        """The index after a quantifier at src[j] (j itself when there is none); None for a "{"
        that is not a quantifier."""
        if j < len(src) and src[j] in "?*+":
            j += 1
        elif j < len(src) and src[j] == "{":
            m = _QUANTIFIER.match(src, j)
            if m is None:
                return None
            j = m.end()
        else:
            return j
        if j < len(src) and src[j] in "?+":  # lazy or possessive
            j += 1
        return j

    # the first item that every match holds: plain text, or a group of plain alternatives, that no
    # quantifier makes optional; other items (groups, classes, \s and the like, lookarounds) are
    # stepped over
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "(":
            j = skip_group(i)
            k = skip_quant(j)
            if k is None:
                return ()
            if k == j:
                m = _WORDS_GROUP.fullmatch(src, i, j)
                if m:
                    return tuple(m.group(1).split("|"))
            i = k
        elif ch == "[":
            k = skip_quant(skip_class(i))
            if k is None:
                return ()
            i = k
        elif ch == "\\":
            if src[i + 1:i + 2] not in ("s", "S", "d", "D", "w", "W"):
                return ()  # (an escape may be \p{…}, a character or a back reference: stop)
            k = skip_quant(i + 2)
            if k is None:
                return ()
            i = k
        elif ch in "^$":
            i += 1
        elif ch == ".":
            k = skip_quant(i + 1)
            if k is None:
                return ()
            i = k
        elif ch in _QUANT or ch in ")|]}":
            return ()
        else:
            n = i
            while n < len(src) and src[n] not in _META:
                n += 1
            word = src[i:n - 1] if n < len(src) and src[n] in _QUANT else src[i:n]
            if word:
                return (word,)
            k = skip_quant(n)  # one optional character
            if k is None:
                return ()
            i = k
    return ()


@dataclass(frozen=True)
class Stat:
    slug: str
    label: str
    unit: str
    unit_rx: re.Pattern
    patterns: tuple[Pattern, ...]

    @property
    def sections(self) -> frozenset[str] | None:
        """The sections where one of the patterns applies (None: any)."""
        if any(p.sections is None for p in self.patterns):
            return None
        return frozenset().union(*(p.sections for p in self.patterns))

    @property
    def needs(self) -> tuple[str, ...]:
        """Words one of which a text holds when any of the patterns may match it (() if unknown)."""
        if not self.patterns or any(not p.needs for p in self.patterns):
            return ()
        return tuple(sorted({w for p in self.patterns for w in p.needs}))


def _expand(src: str, macros: dict[str, str], units: str) -> str:
    """Replace {MACRO} names (recursively); regex quantifiers like {0,20} are untouched."""
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name == "units":
            return units
        if name not in macros:
            raise KeyError(f"v2007.toml: unknown macro {{{name}}} in {src!r}")
        return _expand(macros[name], macros, units)

    return _MACRO.sub(sub, src)


@lru_cache(maxsize=None)
def _data() -> dict:
    return tomllib.loads(resources.files("extractor.templates").joinpath("v2007.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _number_rx() -> re.Pattern:
    return re.compile(_expand("{number}", _data()["macros"], ""))


@lru_cache(maxsize=None)
def load_stats() -> tuple[Stat, ...]:
    """The statistics of templates/v2007.toml, compiled, in file (= priority) order."""
    data = _data()
    macros = data["macros"]
    out, seen = [], set()
    for s in data["stat"]:
        if s["slug"] in seen:
            raise ValueError(f"v2007.toml: duplicate slug {s['slug']}")
        seen.add(s["slug"])
        unit_forms = sorted(s.get("units", [re.escape(s["unit"])]), key=len, reverse=True)
        units = "|".join(unit_forms)
        default_sections = frozenset(s["sections"]) if "sections" in s else None
        pats = []
        for kind in ("patterns", "zero"):
            for p in s.get(kind, []):
                spec = p if isinstance(p, dict) else {"re": p}
                secs = frozenset(spec["sections"]) if "sections" in spec else default_sections
                rx = re.compile(_expand(spec["re"], macros, units))
                if kind == "patterns" and "num" not in rx.groupindex:
                    raise ValueError(f"v2007.toml: {s['slug']}: pattern without (?P<num>...): {spec['re']!r}")
                pats.append(Pattern(rx, kind == "zero", secs, bool(spec.get("shared", False)), _needs(rx)))
        out.append(Stat(s["slug"], s["label"], s["unit"], re.compile(f"(?:{units})"), tuple(pats)))
    return tuple(out)


def fold(text: str) -> tuple[str, list[int]]:
    """The matching form of `text` and, for each of its characters, the offset in `text`."""
    t = text.translate(_FOLD)
    parts: list[str] = []
    index: list[int] = []
    kept = 0  # t[kept:] is not yet in parts
    for m in _SPACES.finditer(t):
        before = t[m.start() - 1] if m.start() > 0 else ""
        after = t[m.end()] if m.end() < len(t) else ""
        if not (_KEEP_SPACE.match(before) or _KEEP_SPACE.match(after)):
            parts.append(t[kept:m.start()])
            index.extend(range(kept, m.start()))
            kept = m.end()
    if not kept:
        return t, list(range(len(t)))
    parts.append(t[kept:])
    index.extend(range(kept, len(t)))
    return "".join(parts), index


def value_of(raw: str) -> float | None:
    """The number in a raw match: 约4900人次 -> 4900, 3000多人次 -> 3000, 十二件 -> 12, 1万元 -> 1."""
    t, _ = fold(raw)
    m = _number_rx().search(t)
    if not m:
        return None
    return parse_number(m.group())[0]


@dataclass(order=True)
class _Hit:
    sec: int
    start: int
    end: int
    zero: bool
    shared: bool
    raw: str
    unit: str


def _hits(stat: Stat, si: int, sec: Section, folded: str, index: list[int]) -> list[_Hit]:
    out = []
    for p in stat.patterns:
        if p.sections is not None and sec.key not in p.sections:
            continue
        if p.needs:
            for w in p.needs:
                if w in folded:
                    break
            else:
                continue  # none of the words every match holds
        for m in p.rx.finditer(folded):
            g = "num" if "num" in p.rx.groupindex and m.group("num") is not None else 0
            a, b = m.span(g)
            if b <= a:
                continue
            start, end = index[a], index[b - 1] + 1
            while start < end and sec.text[start].isspace():
                start += 1
            while end > start and sec.text[end - 1].isspace():
                end -= 1
            unit = stat.unit
            nm = None if p.zero else _number_rx().search(folded, a, b)
            um = stat.unit_rx.search(folded, nm.end(), b) if nm else None
            if um:
                unit = "%" if um.group() in ("%", "％") else um.group()
            out.append(_Hit(si, start, end, p.zero, p.shared, sec.text[start:end], unit))
    return sorted(out)


@lru_cache(maxsize=None)
def _stat_gates() -> tuple[tuple[frozenset[str] | None, tuple[str, ...]], ...]:
    """(sections, words) of each stat of `load_stats()`, in order."""
    return tuple((s.sections, s.needs) for s in load_stats())


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    for w in words:
        if w in text:
            return True
    return False


def _first_usable(hits: list[_Hit], claimed: list[tuple[int, int, int]]) -> tuple[_Hit, float] | None:
    """The first of `hits` (sorted) whose number is not claimed yet and reads as a value."""
    for h in hits:
        if not h.zero and not h.shared and any(
                c[0] == h.sec and c[1] < h.end and h.start < c[2] for c in claimed):
            continue
        value = 0.0 if h.zero else value_of(h.raw)
        if value is None:
            continue
        return h, value
    return None


def extract_v2007_stats(sections: list[Section],
                        locate: Callable[[int, int, int], Where] | None = None) -> list[CellValue]:
    """One `CellValue` per statistic found, in document order (see the module docstring).
    `locate(section_index, start, end)` turns offsets in a section's text into a `Where`
    (the pipeline passes one that gives source lines and offsets in the document);
    without it, `where` is the section's with the offsets in its text."""
    stats = load_stats()
    gates = _stat_gates()
    folded: list[tuple[str, list[int]] | None] = [None] * len(sections)  # fold() of each, when needed
    claimed: list[tuple[int, int, int]] = []  # (section, start, end) of numbers already taken
    found: list[tuple[_Hit, Stat, float]] = []
    for stat, (secs, words) in zip(stats, gates):
        # the first usable hit in document order: hits sort by section first, so the sections are
        # searched one by one and the later ones only when the earlier ones have none
        for si, sec in enumerate(sections):
            if secs is not None and sec.key not in secs:
                continue  # no pattern of the stat applies to this section
            if folded[si] is None:
                folded[si] = fold(sec.text or "")
            if words and not _holds_any(folded[si][0], words):
                continue  # no pattern of the stat can match here
            hit = _first_usable(_hits(stat, si, sec, *folded[si]), claimed)
            if hit is not None:
                h, value = hit
                if not h.zero:
                    claimed.append((h.sec, h.start, h.end))
                found.append((h, stat, value))
                break
    out = []
    for h, stat, value in sorted(found, key=lambda x: (x[0].sec, x[0].start, x[0].end)):
        where = (locate(h.sec, h.start, h.end) if locate is not None
                 else dataclasses.replace(sections[h.sec].where, char=h.start, char_end=h.end))
        out.append(CellValue(key=KEY_PREFIX + stat.slug, table=TABLE, row_key=stat.slug, col_key="value",
                             value=float(value), raw=h.raw, status="ok", where=where, unit=h.unit,
                             label=stat.label))
    return out

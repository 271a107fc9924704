"""The official formats as data (TOML files beside this module), label
normalisation and matching, and edition detection. Only this package knows the
official layouts."""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import regex as re
from rapidfuzz import fuzz

EDITIONS = ("v2019", "v2021")


def _load(name: str) -> dict:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- labels

_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"', "‘": "'",
                         "’": "'", "〝": '"', "〞": '"', "＂": '"'})


_SPACE = re.compile(r"\s+")
_ITEM_NO = re.compile(r"^(\d{1,2})[.、,，)]")
_PUNCT = str.maketrans({"、": ",", "，": ",", "；": ";", "：": ":", '"': None, "'": None})


@lru_cache(maxsize=1 << 16)
def norm_label(text: str) -> str:
    """Compare form of a label: full/half width, spaces and line breaks inside labels
    (including one-character-per-line vertical labels), quote variants and the
    punctuation after item numbers ("1." / "1．" / "1、") all made equal."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _SPACE.sub("", t.translate(_QUOTES))
    t = _ITEM_NO.sub(r"\1.", t.replace('"', "").replace("'", ""))
    return t.translate(_PUNCT)


@lru_cache(maxsize=1 << 16)
def label_score(a: str, b: str) -> float:
    """Similarity of two labels in [0, 1] after normalisation."""
    na, nb = norm_label(a), norm_label(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return fuzz.ratio(na, nb) / 100.0


@dataclass(frozen=True)
class Label:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str = ""
    editions: tuple[str, ...] = EDITIONS
    signed: bool = False
    amount: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.label,) + self.aliases

    def score(self, text: str) -> float:
        s = label_score(text, self.label)
        for f in self.aliases:
            v = label_score(text, f)
            if v > s:
                s = v
        return s


def best_match(text: str, labels, threshold: float = 0.8) -> tuple[Label | None, float]:
    best, best_s = None, 0.0
    score = label_score
    for lab in labels:
        s = score(text, lab.label)
        for f in lab.aliases:
            v = score(text, f)
            if v > s:
                s = v
        if s > best_s:
            best, best_s = lab, s
    return (best, best_s) if best_s >= threshold else (None, best_s)


# --------------------------------------------------------------------------- templates

def _labels(items, default_editions=EDITIONS) -> tuple[Label, ...]:
    return tuple(Label(key=i["key"], label=i["label"], aliases=tuple(i.get("aliases", ())),
                       group=i.get("group", ""), editions=tuple(i.get("editions", default_editions)),
                       signed=bool(i.get("signed", False)), amount=bool(i.get("amount", False)))
                 for i in items)


@dataclass(frozen=True)
class SubTable:
    article: str
    columns: tuple[Label, ...]
    rows: tuple[Label, ...]


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    years: tuple[int, int]
    t2: tuple[SubTable, ...]
    t3_columns: tuple[Label, ...]
    t3_extra_columns: tuple[Label, ...]
    t3_rows_all: tuple[Label, ...]  # rows of both editions (a report may print the other one's)
    t3_group_labels: tuple[str, ...]
    t3_note: str
    t4_blocks: tuple[Label, ...]
    t4_columns: tuple[Label, ...]
    t4_row_labels: tuple[str, ...] = field(default=())

    @property
    def t3_rows(self) -> tuple[Label, ...]:
        return tuple(r for r in self.t3_rows_all if self.id in r.editions)

    def cell_keys(self) -> list[str]:
        """Every cell of T2, T3 and T4 of this edition, in template order."""
        keys = [f"t2.{r.key}.{c.key}" for st in self.t2 for r in st.rows for c in st.columns]
        keys += [f"t3.{r.key}.{c.key}" for r in self.t3_rows for c in self.t3_columns]
        keys += [f"t4.{b.key}.{c.key}" for b in self.t4_blocks for c in self.t4_columns]
        return keys

    def t2_rows(self) -> list[tuple[SubTable, Label]]:
        return [(st, r) for st in self.t2 for r in st.rows]


@lru_cache(maxsize=None)
def get_template(edition: str) -> Template:
    if edition not in EDITIONS:
        raise KeyError(f"no grid template for edition {edition!r}")
    data = _load(f"{edition}.toml")
    common = _load("t3_t4.toml")
    t3, t4 = common["t3"], common["t4"]
    return Template(
        id=data["id"], name=data["name"], years=tuple(data["years"]),
        t2=tuple(SubTable(st["article"], _labels(st["columns"]), _labels(st["rows"])) for st in data["t2"]),
        t3_columns=_labels(t3["columns"]),
        t3_extra_columns=_labels(t3.get("extra_columns", [])),
        t3_rows_all=_labels(t3["rows"]),
        t3_group_labels=tuple(g["label"] for g in t3.get("group_rows", [])),
        t3_note=t3["note"],
        t4_blocks=_labels(t4["blocks"]),
        t4_columns=_labels(t4["columns"]),
        t4_row_labels=tuple(t4.get("row_labels", ())),
    )


@lru_cache(maxsize=None)
def section_specs() -> tuple[dict, ...]:
    return tuple(_load("sections.toml")["sections"])


@lru_cache(maxsize=None)
def markers() -> dict:
    return _load("markers.toml")


# --------------------------------------------------------------------------- editions

@dataclass(frozen=True)
class EditionGuess:
    edition: str | None
    evidence: str
    confidence: str


def detect_edition(text: str, report_year: int | None = None) -> EditionGuess:
    """SCHEMA.md §6, in order; the first decisive hit wins. `text` is the whole
    document (paragraphs and table labels)."""
    nt = norm_label(text)
    m = markers()

    def hits(words):
        return [w for w in words if norm_label(w) in nt]

    found = hits(m["v2021"])
    if found:
        return EditionGuess("v2021", "v2021 markers: " + "、".join(found), "high")
    # 行政规范性文件 counts only inside the 第二十条第（一）项 table (before the (五) table)
    i1 = nt.find(norm_label("第二十条第（一）项"))
    if i1 >= 0:
        i5 = nt.find(norm_label("第二十条第（五）项"), i1)
        block = nt[i1: i5 if i5 > 0 else i1 + 200]
        if norm_label("行政规范性文件") in block:
            return EditionGuess("v2021", "v2021 marker: 行政规范性文件 in the 第二十条第（一）项 table", "high")
    found = hits(m["v2019"])
    if found:
        return EditionGuess("v2019", "v2019 markers: " + "、".join(found), "high")
    if re.search(re.escape(norm_label("（六）其他处理")) + r"[\d/\-]*" + re.escape(norm_label("（七）总计")), nt):
        return EditionGuess("v2019", "v2019 marker: single （六）其他处理 row before （七）总计", "high")
    found = hits(m["post2019"])
    if found:
        if report_year is not None:
            ed = "v2019" if report_year <= 2020 else "v2021"
            return EditionGuess(ed, f"post-2019 markers ({'、'.join(found)}) and report year {report_year}", "medium")
        return EditionGuess("v2021", f"post-2019 markers ({'、'.join(found)}), report year unknown", "low")
    found = hits(m["v2007"])
    if found:
        return EditionGuess("v2007", "v2007 markers: " + "、".join(found), "high")
    if report_year is not None:
        ed = "v2007" if report_year <= 2018 else ("v2019" if report_year <= 2020 else "v2021")
        return EditionGuess(ed, f"no markers; report year {report_year}", "low")
    return EditionGuess(None, "no markers and no report year", "none")


def edition_for_year(year: int | None) -> str | None:
    if year is None:
        return None
    return "v2007" if year <= 2018 else ("v2019" if year <= 2020 else "v2021")

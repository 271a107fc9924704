"""Cell text -> value, status and unit.

Blank, zero, "/" and "—" are different facts: the value normalises the
placeholders to 0 for arithmetic (as the rules say), the status keeps them apart.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex as re

OK, BLANK, DASH, SLASH, NONNUMERIC, AMBIGUOUS, UNCERTAIN = (
    "ok", "blank", "dash", "slash", "nonnumeric", "ambiguous", "uncertain")

DASHES = {"-", "－", "—", "——", "–", "―", "─", "-－", "--", "……", "…"}
SLASHES = {"/", "／", "\\", "＼"}
NONE_WORDS = {"无", "没有", "暂无", "零"}

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2,
             "三": 3, "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
             "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUM_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_BIG)

UNITS = ("亿元", "万元", "元", "件", "条", "项", "个", "人次", "人", "次", "起", "份", "%", "％")
_NUM = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)$")
_CHANGE = re.compile(r"^(增加|增|新增|减少|减|下降|上升)(.*)$")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}\b)")
_INNER_SPACE = re.compile(r"(?<=\d)\s+(?=\d)")
_DIGITS_SPACES = re.compile(r"[\d\s.]+")


@dataclass(frozen=True)
class Parsed:
    value: float | None
    status: str
    unit: str | None = None


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), thousands separators and inner spaces removed."""
    t = unicodedata.normalize("NFKC", text or "")
    t = t.replace("\u00a0", " ").replace("\u3000", " ").strip()
    t = _THOUSANDS.sub("", t)
    return _INNER_SPACE.sub("", t) if _DIGITS_SPACES.fullmatch(t) else t


def chinese_to_int(s: str) -> int | None:
    """一百二十 -> 120, 二〇二一 -> 2021, 十五 -> 15, 三万二千 -> 32000; None if not a numeral."""
    s = s.strip()
    if not s or any(ch not in CN_NUM_CHARS for ch in s):
        return None
    if all(ch in CN_DIGITS for ch in s):  # digit by digit, as in years: 二〇二一
        if len(s) == 1:
            return CN_DIGITS[s]
        return int("".join(str(CN_DIGITS[ch]) for ch in s))
    total, section, number = 0, 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            number = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (number or 1) * CN_UNITS[ch]
            number = 0
        else:  # 万 / 亿
            section += number
            total += section * CN_BIG[ch]
            section, number = 0, 0
    return total + section + number


def parse_number(text: str) -> tuple[float | None, str | None]:
    """A number with an optional sign and unit; Chinese numerals and 增加/减少 words accepted."""
    t = normalise(text)
    unit = None
    for u in UNITS:
        if t.endswith(u) and len(t) > len(u):
            unit = "%" if u == "％" else u
            t = t[: -len(u)].strip()
            break
    sign = ""
    m = _CHANGE.match(t)
    if m:
        sign = "-" if m.group(1) in ("减少", "减", "下降") else "+"
        t = m.group(2).strip()
    m = _NUM.match(t)
    if m:
        s = m.group(1) or sign
        v = float(m.group(2))
        return (-v if s == "-" else v), unit
    n = chinese_to_int(t)
    if n is not None:
        return (-float(n) if sign == "-" else float(n)), unit
    return None, unit


@lru_cache(maxsize=1 << 14)
def parse_cell(text: str) -> Parsed:
    raw = text or ""
    t = normalise(raw)
    if t == "":
        return Parsed(None, BLANK)
    if t in DASHES:
        return Parsed(0.0, DASH)
    if t in SLASHES:
        return Parsed(0.0, SLASH)
    if t in NONE_WORDS:
        return Parsed(0.0, NONNUMERIC)
    value, unit = parse_number(t)
    if value is None:
        return Parsed(None, NONNUMERIC, unit)
    return Parsed(value, OK, unit)

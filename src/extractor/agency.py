"""The issuing body: its name normalised, its level and its region.

A name is read as a chain of administrative units followed by the organ, e.g.
哈尔滨市 (city) 松北区 (county) 船口街道 (township) + 办事处, or 上海市 (municipality)
浦东新区 (county) + 财政局. The level follows from the last unit and the organ:

| level | what | examples |
|---|---|---|
| state_council_dept | 国务院部门 and 直属机构, no local unit in the name | 教育部, 国家统计局, 国务院办公厅, 海关总署 |
| province | 省/自治区/直辖市 人民政府 | 广东省人民政府, 北京市人民政府 |
| city | 设区的市/自治州/地区/盟 人民政府 (行政公署) | 深圳市人民政府 |
| county | 县/县级市/区/旗 人民政府 | 洪泽区人民政府, 淮安市洪泽区人民政府 |
| township | 乡/镇/街道 (and their offices) | 某某镇人民政府, 哈尔滨市松北区船口街道办事处 |
| local_dept | a local government's department (its 办公厅/办公室 too), a zone's department, a branch of a vertically managed organ | 某某县财政局, 北京市海淀区人民政府办公室, 平潭综合实验区地方税务局, 国家税务总局广东省税务局 |
| special | the administration of a development zone or pilot zone (管委会, 实验区) | 平潭综合实验区, 苏州工业园区管理委员会 |

A name that is only a region (洪泽区, 平潭县) is read as that region's government. A
`XX市` without a higher unit is read as a city (a county-level city cannot be told
from its name alone). In a municipality the region is province + county (no city).
The region holds only the names printed in the agency's name, or in a fuller form of
it printed in the signature, the page's publisher or the preamble (哈尔滨市松北区… gives
city 哈尔滨市 and county 松北区, never a province the name does not print).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import regex as re

from .templates import _load

LEVELS = ("state_council_dept", "province", "city", "county", "township", "local_dept", "special")
DEPARTMENT_LEVELS = ("state_council_dept", "local_dept")
GOVERNMENT_LEVELS = ("province", "city", "county")

RANK = {"province": 0, "city": 1, "county": 2, "township": 3}

ZONES = ("综合实验区|综合试验区|自由贸易试验区|自由贸易区|经济技术开发区|高新技术产业开发区|高新技术开发区|"
         "经济开发区|工业园区|产业园区|开发区|实验区|试验区|高新区|经开区|保税港区|综合保税区|保税区|示范区|"
         "合作区|管理区|度假区|旅游区|风景名胜区")
SUFFIX_KIND = {"省": "province", "自治区": "province", "特别行政区": "province",
               "市": "city", "自治州": "city", "地区": "city", "盟": "city",
               "县": "county", "自治县": "county", "区": "county", "旗": "county", "自治旗": "county",
               "新区": "county", "林区": "county", "特区": "county",
               "街道": "township", "镇": "township", "乡": "township", "民族乡": "township", "苏木": "township"}
UNIT = re.compile(
    r"(?P<zone>高新技术产业开发区|经济技术开发区|高新区|经开区|开发区|保税区)"
    rf"|(?P<name>\p{{Han}}{{1,10}}?)(?P<suf>{ZONES}|自治州|自治县|自治旗|特别行政区|自治区|地区|新区|林区|特区|"
    r"街道|民族乡|苏木|省|市|盟|县|区|旗|镇|乡)")
# department words that look like units (城乡 → 乡, 城市 → 市) and characters no place name has
NOT_UNIT_WORDS = ("城乡", "城市", "乡镇", "城镇", "县乡", "市县", "省市", "社区", "景区", "辖区", "片区", "园区",
                  "街区", "政府", "人民", "委员", "办公", "管理局")
NOT_UNIT_CHARS = set("局厅委办院所司处站队署")
SUFFIX_CHARS = set("省市区县州旗镇乡盟")

GOVERNMENT_ORGANS = ("人民政府", "政府", "行政公署", "公署")
OFFICE = re.compile(r"^(?:人民)?政府办(?:公厅|公室)?$|^办公厅$")
ZONE_BODY = re.compile(r"^(?:党工委)?(?:管委会|管理委员会)$")
ZONE_OFFICE = re.compile(r"^(?:管委会|管理委员会)办公室$")
GOVERNMENT_OFFICE = re.compile(r"(?:人民政府|政府)办(?:公厅|公室)?$|(?:管委会|管理委员会)办公室$")
CENTRAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国(?!共产党))")
CENTRAL_ORGAN = re.compile(r"^(?:国务院|中华人民共和国)?(?:国家|中国)\p{Han}{1,10}?(?:总局|局|委员会|银行|总署|署)")
CENTRAL_NAMES = ("海关总署", "审计署")
# what a fuller form may add after the short form of one body (船口街道 → 船口街道办事处)
COMPLETIONS = ("", "办事处", "人民政府", "政府", "管委会", "管理委员会")

YEAR_RESIDUE = re.compile(r"(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年.*$")
REPORT_RESIDUE = re.compile(r"(?:的)?(?:(?<!人民)政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)$|(?:年度)?工作报告$|年度报告$")
BRACKET_TAIL = re.compile(r"\((?:本级|机关|本部|机关本级)\)$")
EDGE_PUNCT = "\"'“”‘’《》「」【】[]:;,.、。!?·-—_ "


@dataclass(frozen=True)
class Unit:
    name: str  # as printed, suffix included: 哈尔滨市
    kind: str  # province | city | county | township | zone
    known: bool = False  # a provincial-level division or prefecture in regions.toml


@dataclass(frozen=True)
class Agency:
    printed: str
    normalised: str
    level: str | None
    units: tuple[Unit, ...] = ()
    organ: str = ""  # what follows the units: 人民政府, 教育局, 办事处, ""
    province: str | None = None
    city: str | None = None
    county: str | None = None
    why: str = ""  # why this level
    source: str = ""  # which form of the name was read, and where the region came from

    @property
    def government_office(self) -> bool:
        return self.level == "local_dept" and is_government_office(self.normalised)

    @property
    def evidence(self) -> str:
        parts = [self.source or f"name {self.normalised}"]
        if self.units:
            parts.append("units " + " ".join(f"{u.name}({u.kind})" for u in self.units))
            if self.organ:
                parts.append(f"organ {self.organ}")
        return "; ".join(parts) + f" -> {self.level or 'unknown'}: {self.why}"


# --------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class Division:
    kind: str  # province | city
    province: str  # full name of the provincial-level division
    name: str  # full name of the division itself
    municipality: bool = False


@lru_cache(maxsize=1)
def _provinces() -> list[dict]:
    return _load("regions.toml")["province"]


@lru_cache(maxsize=1)
def regions() -> dict[str, Division]:
    """Printed name -> division, for the provincial-level divisions (full names) and their
    prefecture-level divisions (full names and the short forms of autonomous
    prefectures), from templates/regions.toml."""
    out: dict[str, Division] = {}
    for p in _provinces():
        out[p["name"]] = Division("province", p["name"], p["name"], p["kind"] == "municipality")
        for c in p["cities"]:
            out[c] = Division("city", p["name"], c)
        for short, c in p.get("city_aliases", {}).items():
            out[short] = Division("city", p["name"], c)
    return out


@lru_cache(maxsize=1)
def _aliases() -> dict[str, Division]:
    """Bare and informal names of the provincial-level divisions (广东, 广西自治区)."""
    return {a: Division("province", p["name"], p["name"], p["kind"] == "municipality")
            for p in _provinces() for a in p["aliases"]}


@lru_cache(maxsize=1)
def _known_pattern():
    names = sorted(regions(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


@lru_cache(maxsize=1)
def _aliases_longest_first() -> tuple[tuple[str, Division], ...]:
    return tuple(sorted(_aliases().items(), key=lambda kv: -len(kv[0])))


def province_name(name: str | None) -> str | None:
    """The full name of a provincial-level division from its full name or an alias
    (黑龙江 → 黑龙江省, 广西 → 广西壮族自治区); None when it is not one."""
    d = regions().get((name or "").strip()) or _aliases().get((name or "").strip())
    return d.name if d is not None and d.kind == "province" else None


def city_name(name: str | None) -> str | None:
    """The full name of a prefecture-level division from its full or short name (恩施州)."""
    d = regions().get((name or "").strip())
    return d.name if d is not None and d.kind == "city" else None


def province_of_city(city: str | None) -> str | None:
    """The province a prefecture-level division belongs to (regions.toml), else None."""
    d = regions().get((city or "").strip())
    return d.province if d is not None and d.kind == "city" else None


# --------------------------------------------------------------------------- names


def normalise(name: str | None) -> str:
    """The comparable form of a printed name: full-width to half-width, no whitespace,
    without a leading 关于 and the report title's residue (2020年度政府信息公开工作年度报告)."""
    t = unicodedata.normalize("NFKC", name or "")
    t = "".join(t.split())
    t = t.strip(EDGE_PUNCT)
    t = t.removeprefix("关于")
    t = YEAR_RESIDUE.sub("", t)
    for _ in range(2):
        t = REPORT_RESIDUE.sub("", t).removesuffix("的").strip(EDGE_PUNCT)
    return BRACKET_TAIL.sub("", t)


def is_government_office(name: str | None) -> bool:
    """A government's 办公厅/办公室 (or a zone administration's 办公室): 北京市海淀区人民政府办公室."""
    return bool(GOVERNMENT_OFFICE.search(normalise(name)))


def _unit_at(s: str, pos: int, chain: list[Unit]) -> Unit | None:
    """The administrative unit printed at s[pos:], if any, given the units before it."""
    known = _known_pattern().match(s, pos)
    if known and not (known.end() < len(s) and s[known.end()] in SUFFIX_CHARS):  # not 巴州 in 巴州区
        d = regions()[known.group(0)]
        if not chain or d.kind == "city":
            return Unit(known.group(0), d.kind, True)
    if not chain:
        for alias, d in _aliases_longest_first():
            if s.startswith(alias, pos) and _alias_fits(s, pos + len(alias), d):
                return Unit(alias, "province", True)
    m = UNIT.match(s, pos)
    if m is None:
        return None
    text = m.group(0)
    if m.group("zone"):
        return Unit(text, "zone")
    name, suf = m.group("name"), m.group("suf")
    kind = SUFFIX_KIND.get(suf, "zone")
    if NOT_UNIT_CHARS & set(name) or any(w in (name if kind == "zone" else text) for w in NOT_UNIT_WORDS):
        return None
    if kind == "city" and suf == "市" and any(u.kind == "city" for u in chain):
        kind = "county"  # a county-level city under a city
    return Unit(text, kind)


def _alias_fits(s: str, end: int, d: Division) -> bool:
    """A bare province name (广东, 北京) counts only when it is not the start of another
    unit's name (河北区, 河南蒙古族自治县): followed by one of its cities, by a county in
    a municipality, or by an organ."""
    if end >= len(s) or s[end] in SUFFIX_CHARS:
        return False
    m = _known_pattern().match(s, end)
    if m:
        return regions()[m.group(0)].province == d.name
    nxt = UNIT.match(s, end)
    if nxt is None or nxt.group("zone"):
        return True
    return d.municipality and SUFFIX_KIND.get(nxt.group("suf")) == "county"


def parse_units(name: str) -> tuple[tuple[Unit, ...], str]:
    """(the administrative units at the start of a normalised name, what follows them)."""
    chain: list[Unit] = []
    pos = 0
    while pos < len(name):
        at = pos
        if chain and name.startswith("人民政府", pos) and pos + 4 < len(name):
            at = pos + 4  # 某某区人民政府某某街道办事处: the government's name inside the chain
        u = _unit_at(name, at, chain)
        if u is None:
            break
        if u.kind != "zone" and chain:
            last = max((RANK[c.kind] for c in chain if c.kind in RANK), default=-1)
            if RANK[u.kind] <= last:
                break
        chain.append(u)
        pos = at + len(u.name)
    return tuple(chain), name[pos:]


def _central(name: str) -> tuple[str, tuple[Unit, ...], str] | None:
    """A central organ (国家统计局, 教育部) or a branch of one (国家税务总局广东省税务局):
    (level, units of the branch, why), or None."""
    m = CENTRAL_ORGAN.match(name)
    if m:
        units, _ = parse_units(name[m.end():])
        if units:
            return "local_dept", units, f"branch of the central organ {m.group(0)}"
    if CENTRAL.match(name) or name in CENTRAL_NAMES or (name.endswith("部") and len(name) <= 12):
        return "state_council_dept", (), "central organ (国务院/国家/中国…, or a ministry …部)"
    return None


def classify(printed: str | None) -> Agency:
    """Level and region of one name as printed (no other source)."""
    n = normalise(printed)
    if not n:
        return Agency(printed or "", n, None, why="no name")
    units, organ = parse_units(n)
    if units:
        level, why = _level(units, organ)
    else:
        level, units, why = _central(n) or (None, (), "no administrative unit or central organ recognised")
        organ = n
    return Agency(printed or "", n, level, units, organ, *_region(units), why=why)


def _level(units: tuple[Unit, ...], organ: str) -> tuple[str | None, str]:
    last = units[-1]
    if last.kind == "township":
        return "township", "乡/镇/街道" + (f" ({organ})" if organ else "")
    if last.kind == "zone":
        if not organ or ZONE_BODY.match(organ) or organ in GOVERNMENT_ORGANS:
            return "special", "zone administration (开发区/实验区/管委会)"
        return "local_dept", "department of a zone" + (" (its 办公室)" if ZONE_OFFICE.match(organ) else "")
    if ZONE_BODY.match(organ):
        return "special", f"administration committee ({organ}) of {last.name}"
    if not organ:
        return last.kind, f"region name only, read as the {last.kind} government"
    if organ in GOVERNMENT_ORGANS:
        return last.kind, f"{last.kind} government ({organ})"
    if OFFICE.match(organ):
        return "local_dept", f"the {last.kind} government's 办公厅/办公室"
    return "local_dept", f"department of the {last.kind} government ({organ})"


def _region(units: tuple[Unit, ...]) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) named by the units; provinces and prefectures in their full
    names (广西 → 广西壮族自治区, 恩施州 → 恩施土家族苗族自治州)."""
    prov = city = county = None
    for u in units:
        if u.kind == "province":
            prov = province_name(u.name) or u.name
        elif u.kind == "city" and city is None:
            city = city_name(u.name) or u.name
        elif u.kind == "county" and county is None:
            county = u.name
    return prov, city, county


# --------------------------------------------------------------------------- several sources


def fuller_form(short: str, long: str) -> bool:
    """`long` names the same body as `short`, more completely: higher units before it and
    at most a completion after it (松北区船口街道 → 哈尔滨市松北区船口街道办事处), not
    another body (洪泽区人民政府 → 洪泽区人民政府办公室)."""
    s, lg = normalise(short), normalise(long)
    if not s or not lg or s == lg:
        return False
    core = s
    for c in sorted(COMPLETIONS, key=len, reverse=True):
        if c and s.endswith(c) and len(s) > len(c):
            core = s[: -len(c)]
            break
    i = lg.find(core)
    if i < 0:
        return False
    head, tail = lg[:i], lg[i + len(core):]
    if tail not in COMPLETIONS:
        return False
    if not head:
        return bool(tail) and tail != s[len(core):]
    units, rest = parse_units(head)
    return bool(units) and rest in ("", "人民政府")  # 某某区人民政府某某街道办事处


def _region_from_text(a: Agency, texts) -> Agency | None:
    """Higher units printed right before the agency's first unit somewhere in `texts`
    (由淮安市洪泽区人民政府办公室编制 → 淮安市 for 洪泽区人民政府); only known
    provinces and prefectures count, so an arbitrary word before the name never does."""
    if not a.units or a.units[0].kind not in RANK or a.units[0].kind == "province":
        return None
    first = a.units[0]
    for text in texts:
        t = normalise(text) if text else ""
        for m in re.finditer(re.escape(first.name), t):
            before = t[max(0, m.start() - 14):m.start()]
            for k in range(len(before)):
                units, rest = parse_units(before[k:])
                if units and not rest and all(u.known for u in units) and RANK[units[-1].kind] < RANK[first.kind]:
                    merged = units + a.units
                    province, city, county = _region(merged)
                    return replace(a, units=merged, province=province, city=city, county=county,
                                   source=f"{a.source}; region from the text {before[k:]}{first.name}")
    return None


def identify(printed: str | None, signature: str | None = None, texts=()) -> Agency | None:
    """The issuing body of a report from the printed name (the title form), the
    signature's name, and other texts that may print a fuller form (the page's
    publisher, the preamble). The signature's form is used when it names the same body
    more completely; the region may be completed from the other texts."""
    if not printed and not signature:
        return None
    if printed and signature and fuller_form(printed, signature):
        a = classify(signature)
        a = replace(a, source=f"signature form {a.normalised} (fuller than the title form {normalise(printed)})")
    else:
        a = classify(printed or signature)
        a = replace(a, source=f"{'title' if printed else 'signature'} form {a.normalised}")
    return _region_from_text(a, [signature, *texts]) or a

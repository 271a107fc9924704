"""Local deadline rules (`extractor run --deadlines FILE`): the dates that bodies the
Regulation's Art. 49 does not name are judged against.

Art. 49 fixes 31 January for 县级以上人民政府部门 and 31 March for 县级以上地方人民政府;
乡镇/街道 and development-zone administrations are left to local notices, and how a
government's 办公厅/办公室 report is read is a matter of interpretation. A deadlines
file says what applies (TOML; YAML is read too when PyYAML is installed):

    # how a government's 办公厅/办公室 report is judged (TIME-GOVOFFICE):
    # "department" (31 Jan, the default), "government" (31 Mar), "off", or "MM-DD"
    govoffice = "department"

    [[deadlines]]
    level = "township"          # township | special (the levels Art. 49 is silent on)
    province = "黑龙江省"        # optional: province / city / county / agency (part of the name)
    deadline = "01-31"          # month-day in the year after the report year
    severity = "warning"        # optional (default warning)
    source = "黑龙江省政务公开办通知"  # optional: where the rule comes from, shown in findings
    from_year = 2019            # optional: report years the rule covers
    to_year = 2030

When several rules match a report the most specific one wins (the one naming the
most of province, city, county and agency), then the first in the file. A province
matches a report whose name prints it, or prints one of its prefecture-level cities
(regions.toml).

The pipeline puts the configuration in `report.meta["deadlines"]` (see `attach`), which
the TIME-* rules read; without one they use `DeadlineConfig()` (no local deadlines,
office reports judged as department reports).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import agency as A
from .model import Report

META_KEY = "deadlines"
LOCAL_LEVELS = ("township", "special")
SEVERITIES = ("error", "warning", "info")
GOVOFFICE_MODES = ("department", "government", "off")
RULE_KEYS = {"level", "province", "city", "county", "agency", "deadline", "severity", "source", "from_year",
             "to_year"}


class DeadlineError(ValueError):
    """A deadlines file that cannot be used; the message names the file and the cause."""


@dataclass(frozen=True)
class LocalDeadline:
    level: str
    month: int
    day: int
    province: str | None = None
    city: str | None = None
    county: str | None = None
    agency: str | None = None
    severity: str = "warning"
    source: str = ""
    from_year: int | None = None
    to_year: int | None = None

    @property
    def deadline(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"

    @property
    def specificity(self) -> int:
        return sum(x is not None for x in (self.province, self.city, self.county, self.agency))

    def matches(self, report: Report) -> bool:
        y = report.report_year
        if report.level != self.level or y is None:
            return False
        if (self.from_year is not None and y < self.from_year) or (self.to_year is not None and y > self.to_year):
            return False
        province = report.region_province or A.province_of_city(report.region_city)
        name = report.agency_normalised or A.normalise(report.agency)
        return ((self.province is None or self.province == province)
                and (self.city is None or self.city == report.region_city)
                and (self.county is None or self.county == report.region_county)
                and (self.agency is None or self.agency in name))

    def describe(self) -> str:
        where = ", ".join(f"{k} {v}" for k, v in (("province", self.province), ("city", self.city),
                                                  ("county", self.county), ("agency", self.agency)) if v)
        return (f"local deadline {self.deadline} for {self.level}" + (f" ({where})" if where else "")
                + (f", {self.source}" if self.source else ""))


@dataclass(frozen=True)
class DeadlineConfig:
    rules: tuple[LocalDeadline, ...] = ()
    govoffice: str = "department"  # department | government | off | MM-DD
    path: str = ""

    def lookup(self, report: Report) -> LocalDeadline | None:
        """The most specific local deadline that applies to `report`, or None."""
        hits = [r for r in self.rules if r.matches(report)]
        return max(hits, key=lambda r: r.specificity) if hits else None  # max keeps the first of equals


def config_of(report: Report) -> DeadlineConfig:
    cfg = report.meta.get(META_KEY)
    return cfg if isinstance(cfg, DeadlineConfig) else DeadlineConfig()


def attach(report: Report, config: DeadlineConfig | None) -> Report:
    """Give `report` the configuration its TIME-* rules read (before `run_checks`)."""
    if config is not None:
        report.meta[META_KEY] = config
    return report


def load_deadlines(path: str | Path) -> DeadlineConfig:
    """Read a deadlines file (.toml, or .yaml/.yml with PyYAML)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DeadlineError(f"{p}: cannot read deadlines file ({e})") from e
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as e:
            raise DeadlineError(f"{p}: YAML deadlines need PyYAML; write the file as TOML instead") from e
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as e:
            raise DeadlineError(f"{p}: not valid YAML ({e})") from e
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise DeadlineError(f"{p}: not valid TOML ({e})") from e
    return parse_deadlines(data, str(p))


def parse_deadlines(data: dict, path: str = "<deadlines>") -> DeadlineConfig:
    """The configuration from the file's data; every mistake is an error naming the entry."""
    if not isinstance(data, dict):
        raise DeadlineError(f"{path}: expected a table with 'deadlines' and 'govoffice'")
    unknown = set(data) - {"deadlines", "govoffice"}
    if unknown:
        raise DeadlineError(f"{path}: unknown keys {sorted(unknown)} (expected 'deadlines', 'govoffice')")
    govoffice = str(data.get("govoffice", "department"))
    if govoffice not in GOVOFFICE_MODES:
        _month_day(govoffice, f"{path}: govoffice")
    entries = data.get("deadlines", [])
    if not isinstance(entries, list):
        raise DeadlineError(f"{path}: 'deadlines' must be a list of tables ([[deadlines]])")
    return DeadlineConfig(tuple(_rule(e, f"{path}: deadlines[{i}]") for i, e in enumerate(entries)), govoffice,
                          path)


def _rule(e, where: str) -> LocalDeadline:
    if not isinstance(e, dict):
        raise DeadlineError(f"{where}: expected a table")
    unknown = set(e) - RULE_KEYS
    if unknown:
        raise DeadlineError(f"{where}: unknown keys {sorted(unknown)}")
    level = e.get("level")
    if level not in LOCAL_LEVELS:
        why = " (Art. 49 sets its deadline)" if level in A.LEVELS else ""
        raise DeadlineError(f"{where}: level must be one of {', '.join(LOCAL_LEVELS)}, not {level!r}{why}")
    if "deadline" not in e:
        raise DeadlineError(f"{where}: no deadline (\"MM-DD\", in the year after the report year)")
    month, day = _month_day(str(e["deadline"]), where)
    severity = e.get("severity", "warning")
    if severity not in SEVERITIES:
        raise DeadlineError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    province = e.get("province")
    if province is not None:
        province = A.province_name(province)
        if province is None:
            raise DeadlineError(f"{where}: {e['province']!r} is not a provincial-level division")
    years = [e.get("from_year"), e.get("to_year")]
    if any(y is not None and not isinstance(y, int) for y in years):
        raise DeadlineError(f"{where}: from_year and to_year are years (integers)")
    city = e.get("city")
    return LocalDeadline(level, month, day, province, A.city_name(city) or city, e.get("county"), e.get("agency"),
                         severity, str(e.get("source", "")), *years)


def _month_day(s: str, where: str) -> tuple[int, int]:
    try:
        m, d = (int(x) for x in s.split("-"))
        date(2001, m, d)  # a real month-day (no 29 February: the deadline must exist every year)
    except ValueError as e:
        raise DeadlineError(f"{where}: deadline {s!r} is not a month-day like \"01-31\"") from e
    return m, d

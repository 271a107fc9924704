"""Splitting runs of digits from flattened tables into cells.

Web text often prints a table row as its label followed by run-together digits
(`一、本年新收政府信息公开申请数量640020470` = 64, 0, 0, 2, 0, 4, 70). A run is
cut into exactly as many cells as the template row has, every way that yields
well-formed numbers (no leading zeros, a sign only where the column is signed,
decimals and a unit only where the column holds an amount); a space in the run
is always a cell boundary. The template's identities then choose among the
splits; where more than one split is equally consistent, the cells that differ
between them are reported as ambiguous instead of guessed.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Sequence

import regex as re

PLACEHOLDER = re.compile(r"^(/|／|—|-|－|–|——)$")
INT = re.compile(r"^(0|[1-9]\d*)$")
SIGNED = re.compile(r"^[+-]?(0|[1-9]\d*)$")
AMOUNT = re.compile(r"^(0|[1-9]\d*)(\.\d+)?(元|万元|亿元)?$")

MAX_SOLUTIONS = 5000
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


@dataclass(frozen=True)
class ColumnKind:
    signed: bool = False
    amount: bool = False
    # counts in these tables stay well under ten million; amounts may be long
    max_len: int = 7

    def ok(self, token: str, last: bool) -> bool:
        token = unicodedata.normalize("NFKC", token)  # full-width digits; the raw token is kept
        if PLACEHOLDER.match(token):
            return True
        if self.amount:
            m = AMOUNT.match(token)
            return bool(m) and (last or not m.group(3))
        if len(token) > self.max_len:
            return False
        if self.signed:
            return bool(SIGNED.match(token))
        return bool(INT.match(token))


COUNT = ColumnKind()
SIGNED_COUNT = ColumnKind(signed=True)
AMOUNT_KIND = ColumnKind(amount=True, max_len=20)


def token_value(token: str) -> float:
    """Arithmetic value of a token: a blank cell and the placeholders count as 0."""
    t = unicodedata.normalize("NFKC", token)
    if t == "" or PLACEHOLDER.match(t):
        return 0.0
    for u in ("亿元", "万元", "元"):
        if t.endswith(u):
            t = t[: -len(u)]
    return float(t)


def clean_run(run: str) -> str:
    """Spaces of any kind collapse to one ASCII space; ends trimmed."""
    return _SPACES.sub(" ", run).strip()


def splits_from(run: str, start: int, kinds: Sequence[ColumnKind], must_end: bool,
                limit: int = MAX_SOLUTIONS):
    """Ways to read len(kinds) well-formed tokens from run[start:] (run already cleaned):
    yields (tokens, end). With must_end, only splits that consume the whole run."""
    n = len(kinds)
    count = 0
    acc: list[str] = []

    def rec(i: int, k: int):
        nonlocal count
        while i < len(run) and run[i] == " ":
            i += 1
        if k == n:
            if not must_end or i == len(run):
                count += 1
                yield tuple(acc), i
            return
        if i >= len(run) or len(run) - i < n - k:
            return
        stop = run.find(" ", i)
        stop = len(run) if stop < 0 else stop
        last_kind = kinds[k]
        for j in range(i + 1, min(stop, i + max(last_kind.max_len, 3)) + 1):
            if count >= limit:
                return
            tok = run[i:j]
            if not last_kind.ok(tok, last=(k == n - 1)):
                continue
            acc.append(tok)
            yield from rec(j, k + 1)
            acc.pop()

    yield from rec(start, 0)


def enumerate_splits(run: str, kinds: Sequence[ColumnKind], limit: int = MAX_SOLUTIONS) -> list[tuple[str, ...]]:
    """Every way to cut `run` into len(kinds) well-formed tokens (at most `limit`)."""
    return [t for t, _ in splits_from(clean_run(run), 0, kinds, True, limit)]


@dataclass
class Decision:
    """Per cell: the token chosen (None when ambiguous), and all tokens seen among the best splits."""

    tokens: list[str | None]
    options: list[set[str]]
    n_solutions: int
    truncated: bool = False

    @property
    def ambiguous(self) -> bool:
        return any(t is None for t in self.tokens)


def decide(solutions: Sequence[tuple[str, ...]], n: int, truncated: bool = False) -> Decision:
    options: list[set[str]] = [set() for _ in range(n)]
    for s in solutions:
        for i, t in enumerate(s):
            options[i].add(t)
    tokens = [next(iter(o)) if len(o) == 1 and not truncated else None for o in options]
    if not solutions:
        tokens = [None] * n
    return Decision(tokens, options, len(solutions), truncated)

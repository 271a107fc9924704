"""The corpus-level rules (`checks/crossyear.py`) over a corpus that is not held in memory.

The corpus runner keeps only a `Digest` per file (the report without sections, cells and
findings, plus a MinHash signature of its narrative). The rules then run as follows, with the
same findings as `checks.run_corpus_checks` over all reports in memory:

* The cross-year rules compare a report with the same body's reports of the year before. The
  bodies are grouped on the digests (names only); for each body that has two consecutive
  years, its reports are loaded in full from the run's cache, the rules run over that group,
  and the group is dropped again. One body at a time is in memory.
* DUP-PEER compares the narratives of one year across bodies. Candidate pairs come from
  locality-sensitive hashing of the 256-value MinHash signatures (32-bit values), in 32 bands of 8 values: a
  pair at Jaccard J shares a band with probability 1 − (1 − J⁸)³², which is 1 − 4·10⁻⁵ at the
  0.85 threshold and 1 − 1.5·10⁻⁸ at 0.9, while pairs of merely similar reports (J = 0.4) become
  candidates with probability 0.02 — so the work does not grow with the square of a year's
  reports. A candidate whose signatures agree on fewer than `ESTIMATE_FLOOR` of their values
  is dropped (at J = 0.85 that is 6.7 standard deviations below the expected agreement), and
  every remaining pair gets its exact Jaccard from the narratives loaded from the cache. Pairs
  ≥ 0.85 then go through the same rule code as in memory (`crossyear.dup_peer_findings`).
  So a pair at exactly the threshold is missed with probability about 4·10⁻⁵, and a reported
  pair is always a true one.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np

from .checks.crossyear import DUP_THRESHOLD, dup_peer_findings, groups, jaccard, narrative_grams
from .checks.registry import CORPUS_RULES
from .model import Finding, Report
from .worker import MINHASH_N, Digest

BANDS, ROWS = 32, 8
ESTIMATE_FLOOR = 0.70
assert BANDS * ROWS == MINHASH_N


PAIR_BATCH = 100  # reports per call of the cross-year rules (several bodies, each compared apart; a
#                   batch is held in full in a worker, ~0.3 MB a report)


def pair_batches(digests: list[Digest]) -> list[list[list[int]]]:
    """The bodies with two consecutive years (lists of report indices), in batches of about
    `PAIR_BATCH` reports: the work of the cross-year rules."""
    slims = [d.report for d in digests]
    pos = {id(r): i for i, r in enumerate(slims)}
    batches, cur, n = [], [], 0
    g = groups(slims)
    for body in sorted(g):
        years = g[body]
        if not any(y - 1 in years for y in years):
            continue
        members = [pos[id(r)] for lst in years.values() for r in lst]
        cur.append(members)
        n += len(members)
        if n >= PAIR_BATCH:
            batches.append(cur)
            cur, n = [], 0
    if cur:
        batches.append(cur)
    return batches


def pair_findings(cache_dir: str | None, bodies: list[list[tuple[int, str, str, Report]]]) -> list[tuple[int, Finding]]:
    """The cross-year rules over each body of `bodies` — (index, cache key, report id, digest
    report) per report — with the reports loaded in full from the cache (a report missing
    there is compared on its digest alone). Runs in a pool worker or in the run's process."""
    from .worker import load_entry

    def loaded(i, key, rid, slim):
        rep = (load_entry(cache_dir, key) if cache_dir else None) or slim
        rep.report_id = rid
        return i, rep

    return compare_bodies([[loaded(*m) for m in members] for members in bodies])


def compare_bodies(bodies: list[list[tuple[int, Report]]]) -> list[tuple[int, Finding]]:
    """The corpus rules except DUP-PEER over each body's (index, report) pairs, one body at a
    time (the rules regroup what they are given, so bodies must not be mixed)."""
    rules = [r for rid, r in sorted(CORPUS_RULES.items()) if rid != "DUP-PEER"]
    out = []
    for members in bodies:
        back = {id(rep): i for i, rep in members}
        for rule in rules:
            for rep, f in rule.fn([rep for _, rep in members]):
                f.fill_fingerprint(rep.sha256)
                out.append((back[id(rep)], f))
    return out


def corpus_findings(digests: list[Digest], load: Callable[[int], Report | None],
                    pair_calls: Callable[[list[list[list[int]]]], Iterable[list[tuple[int, Finding]]]] | None = None,
                    sink: Callable[[list[tuple[int, Finding]]], None] | None = None) -> dict[int, list[Finding]]:
    """Findings of the corpus-level rules, by index of the report they are attached to.
    `load(i)`: the full report i (from the cache), or None when it is not there.
    `pair_calls(batches)`: runs `pair_findings` over the batches of `pair_batches` (the corpus
    runner shares them out over its workers); by default they run here, through `load`.
    `sink(findings)`: when given, receives the findings batch by batch (each report's findings
    all in one batch) and nothing is kept here — the runner spills them to disk."""
    slims = [d.report for d in digests]
    pos = {id(r): i for i, r in enumerate(slims)}
    found: dict[int, dict[str, Finding]] = defaultdict(dict)

    def add(i: int, f: Finding) -> None:
        found[i].setdefault(f.fingerprint, f)  # one finding per defect, even if a rule yields it twice

    def flush() -> None:
        if sink is not None and found:
            sink([(i, f) for i in sorted(found) for f in found[i].values()])
            found.clear()

    batches = pair_batches(digests)
    if pair_calls is None:
        def pair_calls(batches):
            for batch in batches:
                yield compare_bodies([[(i, load(i) or slims[i]) for i in members] for members in batch])
    for res in pair_calls(batches):
        for i, f in res:
            add(i, f)
        flush()  # a body's reports are all in one batch: nothing of this batch comes later

    if "DUP-PEER" in CORPUS_RULES:
        n_grams = {id(d.report): d.n_grams for d in digests}
        sigs = {id(d.report): d.signature for d in digests}

        @lru_cache(maxsize=64)
        def grams(i: int) -> frozenset[str]:
            rep = load(i)
            return narrative_grams(rep) if rep is not None else frozenset()

        def similar(docs: dict[str, tuple[str, Report]]):
            grams.cache_clear()  # one year's narratives at a time
            return similar_pairs_minhash(
                {k: np.frombuffer(sigs[id(r)], dtype="<u4") for k, (_, r) in docs.items()},
                lambda k: grams(pos[id(docs[k][1])]), DUP_THRESHOLD)

        for rep, f in dup_peer_findings(slims, lambda r: n_grams[id(r)] if sigs[id(r)] else 0, similar):
            f.fill_fingerprint(rep.sha256)
            add(pos[id(rep)], f)
        grams.cache_clear()
        flush()
    return {i: sorted(fs.values(), key=lambda f: (f.rule_id, f.fingerprint)) for i, fs in found.items()}


def similar_pairs_minhash(sigs: dict[str, np.ndarray], grams: Callable[[str], frozenset[str]],
                          threshold: float) -> list[tuple[str, str, float]]:
    """Pairs of ids (a < b) whose exact gram Jaccard is ≥ threshold, among the LSH candidates
    of their MinHash signatures (see the module docstring)."""
    keys = sorted(sigs)
    cands: set[tuple[str, str]] = set()
    for b in range(BANDS):
        buckets: dict[bytes, list[str]] = defaultdict(list)
        for k in keys:
            buckets[sigs[k][b * ROWS:(b + 1) * ROWS].tobytes()].append(k)
        for members in buckets.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    cands.add((members[x], members[y]))
    out = []
    for a, b in sorted(cands):
        if float(np.mean(sigs[a] == sigs[b])) < ESTIMATE_FLOOR:
            continue
        j = jaccard(grams(a), grams(b))
        if j >= threshold:
            out.append((a, b, j))
    return out

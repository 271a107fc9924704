"""Small geometry helpers shared by the PDF and OCR readers."""
from __future__ import annotations


def cluster(values: list[float], tol: float) -> list[float]:
    """Sorted values -> cluster centres (a value within `tol` of the previous one joins its cluster)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]

"""Scanned pages through offline OCR: page images -> paragraphs and grids.

The engine
----------
RapidOCR 3 (`rapidocr`: PaddleOCR's PP-OCRv6 detection and recognition models, shipped
inside the wheel, run by onnxruntime); RapidOCR 1.4 (`rapidocr_onnxruntime`, PP-OCRv4
models in its wheel) is used when only that is installed. Nothing is fetched at run
time. It is the optional `ocr` extra (`pip install 'extractor[ocr]'`); without it
`read_image` (and the PDF reader, for scanned pages) raises `ReadError` saying so. The
engine is loaded once per process (`engine()` is cached). Every box is kept whatever
its recognition score (the engine's own cut-off is switched off): a box dropped
silently would turn a printed number into a confident blank.

One page (`ocr_page_blocks`)
----------------------------
1. Grey levels and a dark/light threshold (Otsu; the middle of the range for a black
   and white scan). The skew is the angle whose shear makes the horizontal projection
   of the dark pixels sharpest (ruling lines and text lines both count), searched over
   ±5° and refined to 0.01°; the page is turned back by it (`deskew`) before OCR.
2. OCR: text boxes with their text and score.
3. Ruling lines (`find_tables`), on the page with the cores of the text boxes blanked:
   runs of dark pixels gathered into thin, solid line pieces (strokes of text touching
   a line are left out; pieces of a broken line joined), vertical candidates with ink
   close beside them dropped (the stroke of a glyph at the edge of its box), and only
   lines that run from one line the other way to another kept. Touching horizontal and
   vertical lines form a table; its row and column boundaries are the distinct line
   positions. Two neighbouring elementary cells are one printed cell when less than
   60% of the boundary between them is ruled: merged cells become row/column spans.
4. Cells: the boxes go to the cell holding their centre; a box running over a column
   ruling of its row is read again, one crop per cell. A cell's text is its boxes in
   reading order (lines joined with "\n"), a speck read as a dot or quote around a
   number dropped ("0." -> "0"); its `confidence` is the lowest score of its boxes, 1.0
   for an empty cell. What the recogniser does poorly is settled by the ink itself: a
   lone bar or slash (the placeholders "—", "-", "/") is told by its shape
   (confidence 0.95 when the recogniser agrees or is unsure); ink the detector did not
   see is read from the cell's crop but never trusted (confidence at most 0.5), and ink
   that reads as nothing gives "" with confidence 0.0 — never a confident blank.
   Disagreements are kept at confidence 0.5 or less, so `align` marks them uncertain.
5. Boxes outside tables become text lines (boxes on one baseline, left to right) and
   the lines paragraphs: a new paragraph starts at an indented or centred line, after
   a line ending three characters short of the margin, after a wide gap or at a change
   of type size. CJK text is joined without spaces.

Every block carries `Where(page=page_no, bbox=(x0, top, x1, bottom))` in PDF points
(the image's pixels scaled to `page_size`); grid cells add `row`/`col`. Positions are
those of the deskewed page.

Images (`read_image`)
---------------------
PNG, JPEG (EXIF orientation applied) and TIFF, every frame of a multi-page TIFF as a
page. The page size comes from the image's dpi (A4 width assumed without one). A table
that ends one page and goes on at the top of the next is joined into one grid
(`merge_continued_grids`: same outer edges, not a new T3/T4 header; a repeated header
dropped; columns matched by x). `Document.meta`: "pages", "ocr_engine",
"ocr_seconds", "skew_degrees" (per page, comma-separated).

Limits: pages turned by 90° or 180° are not detected (only skew up to ±5° is
corrected); one text column is assumed; tables need ruling lines (a borderless table
comes out as paragraphs, one per printed line).
"""
from __future__ import annotations

import io
import re
import time
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise

from ..model import Document, Grid, GridCell, Paragraph, Where
from .geometry import cluster as _cluster
from .text import ReadError

INSTALL_HINT = "pip install 'extractor[ocr]'"
MAX_PIXELS = 80_000_000  # one page; a larger image is refused (decompression bombs)
MAX_PAGES = 200
MAX_SIDE = 2400  # pixels: larger pages are scaled down first (~200 dpi for A4)
ASSUMED_PAGE_WIDTH_PT = 595.0  # A4, for images that carry no dpi


# --------------------------------------------------------------------------- the engine

class Engine:
    """The OCR engine behind one interface: RapidOCR 3 (`rapidocr`, PP-OCRv6 models in the
    wheel) when installed, else RapidOCR 1.4 (`rapidocr_onnxruntime`, PP-OCRv4 models in the
    wheel). Both run on onnxruntime, offline."""

    def __init__(self):
        import logging

        try:
            from rapidocr import RapidOCR

            self.kind = "rapidocr"
            self._ocr = RapidOCR(params={"Global.use_cls": False, "Global.text_score": 0.0,
                                         "Global.log_level": "critical"})
            logging.getLogger("RapidOCR").setLevel(logging.CRITICAL)
        except ImportError:
            from rapidocr_onnxruntime import RapidOCR

            self.kind = "rapidocr_onnxruntime"
            self._ocr = RapidOCR(text_score=0.0, use_cls=False, print_verbose=False)

    @property
    def version(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"{self.kind} {version(self.kind)}"
        except PackageNotFoundError:
            return self.kind

    def detect_read(self, rgb) -> list[tuple[object, str, float]]:
        """(4 corner points, text, score) of every text box found on a page."""
        if self.kind == "rapidocr":
            # every switch named on each call: RapidOCR 3 keeps the last call's settings
            out = self._ocr(rgb, use_det=True, use_cls=False, use_rec=True, text_score=0.0)
            if out.boxes is None or out.txts is None:
                return []
            return list(zip(out.boxes, out.txts, out.scores))
        res, _ = self._ocr(rgb, use_det=True, use_cls=False, use_rec=True)
        return [(pts, text, score) for pts, text, score in res or []]

    def read(self, rgb) -> tuple[str, float]:
        """Recognition only, on a crop that holds one line of text."""
        if self.kind == "rapidocr":
            out = self._ocr(rgb, use_det=False, use_cls=False, use_rec=True, text_score=0.0)
            if not out.txts:
                return "", 0.0
            return str(out.txts[0]), float(out.scores[0])
        res, _ = self._ocr(rgb, use_det=False, use_cls=False, use_rec=True)
        if not res:
            return "", 0.0
        return str(res[0][0]), float(res[0][1])


@lru_cache(maxsize=1)
def engine() -> Engine:
    """The OCR engine, loaded once per process (its models ship in the package)."""
    try:
        return Engine()
    except ImportError as e:
        raise ReadError(f"the OCR engine is not installed ({e}): {INSTALL_HINT}") from None
    except Exception as e:  # noqa: BLE001 - a broken install (onnxruntime missing, a damaged model)
        raise ReadError(f"the OCR engine cannot be loaded ({type(e).__name__}: {e}): {INSTALL_HINT}") from None


def engine_available() -> bool:
    try:
        engine()
    except ReadError:
        return False
    return True


def engine_version() -> str:
    return engine().version


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def w(self) -> float:
        return self.x1 - self.x0


# OCR look-alikes put right: the enumeration comma read as 丶, a full stop as a degree sign
_FIX = str.maketrans({"丶": "、"})


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFC", text).translate(_FIX).strip()
    if t.endswith("°") and len(t) > 1 and "\u4e00" <= t[-2] <= "\u9fff":
        t = t[:-1] + "。"
    return t


def _ocr(gray) -> list[Box]:
    import numpy as np

    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    boxes = []
    for pts, text, score in engine().detect_read(rgb):
        pts = np.asarray(pts, dtype=float)
        t = _clean(str(text))
        if not t:
            continue
        boxes.append(Box(float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()),
                         float(pts[:, 1].max()), t, float(score)))
    return boxes


def _recognise(gray, x0: int, y0: int, x1: int, y1: int) -> tuple[str, float]:
    """Recognition only, on a crop (white margin added): (text, score)."""
    import numpy as np

    crop = gray[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if crop.size == 0 or crop.shape[0] < 4 or crop.shape[1] < 4:
        return "", 0.0
    pad = max(4, crop.shape[0] // 4)
    crop = np.pad(crop, pad, constant_values=255)
    rgb = np.repeat(crop[:, :, None], 3, axis=2)
    text, score = engine().read(rgb)
    return _clean(text), score


# --------------------------------------------------------------------------- pixels

def _gray(image):
    import numpy as np
    from PIL import Image

    img = image
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img)
    return np.asarray(img.convert("L"), dtype=np.uint8)


def _threshold(gray) -> int:
    """Otsu's threshold, kept between 90 and 200."""
    import numpy as np

    hist = np.bincount(gray.ravel(), minlength=256).astype(float)
    total = hist.sum()
    if total == 0:
        return 128
    w = np.cumsum(hist)
    mu = np.cumsum(hist * np.arange(256))
    mu_t = mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu_t * w / total - mu) ** 2 / (w * (total - w))
    between = np.nan_to_num(between)
    best = np.flatnonzero(between >= between.max() * (1 - 1e-9))
    t = int((best[0] + best[-1]) // 2)  # the middle of a plateau (a black-and-white scan)
    return min(200, max(90, t))


def _pool(dark, f: int):
    """Boolean max-pooling by f×f blocks."""
    h, w = dark.shape
    h2, w2 = h // f, w // f
    return dark[: h2 * f, : w2 * f].reshape(h2, f, w2, f).any(axis=(1, 3))


def estimate_skew(dark, max_angle: float = 5.0) -> float:
    """The page's skew in degrees (positive: lines descend to the right), from the sharpness
    of the horizontal projection of the dark pixels under a shear."""
    import numpy as np

    f = max(1, dark.shape[1] // 800)
    small = _pool(dark, f) if f > 1 else dark
    ys, xs = np.nonzero(small)
    if len(ys) < 50:
        return 0.0
    if len(ys) > 400_000:
        keep = np.random.default_rng(0).choice(len(ys), 400_000, replace=False)
        ys, xs = ys[keep], xs[keep]
    xs = xs.astype(np.float64) - small.shape[1] / 2
    ys = ys.astype(np.float64)

    def score(deg: float) -> float:
        off = np.round(ys - xs * np.tan(np.radians(deg))).astype(np.int64)
        off -= off.min()
        c = np.bincount(off).astype(np.float64)
        return float((c * c).sum())

    best = max(np.arange(-max_angle, max_angle + 1e-9, 0.25), key=score)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=score)
    best = max(np.arange(best - 0.05, best + 0.05 + 1e-9, 0.01), key=score)
    return float(round(best, 2))


def deskew(gray, dark=None) -> tuple[object, float]:
    """(grey image turned straight, the angle found in degrees)."""
    import numpy as np
    from PIL import Image

    if dark is None:
        dark = gray < _threshold(gray)
    angle = estimate_skew(dark)
    if abs(angle) < 0.05:
        return gray, 0.0
    img = Image.fromarray(gray, "L").rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    return np.asarray(img, dtype=np.uint8), angle


def _runs(a, min_len: int):
    """(row, start, end) of the runs of True along axis 1 at least `min_len` long."""
    import numpy as np

    pad = np.zeros((a.shape[0], 1), dtype=np.int8)
    d = np.diff(np.concatenate([pad, a.astype(np.int8), pad], axis=1), axis=1)
    sr, sc = np.nonzero(d == 1)
    _, ec = np.nonzero(d == -1)  # the same rows, in the same order
    keep = (ec - sc) >= min_len
    return sr[keep], sc[keep], ec[keep]


@dataclass
class Seg:
    pos: float  # y of a horizontal line, x of a vertical one
    a: float  # start along the line
    b: float  # end along the line


def _segments(dark, min_len: int, gap: int, join: int, max_thick: int) -> list[Seg]:
    """Ruling-line candidates along the rows of `dark` (pass the transpose for columns).

    Runs of dark pixels (gaps up to `gap` bridged) at least a third of `min_len` long are
    joined into connected pieces (runs in neighbouring rows that overlap); of a piece only
    the band of `max_thick` rows with the most ink counts (strokes of text touching a ruling
    are left out), and it is a candidate when that band is solid (its runs cover at least
    85% of its length: text strokes chained along a line of characters rarely are); pieces
    of one broken line, nearly on the same row and up to `join` apart, are joined; what is at
    least `min_len` long in the end is returned."""
    import numpy as np

    a = dark.copy()
    for k in range(1, gap + 1):  # bridge small gaps along the row (a run then starts `gap` early)
        a[:, :-k] |= dark[:, k:]
    rows, starts, ends = _runs(a, max(4, min_len // 3) + gap)
    starts = starts + gap
    n = len(rows)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # runs are ordered by row, then start (np.nonzero order): link each run to the runs of the
    # row above that overlap it (diagonal contact counts)
    by_row: dict[int, list[int]] = {}
    for i in range(n):
        by_row.setdefault(int(rows[i]), []).append(i)
    for r, idx in by_row.items():
        above = by_row.get(r - 1)
        if not above:
            continue
        j = 0
        for i in idx:
            s_i, e_i = starts[i], ends[i]
            while j < len(above) and ends[above[j]] < s_i - 1:
                j += 1
            k = j
            while k < len(above) and starts[above[k]] <= e_i:
                ri, rk = find(i), find(above[k])
                if ri != rk:
                    parent[ri] = rk
                k += 1
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(i)
    pieces: list[Seg] = []
    for idx in comps.values():
        idx = np.asarray(idx)
        rr, ss, ee = rows[idx], starts[idx], ends[idx]
        lengths = (ee - ss).astype(float)
        # the line is the band of rows with the most ink; strokes of text that touch it are
        # left out
        r0 = int(rr.min())
        per_row = np.bincount(rr - r0, weights=lengths)
        window = np.convolve(per_row, np.ones(max_thick), mode="same")
        centre = r0 + int(np.argmax(window))
        sel = np.abs(rr - centre) <= max_thick // 2
        rr, ss, ee, lengths = rr[sel], ss[sel], ee[sel], lengths[sel]
        lo, hi = int(ss.min()), int(ee.max())
        cover = np.zeros(hi - lo, dtype=bool)
        for s_, e_ in zip(ss, ee):
            cover[s_ - lo:e_ - lo] = True
        if cover.mean() < 0.85:
            continue
        pieces.append(Seg(float((rr * lengths).sum() / lengths.sum()), lo, hi))
    # pieces of one broken line: nearly the same position, small gaps between them; the line
    # must still be solid (stacked glyph strokes joined this way are not)
    merged: list[list] = []  # [seg, inked length]
    for q in sorted(pieces, key=lambda q: q.a):
        for m in merged:
            seg = m[0]
            if abs(seg.pos - q.pos) <= 2.5 and q.a <= seg.b + join and q.b >= seg.a - join:
                seg.pos = (seg.pos * m[1] + q.pos * (q.b - q.a)) / max(1.0, m[1] + (q.b - q.a))
                m[1] += max(0.0, min(q.b, seg.b) - max(q.a, seg.a)) * -1 + (q.b - q.a)
                seg.a, seg.b = min(seg.a, q.a), max(seg.b, q.b)
                break
        else:
            merged.append([Seg(q.pos, q.a, q.b), float(q.b - q.a)])
    return [seg for seg, inked in merged if seg.b - seg.a >= min_len and inked >= 0.85 * (seg.b - seg.a)]


@dataclass
class Table:
    xs: list[float]
    ys: list[float]
    # elementary (r, c) -> cell id; cells: id -> (r0, c0, r1, c1) inclusive-exclusive
    cells: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    owner: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def locate(self, x: float, y: float) -> int | None:
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        c = min(len(self.xs) - 2, max(0, bisect_right(self.xs, x) - 1))
        r = min(len(self.ys) - 2, max(0, bisect_right(self.ys, y) - 1))
        return self.owner[(r, c)]

    def rect(self, cid: int) -> tuple[float, float, float, float]:
        r0, c0, r1, c1 = self.cells[cid]
        return self.xs[c0], self.ys[r0], self.xs[c1], self.ys[r1]


def _coverage(mask, pos: int, a: int, b: int, band: int, vertical: bool) -> float:
    """Share of the boundary [a, b) at `pos` (±band) that is inked."""
    if b <= a:
        return 0.0
    if vertical:
        strip = mask[a:b, max(0, pos - band):pos + band + 1]
        return float(strip.any(axis=1).mean()) if strip.size else 0.0
    strip = mask[max(0, pos - band):pos + band + 1, a:b]
    return float(strip.any(axis=0).mean()) if strip.size else 0.0


def _ruled(seg: Seg, others: list[Seg], tol: float) -> Seg | None:
    """`seg` cut to the span between the first and the last perpendicular line of `others` it
    meets or crosses; None when it meets fewer than two (a ruling runs from line to line)."""
    met = [o.pos for o in others if seg.a - tol <= o.pos <= seg.b + tol and o.a - tol <= seg.pos <= o.b + tol]
    if len(met) < 2 or max(met) - min(met) < 2 * tol:
        return None
    return Seg(seg.pos, max(seg.a, min(met)), min(seg.b, max(met)))


def _without_text(dark, boxes: list[Box]):
    """`dark` with the cores of the text boxes blanked (the strokes of dense text chain into
    line-like runs; the box edges are kept, so rulings just outside a box stay whole)."""
    out = dark.copy()
    for b in boxes:
        m = 0.2 * min(b.h, b.w)
        x0, x1 = int(b.x0 + m), int(b.x1 - m)
        y0, y1 = int(b.y0 + m), int(b.y1 - m)
        if x1 > x0 and y1 > y0:
            out[max(0, y0):y1, max(0, x0):x1] = False
    return out


def _alone(dark_t, seg: Seg, near: int, far: int) -> bool:
    """A vertical candidate (`dark_t` is the transposed page) with little ink beside it: a
    ruling has white on both sides but where rulings cross it (text keeps its padding away),
    a stroke of a glyph at the edge of its text box has the rest of the glyph next to it.
    Lines running alongside (a double border) do not count as ink beside it."""
    p, a, b = int(round(seg.pos)), int(seg.a), int(seg.b)
    if b - a < 4:
        return False
    for lo, hi in ((p - far, p - near), (p + near + 1, p + far + 1)):
        band = dark_t[max(0, lo):max(0, hi), a:b]
        if band.size == 0:
            continue
        band = band[band.mean(axis=1) <= 0.8]  # a parallel line is not ink beside it
        if band.size and band.any(axis=0).mean() > 0.4:
            return False
    return True


def find_tables(dark, dpi: float, boxes: list[Box] = ()) -> list[Table]:
    """Tables drawn with ruling lines, as grids of row/column boundaries and merged cells.

    Candidate lines are long, thin, solid runs of dark pixels outside the cores of the OCR
    text boxes; a candidate is a ruling only when it runs from one ruling the other way to
    another (cut to that span), which leaves out text strokes, underlines and rules outside
    tables. Neighbouring cells are told apart on the full image (`dark`)."""
    min_len = max(10, int(round(0.12 * dpi)))
    gap = max(1, int(round(dpi / 75)))
    join = max(4, int(round(dpi / 12)))
    tol = max(3, int(round(dpi / 50)))
    thick = max(4, int(round(dpi / 20)))
    lines = _without_text(dark, list(boxes)) if boxes else dark
    hs = _segments(lines, min_len, gap, join, thick)
    vs = _segments(lines.T, min_len, gap, join, thick)
    near = max(2, int(round(dpi / 50)))
    vs = [v for v in vs if _alone(dark.T, v, near, near + max(3, int(round(dpi / 40))))]
    for _ in range(6):  # keep the lines that run between kept lines, until nothing changes
        vs2 = [r for r in (_ruled(v, hs, tol) for v in vs) if r is not None]
        hs2 = [r for r in (_ruled(h, vs2, tol) for h in hs) if r is not None]
        stable = [(v.a, v.b) for v in vs2] == [(v.a, v.b) for v in vs] and \
            [(h.a, h.b) for h in hs2] == [(h.a, h.b) for h in hs]
        hs, vs = hs2, vs2
        if stable:
            break

    def touch(h: Seg, v: Seg) -> bool:
        return h.a - tol <= v.pos <= h.b + tol and v.a - tol <= h.pos <= v.b + tol

    # connected components of touching horizontal and vertical lines
    n_h = len(hs)
    parent = list(range(n_h + len(vs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if touch(h, v):
                parent[find(i)] = find(n_h + j)
    groups: dict[int, tuple[list[Seg], list[Seg]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(n_h + j), ([], []))[1].append(v)
    tables = []
    for gh, gv in groups.values():
        if len(gh) < 2 or len(gv) < 2:
            continue
        ys = _cluster([h.pos for h in gh], tol)
        xs = _cluster([v.pos for v in gv], tol)
        if len(ys) < 2 or len(xs) < 2 or xs[-1] - xs[0] < 4 * min_len:
            continue
        tables.append(_build_table(gh, gv, xs, ys, tol))
    tables.sort(key=lambda t: t.ys[0])
    return tables


def _covered(segs: list[Seg], pos: float, a: float, b: float, tol: float) -> float:
    """Share of [a, b] along a boundary at `pos` that ruling segments cover."""
    if b <= a:
        return 0.0
    spans = sorted((max(a, s.a), min(b, s.b)) for s in segs if abs(s.pos - pos) <= tol and s.b > a and s.a < b)
    total, end = 0.0, a
    for x, y in spans:
        if y > end:
            total += y - max(x, end)
            end = y
    return total / (b - a)


def _build_table(hs: list[Seg], vs: list[Seg], xs: list[float], ys: list[float], tol: int) -> Table:
    """Row/column boundaries -> cells: two neighbouring elementary cells are one printed cell
    when less than 60% of the boundary between them is ruled."""
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(nr) for c in range(nc)}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for r in range(nr):
        for c in range(nc - 1):  # vertical boundary between (r, c) and (r, c+1)
            if _covered(vs, xs[c + 1], ys[r], ys[r + 1], tol + 1) < 0.6:
                parent[find((r, c))] = find((r, c + 1))
    for r in range(nr - 1):
        for c in range(nc):  # horizontal boundary between (r, c) and (r+1, c)
            if _covered(hs, ys[r + 1], xs[c], xs[c + 1], tol + 1) < 0.6:
                parent[find((r, c))] = find((r + 1, c))
    rects: dict[tuple[int, int], list[int]] = {}
    for k in parent:
        root = find(k)
        r, c = k
        if root not in rects:
            rects[root] = [r, c, r + 1, c + 1]
        else:
            q = rects[root]
            q[0], q[1], q[2], q[3] = min(q[0], r), min(q[1], c), max(q[2], r + 1), max(q[3], c + 1)
    # a group that is not a rectangle (a ruling misread) falls back to its elementary cells
    members: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for k in parent:
        members.setdefault(find(k), []).append(k)
    boxes: list[tuple[int, int, int, int]] = []
    for root, q in rects.items():
        if (q[2] - q[0]) * (q[3] - q[1]) == len(members[root]):
            boxes.append(tuple(q))
        else:
            boxes += [(r, c, r + 1, c + 1) for r, c in members[root]]
    t = Table(xs, ys)
    for cid, (r0, c0, r1, c1) in enumerate(sorted(boxes)):
        t.cells[cid] = (r0, c0, r1, c1)
        for r in range(r0, r1):
            for c in range(c0, c1):
                t.owner[(r, c)] = cid
    return t


@dataclass
class Blob:
    """A connected piece of ink inside a cell (page pixel coordinates)."""
    x0: int
    y0: int
    x1: int
    y1: int
    ys: object  # pixel rows
    xs: object  # pixel columns

    @property
    def area(self) -> int:
        return len(self.ys)


def _blobs(dark, x0: int, y0: int, x1: int, y1: int, min_area: int) -> list[Blob]:
    """The connected pieces of ink (8-connected) in a rectangle, specks smaller than
    `min_area` pixels left out."""
    import cv2
    import numpy as np

    x0, y0 = max(0, x0), max(0, y0)
    a = dark[y0:max(y0, y1), x0:max(x0, x1)]
    if a.size == 0 or not a.any():
        return []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(a.astype(np.uint8), connectivity=8)
    out = []
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_AREA] < min_area:
            continue
        ys, xs = np.nonzero(labels == k)
        out.append(Blob(x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1,
                        ys + y0, xs + x0))
    return out


def _symbol(blob: Blob, text_h: float) -> str | None:
    """A placeholder printed alone in a cell, told by its shape: a bar ("—" as long as a
    character is wide, "-" shorter) or a slash ("/"). None for anything else (digits, text)."""
    import numpy as np

    w, h = blob.x1 - blob.x0, blob.y1 - blob.y0
    if blob.area < 4:
        return None
    ys = blob.ys.astype(float)
    xs = blob.xs.astype(float)
    cov = np.cov(np.vstack([xs - xs.mean(), ys - ys.mean()])) if blob.area > 2 else None
    if cov is None or not np.all(np.isfinite(cov)):
        return None
    evals, evecs = np.linalg.eigh(cov)
    minor, major = max(evals[0], 1e-6), evals[1]
    elong = (major / minor) ** 0.5  # length / thickness
    vx, vy = evecs[0, 1], evecs[1, 1]
    angle = abs(np.degrees(np.arctan2(-vy, vx)))  # 0 = horizontal; image y grows downwards
    angle = min(angle, 180 - angle)
    slope_up = (vx * -vy) > 0  # the stroke rises to the right
    if elong >= 6 and angle <= 8 and h <= 0.3 * text_h:
        return "—" if w >= 0.55 * text_h else "-"
    if elong >= 4 and 50 <= angle <= 80 and slope_up and 0.45 * text_h <= h <= 1.3 * text_h:
        return "/"
    return None


# --------------------------------------------------------------------------- text lines

def _lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into text lines (overlapping vertically), each left to right, lines top down."""
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        for ln in lines:
            top = sum(x.y0 for x in ln) / len(ln)
            bot = sum(x.y1 for x in ln) / len(ln)
            overlap = min(bot, b.y1) - max(top, b.y0)
            if overlap > 0.5 * min(bot - top, b.h) and not any(x.x0 < b.x1 and b.x0 < x.x1 for x in ln):
                ln.append(b)
                break
        else:
            lines.append([b])
    for ln in lines:
        ln.sort(key=lambda b: b.x0)
    lines.sort(key=lambda ln: min(b.y0 for b in ln))
    return lines


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        if out and p and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out


def _line_text(ln: list[Box]) -> str:
    return _join([b.text for b in ln])


# --------------------------------------------------------------------------- one page

@dataclass
class PageScale:
    sx: float
    sy: float

    def bbox(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (round(x0 * self.sx, 2), round(y0 * self.sy, 2), round(x1 * self.sx, 2), round(y1 * self.sy, 2))


def ocr_page_blocks(image, page_no: int, page_size: tuple[float, float]) -> list:
    """One page image -> `Paragraph` and `Grid` blocks in reading order (top down), with
    `Where(page=page_no, bbox=…)` in points of a page of `page_size` (width, height)."""
    blocks, _ = _page(image, page_no, page_size)
    return blocks


def _page(image, page_no: int, page_size: tuple[float, float]) -> tuple[list, dict]:
    engine()  # fail early, with the install hint, when the engine is missing
    t0 = time.perf_counter()
    w, h = image.size
    if h * w > MAX_PIXELS:
        raise ReadError(f"page {page_no}: image of {w}×{h} pixels is too large to OCR")
    if max(w, h) > MAX_SIDE:  # the engine reads at most ~2000 pixels a side anyway
        from PIL import Image

        k = MAX_SIDE / max(w, h)
        image = image.convert("L").resize((max(1, round(w * k)), max(1, round(h * k))), Image.LANCZOS)
    gray = _gray(image)
    h, w = gray.shape
    scale = PageScale(page_size[0] / w, page_size[1] / h)
    dpi = 72.0 * w / page_size[0] if page_size[0] else 150.0
    gray, angle = deskew(gray, gray < _threshold(gray))
    thr = _threshold(gray)
    dark = gray < thr
    boxes = _ocr(gray)
    tables = find_tables(dark, dpi, boxes)

    placed: list[tuple[float, object]] = []
    free: list[Box] = []
    per_table: list[dict[int, list[Box]]] = [{} for _ in tables]
    for b in boxes:
        for ti, t in enumerate(tables):
            if t.locate(b.cx, b.cy) is not None:
                _assign(gray, t, b, per_table[ti])
                break
        else:
            free.append(b)
    heights = sorted(b.h for b in boxes)
    text_h = heights[len(heights) // 2] if heights else dpi * 10.5 / 72 * 1.2
    for ti, t in enumerate(tables):
        placed.append((t.ys[0], _grid(gray, dark, t, per_table[ti], page_no, scale, dpi, text_h)))
    for para in _paragraphs(free, page_no, scale):
        placed.append((para.where.bbox[1] / scale.sy, para))
    placed.sort(key=lambda p: p[0])
    info = {"skew_degrees": angle, "ocr_seconds": time.perf_counter() - t0, "boxes": len(boxes),
            "tables": len(tables)}
    return [b for _, b in placed], info


def _assign(gray, t: Table, b: Box, into: dict[int, list[Box]]) -> None:
    """Put box `b` into the cell of `t` holding its centre; a box running over a column ruling
    (a boundary between two different cells in its row) is read again, one crop per cell."""
    cid = t.locate(b.cx, b.cy)
    r = min(len(t.ys) - 2, max(0, bisect_right(t.ys, b.cy) - 1))
    covered = []
    for k in range(1, len(t.xs) - 1):
        x = t.xs[k]
        if b.x0 + 0.15 * b.w < x < b.x1 - 0.15 * b.w and t.owner[(r, k - 1)] != t.owner[(r, k)]:
            covered.append(x)
    if not covered:
        into.setdefault(cid, []).append(b)
        return
    edges = [b.x0] + covered + [b.x1]
    for xa, xb in pairwise(edges):
        c = t.locate((xa + xb) / 2, b.cy)
        if c is None:
            continue
        text, score = _recognise(gray, int(xa) + 2, int(b.y0), int(xb) - 2, int(b.y1))
        if text:
            into.setdefault(c, []).append(Box(xa, b.y0, xb, b.y1, text, min(score, b.score)))


_STRAY = ".,·'`‘’:;。，"


def _tidy_number(text: str) -> str:
    """A number with a speck read as a dot or a quote before or after it ("0." -> "0");
    other text unchanged."""
    core = text.strip(_STRAY)
    if core != text and core and all(ch.isdigit() or ch in ".," for ch in core) and core[0].isdigit() \
            and core[-1].isdigit():
        return core
    return text


# what the recogniser makes of a lone placeholder symbol
LOOKALIKES = {"—": {"—", "一", "-", "－", "_", "~", "–", "―", "=", "二"},
              "-": {"-", "－", "—", "一", "_", "~", "–", "."},
              "/": {"/", "1", "I", "l", "|", "！", "!", "i", "L", "7", "J", "／", "丿", "f"}}
SHAPE_CONFIDENCE = 0.95  # a lone bar or slash told by its geometry
UNSURE = 0.5  # the highest confidence given to a reading the detector did not back


def _grid(gray, dark, t: Table, cell_boxes: dict[int, list[Box]], page_no: int, scale: PageScale,
          dpi: float, text_h: float) -> Grid:
    """The table's cells with their text and confidence (see the module docstring, step 3)."""
    from ..align import OCR_CONFIDENCE

    cells = []
    inset = max(2, int(round(dpi / 40)))
    min_area = max(5, int(round((dpi / 150) ** 2 * 8)))
    for cid, (r0, c0, r1, c1) in sorted(t.cells.items(), key=lambda kv: (kv[1][0], kv[1][1])):
        x0, y0, x1, y1 = t.rect(cid)
        bx = cell_boxes.get(cid, [])
        text, conf = "", 1.0
        if bx:
            text = _tidy_number("\n".join(_line_text(ln) for ln in _lines(bx)))
            conf = min(b.score for b in bx)
        blobs = _blobs(dark, int(x0) + inset, int(y0) + inset, int(x1) - inset, int(y1) - inset, min_area)
        sym = _symbol(blobs[0], text_h) if len(blobs) == 1 else None
        if sym is not None:
            if not bx or conf < OCR_CONFIDENCE or text in LOOKALIKES[sym]:
                text, conf = sym, max(SHAPE_CONFIDENCE, conf if text == sym else 0.0)
            elif len(text) <= 2 and not any(ch.isdigit() for ch in text):
                text, conf = sym, UNSURE  # no number either way: the shape, flagged
            else:  # the recogniser is sure of a number: keep it, flagged
                conf = min(conf, UNSURE)
        elif not bx and blobs:  # ink the detector did not see: read the crop, never trust it
            bx0 = min(b.x0 for b in blobs)
            by0 = min(b.y0 for b in blobs)
            bx1 = max(b.x1 for b in blobs)
            by1 = max(b.y1 for b in blobs)
            text, score = _recognise(gray, bx0 - 2, by0 - 2, bx1 + 2, by1 + 2)
            text = _tidy_number(text)
            conf = min(score, UNSURE) if text else 0.0
        cells.append(GridCell(r0, c0, text, rowspan=r1 - r0, colspan=c1 - c0,
                              where=Where(page=page_no, row=r0, col=c0, bbox=scale.bbox(x0, y0, x1, y1)),
                              confidence=round(conf, 4)))
    return Grid(tuple(cells), Where(page=page_no, bbox=scale.bbox(*t.bbox)), ragged=False)


def _paragraphs(boxes: list[Box], page_no: int, scale: PageScale) -> list[Paragraph]:
    lines = _lines(boxes)
    if not lines:
        return []
    heights = sorted(sum(b.h for b in ln) / len(ln) for ln in lines)
    body_h = heights[len(heights) // 2]
    left = min(ln[0].x0 for ln in lines)
    right = max(ln[-1].x1 for ln in lines)
    char = body_h * 0.9
    paras: list[list[list[Box]]] = []
    prev = None
    for ln in lines:
        lh = sum(b.h for b in ln) / len(ln)
        x0 = ln[0].x0
        top = min(b.y0 for b in ln)
        new = prev is None
        if prev is not None:
            p_h = sum(b.h for b in prev) / len(prev)
            p_bottom = max(b.y1 for b in prev)
            p_x1 = prev[-1].x1
            if (x0 > left + 1.2 * char or p_x1 < right - 3 * char or top - p_bottom > 1.2 * max(lh, p_h)
                    or max(lh, p_h) > 1.3 * min(lh, p_h)):
                new = True
        if new:
            paras.append([ln])
        else:
            paras[-1].append(ln)
        prev = ln
    out = []
    for p in paras:
        text = _join([_line_text(ln) for ln in p])
        bx = [b for ln in p for b in ln]
        bbox = scale.bbox(min(b.x0 for b in bx), min(b.y0 for b in bx), max(b.x1 for b in bx),
                          max(b.y1 for b in bx))
        out.append(Paragraph(text, Where(page=page_no, bbox=bbox)))
    return out


# --------------------------------------------------------------------------- tables over page breaks

_PAGE_NUMBER = re.compile(r"^[\s\-—–－第页共/\d]{1,12}$")
# the first row of a T3 or T4 header: a table that starts with it is a new table
_NEW_TABLE = ("申请人情况", "行政复议")


def _columns(grid: Grid, tol: float = 3.0) -> list[float]:
    xs = []
    for c in grid.cells:
        if c.where.bbox is not None:
            xs += [c.where.bbox[0], c.where.bbox[2]]
    return _cluster(xs, tol)


def _row_text(grid: Grid, r: int) -> str:
    return "".join(re.sub(r"\s", "", c.text) for c in grid.rows()[r])


def _repeated_header(a: Grid, b: Grid) -> int:
    """How many rows at the top of `b` repeat the top rows of `a` (a header printed again on
    the next page), compared loosely (OCR misreads a character here and there)."""
    from rapidfuzz import fuzz

    n = 0
    while n < min(a.n_rows, b.n_rows) - 1:
        x, y = _row_text(a, n), _row_text(b, n)
        if not x or not y or fuzz.ratio(x, y) < 75:
            break
        n += 1
    return n


def _continues(a: Grid, b: Grid, tol: float = 6.0) -> bool:
    """`b` (top of a page) goes on with `a` (bottom of the previous page): same left and right
    edges, and `b` does not start a new T3/T4 (its header) unless it repeats `a`'s header."""
    if a.where.bbox is None or b.where.bbox is None or not b.cells:
        return False
    if abs(a.where.bbox[0] - b.where.bbox[0]) > tol or abs(a.where.bbox[2] - b.where.bbox[2]) > tol:
        return False
    first = _row_text(b, 0)
    return _repeated_header(a, b) > 0 or not any(h in first for h in _NEW_TABLE)


def _drop_rows(g: Grid, n: int) -> Grid:
    """`g` without its first `n` rows (cells reaching below them keep their lower part)."""
    cells = []
    for c in g.cells:
        if c.row + c.rowspan <= n:
            continue
        top = max(c.row, n)
        cells.append(replace(c, row=top - n, rowspan=c.row + c.rowspan - top,
                             where=replace(c.where, row=top - n)))
    return Grid(tuple(cells), g.where, g.ragged)


def _join_grids(a: Grid, b: Grid, tol: float = 3.0) -> Grid:
    """One grid from a table's two parts (a header repeated on top of the second dropped);
    columns matched by their x positions."""
    b = _drop_rows(b, _repeated_header(a, b))
    xs = _cluster(_columns(a) + _columns(b), tol)

    def col_of(x: float) -> int:
        return min(range(len(xs)), key=lambda i: abs(xs[i] - x))

    cells = []
    for part, offset in ((a, 0), (b, a.n_rows)):
        for c in part.cells:
            if c.where.bbox is None:
                cells.append(replace(c, row=c.row + offset, where=replace(c.where, row=c.row + offset)))
                continue
            c0, c1 = col_of(c.where.bbox[0]), col_of(c.where.bbox[2])
            cells.append(replace(c, row=c.row + offset, col=c0, colspan=max(1, c1 - c0),
                                 where=replace(c.where, row=c.row + offset, col=c0)))
    return Grid(tuple(cells), a.where, ragged=False)


def merge_continued_grids(pages: list[list]) -> list:
    """The blocks of consecutive pages as one list. A grid that ends a page (page numbers
    after it aside) and a grid that starts the next page with the same left and right edges
    are one table, unless the second starts a new T3/T4: joined, the second part's rows
    below the first's (a header it repeats dropped), columns matched by position."""
    out: list = []
    for blocks in pages:
        blocks = list(blocks)
        if out and blocks and isinstance(blocks[0], Grid):
            tail = []
            while out and isinstance(out[-1], Paragraph) and _PAGE_NUMBER.match(out[-1].text):
                tail.insert(0, out.pop())
            if out and isinstance(out[-1], Grid) and _continues(out[-1], blocks[0]):
                out[-1] = _join_grids(out[-1], blocks.pop(0))
            out += tail
        out += blocks
    return out


def number_tables(blocks: list) -> list:
    """Grids numbered in order (`Where.table`), on the grid and on its cells."""
    out, n = [], 0
    for b in blocks:
        if isinstance(b, Grid):
            cells = tuple(replace(c, where=replace(c.where, table=n)) for c in b.cells)
            out.append(Grid(cells, replace(b.where, table=n), ragged=b.ragged))
            n += 1
        else:
            out.append(b)
    return out


# --------------------------------------------------------------------------- images

def _frames(path: str, data: bytes):
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as e:
        raise ReadError(f"{path}: not a readable image ({e})") from None
    n = getattr(img, "n_frames", 1)
    if n > MAX_PAGES:
        raise ReadError(f"{path}: {n} frames, more than the {MAX_PAGES} pages read from one image")
    for frame in ImageSequence.Iterator(img):
        w, h = frame.size
        if w * h > MAX_PIXELS:
            raise ReadError(f"{path}: image of {w}×{h} pixels is too large to OCR")
        dpi = frame.info.get("dpi") or img.info.get("dpi")
        try:
            page = ImageOps.exif_transpose(frame.copy())
        except (OSError, ValueError, KeyError, TypeError):  # a damaged EXIF block: as stored
            page = frame.copy()
        yield page, dpi


def read_image(path: str, data: bytes) -> Document:
    """A scanned report as PNG, JPEG or (multi-page) TIFF, read by OCR."""
    engine()  # the install hint before anything else
    pages, skews, seconds = [], [], 0.0
    try:
        for i, (img, dpi) in enumerate(_frames(path, data), start=1):
            w, h = img.size
            d = float(dpi[0]) if dpi and dpi[0] and float(dpi[0]) > 20 else None
            size = (w * 72.0 / d, h * 72.0 / d) if d else (ASSUMED_PAGE_WIDTH_PT, h * ASSUMED_PAGE_WIDTH_PT / w)
            blocks, info = _page(img, i, size)
            pages.append(blocks)
            skews.append(info["skew_degrees"])
            seconds += info["ocr_seconds"]
    except ReadError:
        raise
    except (OSError, ValueError, SyntaxError) as e:  # Pillow's decoding errors
        raise ReadError(f"{path}: image cannot be decoded ({type(e).__name__}: {e})") from None
    if not pages:
        raise ReadError(f"{path}: image without pages")
    blocks = number_tables(merge_continued_grids(pages))
    meta = {"source_format": "image", "pages": len(pages), "ocr_engine": engine_version(),
            "ocr_seconds": round(seconds, 2), "skew_degrees": ",".join(f"{a:g}" for a in skews)}
    return Document(path=path, format="image", blocks=blocks, meta=meta)

"""A tiny PDF writer for reader tests: text (CJK included) at exact positions, ruling lines,
filled rectangles, page rotation, document information, RC4 encryption — so that every
geometric case of the PDF reader can be built in a few lines, with no dependency.

Text uses one Type0 font as Chinese PDF producers write it without embedding (STSong-Light,
Adobe-GB1, the predefined UniGB-UCS2-H CMap: a character's code is its UCS-2 value) plus a
ToUnicode map, so every PDF tool reads the characters back exactly; CJK characters are 1 em
wide, ASCII 0.5 em. Coordinates are given as on the displayed page:
origin top left, y downwards, in points (`top` is the top of the text's em box).
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field

ASCENT, DESCENT = 880, -120  # font units (1/1000 em)
PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def char_width(ch: str) -> float:
    """Advance width in em."""
    return 0.5 if ord(ch) < 0x2E80 else 1.0


def text_width(text: str, size: float) -> float:
    return sum(char_width(c) for c in text) * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` cut into lines no wider than `width` (character by character, as CJK wraps)."""
    out, cur = [], ""
    for ch in text:
        if cur and text_width(cur + ch, size) > width:
            out.append(cur)
            cur = ""
        cur += ch
    return out + [cur] if cur else out or [""]


@dataclass
class Page:
    width: float = 595.0
    height: float = 842.0
    rotate: int = 0
    ops: list[str] = field(default_factory=list)
    images: list[tuple[int, int, bytes]] = field(default_factory=list)  # (width px, height px, grey bytes)

    def image(self, x0: float, top: float, x1: float, bottom: float, px: tuple[int, int], grey: int = 200) -> Page:
        """A flat grey image (8-bit DeviceGray, `px` pixels) painted over the box (a scan)."""
        self.images.append((px[0], px[1], bytes([grey]) * (px[0] * px[1])))
        self.ops.append(f"q {x1 - x0:.2f} 0 0 {bottom - top:.2f} {x0:.2f} {self.height - bottom:.2f} cm "
                        f"/Im{len(self.images)} Do Q")
        return self

    def text(self, x: float, top: float, s: str, size: float = 10.5, spacing: float = 0.0) -> Page:
        """`s` with its em box's top-left corner at (x, top); `spacing` adds space between characters."""
        base = self.height - top - size * ASCENT / 1000
        hexs = "".join(f"{ord(c):04X}" for c in s)
        self.ops.append(f"BT /F1 {size:.2f} Tf {spacing:.2f} Tc 1 0 0 1 {x:.2f} {base:.2f} Tm <{hexs}> Tj ET")
        return self

    def centred(self, x0: float, x1: float, top: float, s: str, size: float = 10.5) -> Page:
        return self.text((x0 + x1 - text_width(s, size)) / 2, top, s, size)

    def line(self, x0: float, top0: float, x1: float, top1: float, width: float = 0.5) -> Page:
        h = self.height
        self.ops.append(f"{width:.2f} w {x0:.2f} {h - top0:.2f} m {x1:.2f} {h - top1:.2f} l S")
        return self

    def rect(self, x0: float, top: float, x1: float, bottom: float, fill: str | None = None,
             stroke: bool = True, width: float = 0.5) -> Page:
        """A rectangle; `fill` is an RGB colour "r g b" (0..1) or None."""
        h = self.height
        paint = ("B" if stroke else "f") if fill else "S"
        colour = f"{fill} rg " if fill else ""
        self.ops.append(f"q {colour}{width:.2f} w {x0:.2f} {h - bottom:.2f} {x1 - x0:.2f} {bottom - top:.2f} re {paint} Q")
        return self

    def grid(self, xs: list[float], ys: list[float], cells: list[tuple], size: float = 10.5) -> Page:
        """A ruled table: `cells` are (row, col, text, rowspan, colspan); borders are drawn
        around every cell (merged cells have no inner lines); text is centred in its cell,
        one line per "\\n" (a vertical label: one character per line)."""
        for r, c, text, rs, cs in cells:
            x0, x1, t0, t1 = xs[c], xs[c + cs], ys[r], ys[r + rs]
            self.line(x0, t0, x1, t0).line(x0, t1, x1, t1).line(x0, t0, x0, t1).line(x1, t0, x1, t1)
            lines = [part for ln in text.split("\n") for part in wrap(ln, x1 - x0 - 4, size)] if text else []
            lead = size * 1.3
            top = (t0 + t1) / 2 - lead * len(lines) / 2
            for i, ln in enumerate(lines):
                self.centred(x0, x1, top + i * lead, ln, size)
        return self


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _pdf_string(s: str) -> bytes:
    if all(ord(c) < 128 for c in s):
        return b"(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode() + b")"
    return b"<FEFF" + s.encode("utf-16-be").hex().upper().encode() + b">"


def _tounicode() -> bytes:
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    body = []
    for k in range(0, len(ranges), 100):
        chunk = ranges[k:k + 100]
        body.append(f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange")
    return ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + "\n".join(body) +
            "\nendcmap CMapName currentdict /CMap defineresource pop end end").encode()


def build(pages: list[Page], info: dict[str, str] | None = None, password: str | None = None,
          compress: bool = True) -> bytes:
    """The PDF bytes. `password`: encrypted (RC4 40-bit, standard handler R2) with this user
    password, so that it cannot be opened without it."""
    objs: list[bytes] = []  # object i+1

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    streams: dict[int, tuple[bytes, bytes]] = {}  # obj -> (dict without Length, data)

    def add_stream(d: bytes, data: bytes) -> int:
        if compress:
            data = zlib.compress(data)
            d += b" /Filter /FlateDecode"
        n = add(b"")
        streams[n] = (d, data)
        return n

    widths = "[" + " ".join("500" for _ in range(1, 96)) + "]"  # Adobe-GB1 CIDs 1-95: ASCII
    desc = add(f"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 {DESCENT} 1000 {ASCENT}] "
               f"/ItalicAngle 0 /Ascent {ASCENT} /Descent {DESCENT} /CapHeight 700 /StemV 80 >>".encode())
    cid = add(f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
              f"/Ordering (GB1) /Supplement 2 >> /FontDescriptor {desc} 0 R /DW 1000 /W [1 {widths}] >>".encode())
    tou = add_stream(b"<<", _tounicode())
    font = add(f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
               f"/DescendantFonts [{cid} 0 R] /ToUnicode {tou} 0 R >>".encode())
    pages_obj = add(b"")
    kids = []
    for p in pages:
        content = add_stream(b"<<", "\n".join(p.ops).encode())
        rot = f" /Rotate {p.rotate}" if p.rotate else ""
        xobj = ""
        if p.images:
            refs = [add_stream(f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray "
                               f"/BitsPerComponent 8".encode(), data) for w, h, data in p.images]
            xobj = " /XObject << " + " ".join(f"/Im{k + 1} {r} 0 R" for k, r in enumerate(refs)) + " >>"
        kids.append(add(f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {p.width:.2f} {p.height:.2f}]"
                        f"{rot} /Resources << /Font << /F1 {font} 0 R >>{xobj} >> /Contents {content} 0 R >>".encode()))
    objs[pages_obj - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    catalog = add(f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode())
    info_obj = None
    info_strings: dict[int, dict[str, str]] = {}
    if info:
        info_obj = add(b"")
        info_strings[info_obj] = info
    file_id = hashlib.md5(repr((len(objs), info, password)).encode()).digest()

    key = None
    encrypt_obj = None
    if password is not None:
        owner = password + "-owner"
        okey = hashlib.md5((owner.encode("latin-1") + PAD)[:32]).digest()[:5]
        upad = (password.encode("latin-1") + PAD)[:32]
        o_value = _rc4(okey, upad)
        perms = -4
        key = hashlib.md5(upad + o_value + struct.pack("<i", perms) + file_id).digest()[:5]
        u_value = _rc4(key, PAD)
        encrypt_obj = add(b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <" +
                          u_value.hex().encode() + b"> /P " + str(perms).encode() + b" >>")

    def crypt(num: int, data: bytes) -> bytes:
        if key is None or num == encrypt_obj:
            return data
        k = hashlib.md5(key + struct.pack("<i", num)[:3] + b"\x00\x00").digest()[:10]
        return _rc4(k, data)

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        if i in streams:
            d, data = streams[i]
            data = crypt(i, data)
            body = d + f" /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
        elif i in info_strings:
            parts = [b"<<"]
            for k, v in info_strings[i].items():
                raw = _pdf_string(v)
                if key is not None:
                    plain = v.encode("utf-16-be") if raw.startswith(b"<FEFF") else v.encode("latin-1")
                    if raw.startswith(b"<FEFF"):
                        plain = b"\xfe\xff" + plain
                    raw = b"<" + crypt(i, plain).hex().encode() + b">"
                parts.append(b"/" + k.encode() + b" " + raw)
            parts.append(b">>")
            body = b" ".join(parts)
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R /ID [<{file_id.hex()}> <{file_id.hex()}>]"
    if info_obj:
        trailer += f" /Info {info_obj} 0 R"
    if encrypt_obj:
        trailer += f" /Encrypt {encrypt_obj} 0 R"
    out += (trailer + f" >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)

"""Readers: one module per format, each returning a `Document`. `sniff()` decides
the format from the bytes, not the extension."""
from __future__ import annotations

from ..model import Document
from .text import ReadError, read_text

__all__ = ["ReadError", "read_document", "sniff"]

# formats this build can read; the others are recognised and refused with a clear error
READERS = {"txt": read_text}
PLANNED = {
    "pdf": "PDF reports are not readable yet (PDF reader not built)",
    "docx": "DOCX reports are not readable yet (DOCX reader not built)",
    "html": "HTML pages are not readable yet (HTML reader not built)",
    "ole": "DOC/WPS reports are not readable yet (LibreOffice conversion not built)",
    "zip": "a ZIP archive that is not a DOCX",
    "image": "scanned images need the OCR reader (not built)",
}


def sniff(data: bytes, name: str = "") -> str:
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head[:8] in (b"\x89PNG\r\n\x1a\n",) or head[:3] == b"\xff\xd8\xff" or head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in stripped[:1024] \
            or b"<body" in stripped or b"<meta" in stripped[:1024]:
        return "html"
    return "txt"


def read_document(path: str, data: bytes) -> Document:
    fmt = sniff(data, path)
    if not data:
        raise ReadError(f"{path}: empty file (0 bytes)")
    reader = READERS.get(fmt)
    if reader is None:
        raise ReadError(f"{path}: {PLANNED.get(fmt, 'unsupported format ' + fmt)} (format detected from content: {fmt})")
    return reader(path, data)

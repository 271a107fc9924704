"""Readers: one module per format, each returning a `Document`. `sniff()` decides
the format from the bytes, not the extension."""
from __future__ import annotations

import importlib

from ..model import Document
from .text import ReadError

__all__ = ["ReadError", "read_document", "sniff"]

# format (from sniff) -> "module:function"; modules are imported when first needed
READERS = {
    "txt": "text:read_text",
    "html": "html:read_html",
    "docx": "docx:read_docx",
    "ole": "legacy:read_legacy",   # DOC and WPS (Word 97 binary), via LibreOffice
    "rtf": "legacy:read_legacy",
    "pdf": "pdf:read_pdf",         # text layer by geometry (pypdfium2); scanned pages via OCR
    "image": "ocr:read_image",     # scanned PNG/JPEG/TIFF, via offline OCR (the `ocr` extra)
}
REFUSED = {
    "zip": "a ZIP archive that is not a DOCX",
}


def sniff(data: bytes, name: str = "") -> str:
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/document" in data else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head[:8] in (b"\x89PNG\r\n\x1a\n",) or head[:3] == b"\xff\xd8\xff" or head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    lower = data[:65536].lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml", b"<!--")) or b"<html" in lower \
            or b"<body" in lower or b"<meta " in stripped[:1024]:
        return "html"
    return "txt"


def reader_for(fmt: str):
    spec = READERS.get(fmt)
    if spec is None:
        return None
    module, func = spec.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), func)


def read_document(path: str, data: bytes) -> Document:
    if not data:
        raise ReadError(f"{path}: empty file (0 bytes)")
    fmt = sniff(data, path)
    try:
        reader = reader_for(fmt)
    except ImportError as e:
        raise ReadError(f"{path}: no {fmt} reader in this build ({e})") from None
    if reader is None:
        raise ReadError(f"{path}: {REFUSED.get(fmt, 'unsupported format ' + fmt)} (format detected from content: {fmt})")
    return reader(path, data)

"""DOC/WPS/RTF through LibreOffice: type from the bytes, cache by content hash, clear errors."""
import io
import os

import pytest

from extractor.readers import ReadError, read_document, sniff
from extractor.readers.legacy import OLE_MAGIC, convert_many, ole_kind, soffice

needs_lo = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) not installed")


def small_docx() -> bytes:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("某某局2021年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "合并"
    t.cell(1, 2).text = "7"
    d.add_paragraph("某某局")  # LibreOffice's DOC export drops a table that ends the document
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def to_doc(tmp_path, data: bytes) -> bytes:
    import subprocess
    src = tmp_path / "a.docx"
    src.write_bytes(data)
    subprocess.run([soffice(), f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(src)], check=True, capture_output=True,
                   timeout=120)
    return (tmp_path / "a.doc").read_bytes()


def test_ole_kinds():
    assert ole_kind(OLE_MAGIC + "WordDocument".encode("utf-16-le")) == "word"
    assert ole_kind(OLE_MAGIC + "EncryptedPackage".encode("utf-16-le")) == "encrypted"
    assert ole_kind(OLE_MAGIC + "Workbook".encode("utf-16-le")) == "excel"


def test_encrypted_and_non_word_ole_fail_clearly():
    with pytest.raises(ReadError, match="x.doc: password-protected"):
        read_document("x.doc", OLE_MAGIC + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(ReadError, match="not a Word/WPS document"):
        read_document("x.wps", OLE_MAGIC + b"\0" * 100 + "Workbook".encode("utf-16-le"))


def test_without_libreoffice_the_error_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("EXTRACTOR_SOFFICE", str(tmp_path / "missing-soffice"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("EXTRACTOR_CACHE", str(tmp_path / "cache"))
    data = OLE_MAGIC + b"\0" * 100 + "WordDocument".encode("utf-16-le") + os.urandom(64)
    with pytest.raises(ReadError, match="apt-get install libreoffice-writer-nogui"):
        read_document("r.doc", data)


def test_extension_does_not_decide():
    assert sniff(b"PK\x03\x04" + b"\0" * 30 + b"word/document.xml", "report.wps") == "docx"
    assert sniff("<html><body>报告</body></html>".encode(), "report.doc") == "html"
    assert sniff(b"{\\rtf1\\ansi hello}", "report.doc") == "rtf"


@needs_lo
def test_doc_and_wps_are_converted_once_and_read(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_CACHE", str(tmp_path / "cache"))
    doc_bytes = to_doc(tmp_path, small_docx())
    assert sniff(doc_bytes) == "ole" and ole_kind(doc_bytes) == "word"
    d = read_document("r.doc", doc_bytes)
    assert d.format == "doc"
    texts = [b.text for b in d.blocks if hasattr(b, "text") and isinstance(b.text, str)]
    assert any("年度报告" in t for t in texts)
    grid = next(d.grids())
    assert any(c.colspan == 2 and c.text == "合并" for c in grid.cells)   # spans survive the conversion
    cached = list((tmp_path / "cache" / "legacy-docx").iterdir())
    assert len(cached) == 1
    w = read_document("r.wps", doc_bytes)                                 # WPS = Word 97 binary under .wps
    assert w.format == "wps" and len(list((tmp_path / "cache" / "legacy-docx").iterdir())) == 1


@needs_lo
def test_batch_conversion_reports_broken_files(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_CACHE", str(tmp_path / "cache"))
    good = to_doc(tmp_path, small_docx())
    broken = OLE_MAGIC + b"\0" * 200 + "WordDocument".encode("utf-16-le") + b"\xff" * 300
    errors = convert_many([("good.doc", good), ("broken.doc", broken)])
    import hashlib
    assert hashlib.sha256(good).hexdigest() not in errors
    assert hashlib.sha256(broken).hexdigest() in errors
    with pytest.raises(ReadError, match="broken.doc: cannot convert"):
        read_document("broken.doc", broken)

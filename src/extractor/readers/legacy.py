"""DOC, WPS and RTF reports: converted to DOCX by LibreOffice, then read as DOCX.

* The real type comes from the bytes (an OLE compound file holding a Word 97
  `WordDocument` stream, or RTF), never from the extension: many `.wps` and
  `.doc` files are really DOCX, HTML or text, and `sniff()` sends those to their
  own readers. Kingsoft WPS Office saves Writer documents (.wps) in the Word 97
  binary format, so a `.wps` holding a `WordDocument` stream is converted the
  same way and reported as format `wps`.
* Conversion runs `soffice --headless --convert-to docx` with a private profile
  directory (so parallel runs and a user's open LibreOffice do not collide),
  several files per call, a time limit that grows with the batch, and a cache
  keyed by the content hash (`EXTRACTOR_CACHE`, default `~/.cache/extractor`):
  the same bytes are converted once.
* Without LibreOffice the file fails with an error that says how to install it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..model import Document
from .text import ReadError

INSTALL_HINT = ("install LibreOffice to read DOC/WPS/RTF files (Debian/Ubuntu: "
                "apt-get install libreoffice-writer-nogui fonts-noto-cjk)")
SECONDS_PER_FILE = 60
BATCH = 16
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def ole_kind(data: bytes) -> str:
    """What an OLE compound file holds, from its directory entry names."""
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return "encrypted"
    if _utf16("WordDocument") in data:
        return "word"
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "excel"
    if _utf16("PowerPoint Document") in data:
        return "powerpoint"
    return "unknown"


def soffice() -> str | None:
    found = os.environ.get("EXTRACTOR_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    return found if found and Path(found).exists() else None


def cache_dir() -> Path:
    base = os.environ.get("EXTRACTOR_CACHE") or os.path.join(Path.home(), ".cache", "extractor")
    d = Path(base) / "legacy-docx"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _cached(sha: str) -> Path:
    return cache_dir() / f"{sha}.docx"


def convert_many(items: list[tuple[str, bytes]], suffix_of=None) -> dict[str, str]:
    """Convert (name, bytes) items to DOCX into the cache; returns {sha256: error} for
    the ones that failed. Already cached items are skipped."""
    exe = soffice()
    errors: dict[str, str] = {}
    todo = []
    for name, data in items:
        sha = hashlib.sha256(data).hexdigest()
        if not _cached(sha).exists() and sha not in {s for s, _, _ in todo}:
            todo.append((sha, name, data))
    if not todo:
        return errors
    if exe is None:
        return {sha: INSTALL_HINT for sha, _, _ in todo}
    for i in range(0, len(todo), BATCH):
        errors.update(_convert_batch(exe, todo[i:i + BATCH], suffix_of))
    return errors


def _convert_batch(exe: str, batch, suffix_of) -> dict[str, str]:
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="extractor-lo-") as tmp:
        tmpd = Path(tmp)
        src, out, profile = tmpd / "in", tmpd / "out", tmpd / "profile"
        src.mkdir(), out.mkdir()
        files = []
        for sha, name, data in batch:
            suffix = (suffix_of(name, data) if suffix_of else None) or (".rtf" if data[:5] == b"{\\rtf" else ".doc")
            p = src / f"{sha}{suffix}"
            p.write_bytes(data)
            files.append(str(p))
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
               "--nodefault", "--nologo", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), *files]
        timeout = SECONDS_PER_FILE * len(batch) + 30
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                    env={**os.environ, "HOME": str(tmpd)})
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                err = f"LibreOffice took longer than {timeout} s".encode()
        except OSError as e:
            return {sha: f"LibreOffice could not start ({e})" for sha, _, _ in batch}
        for sha, name, _ in batch:
            produced = out / f"{sha}.docx"
            if produced.exists() and produced.stat().st_size > 0:
                tmp_target = _cached(sha).with_suffix(".part")
                shutil.copyfile(produced, tmp_target)
                os.replace(tmp_target, _cached(sha))
            else:
                msg = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
                errors[sha] = "LibreOffice could not convert it" + (f" ({msg[0]})" if msg else "")
    return errors


def read_legacy(path: str, data: bytes) -> Document:
    from .docx import read_docx

    is_rtf = data[:5] == b"{\\rtf"
    if not is_rtf:
        kind = ole_kind(data)
        if kind == "encrypted":
            raise ReadError(f"{path}: password-protected (encrypted) Office document")
        if kind != "word":
            raise ReadError(f"{path}: an OLE file that is not a Word/WPS document ({kind})")
    sha = hashlib.sha256(data).hexdigest()
    if not _cached(sha).exists():
        errors = convert_many([(path, data)])
        if sha in errors:
            raise ReadError(f"{path}: cannot convert {'RTF' if is_rtf else 'DOC/WPS'} to DOCX: {errors[sha]}")
    doc = read_docx(path, _cached(sha).read_bytes())
    fmt = "rtf" if is_rtf else ("wps" if str(path).lower().endswith(".wps") else "doc")
    doc.format = fmt
    doc.meta["source_format"] = fmt
    doc.meta["converted_by"] = "LibreOffice"
    return doc

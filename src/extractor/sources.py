"""What a run reads: inputs named as files, folders, glob patterns, file lists (`@LIST`, one
path per line) or ZIP archives, turned into one sorted list of `Source`s.

A ZIP archive that is not a DOCX is opened and each member becomes a source named
`ARCHIVE!/MEMBER` (members are read when parsed, never extracted to disk; a member larger
than `MAX_MEMBER_BYTES` is refused when read). Sources are sorted by name, so the order of
the arguments never changes the outputs.
"""
from __future__ import annotations

import glob
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

# files that sit beside reports but are never reports themselves
NOT_REPORTS = {".md", ".json", ".tsv", ".csv", ".parquet", ".py", ".toml", ".yml", ".yaml", ".ipynb", ".lock"}
MEMBER_SEP = "!/"
MAX_MEMBER_BYTES = 256 * 1024 * 1024
GLOB_CHARS = set("*?[")


class SourceError(Exception):
    """An input that cannot be read (the message names it and says why)."""


@dataclass(frozen=True, order=True)
class Source:
    """One input report: a file, or a member of a ZIP archive (`member` set)."""
    name: str            # what the datasets call it (`path` column)
    file: str            # the file on disk (the archive for a member)
    member: str | None = None

    def read_bytes(self) -> bytes:
        if self.member is None:
            try:
                return Path(self.file).read_bytes()
            except OSError as e:
                raise SourceError(f"{self.name}: cannot read file ({e.strerror or e})") from None
        try:
            with zipfile.ZipFile(self.file) as z:
                info = z.getinfo(self.member)
                if info.file_size > MAX_MEMBER_BYTES:
                    raise SourceError(f"{self.name}: archive member too large ({info.file_size} bytes "
                                      f"uncompressed; limit {MAX_MEMBER_BYTES})")
                with z.open(info) as fh:
                    data = fh.read(MAX_MEMBER_BYTES + 1)
                if len(data) > MAX_MEMBER_BYTES:  # the header lied about the size
                    raise SourceError(f"{self.name}: archive member too large (more than {MAX_MEMBER_BYTES} "
                                      f"bytes uncompressed)")
                return data
        except SourceError:
            raise
        except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, EOFError, ValueError) as e:
            raise SourceError(f"{self.name}: cannot read archive member ({type(e).__name__}: {e})") from None

    def stat_key(self) -> tuple[int, int]:
        """(size, mtime in ns) of the file on disk: what a finished shard remembers of its inputs."""
        st = os.stat(self.file)
        return st.st_size, st.st_mtime_ns


def _is_archive(path: Path) -> bool:
    """A ZIP file that is not a DOCX (DOCX files are ZIPs holding word/document.xml)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return False
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return not any(n.startswith("word/") for n in names) and "[Content_Types].xml" not in names


def _archive_members(path: Path) -> list[Source]:
    out = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            m = info.filename
            base = m.rstrip("/").rsplit("/", 1)[-1]
            if info.is_dir() or not base or base.startswith(".") or "__MACOSX" in m.split("/") \
                    or Path(base).suffix.lower() in NOT_REPORTS:
                continue
            out.append(Source(f"{path}{MEMBER_SEP}{m}", str(path), m))
    return out


def _walk(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            fp = Path(root) / f
            if not f.startswith(".") and fp.suffix.lower() not in NOT_REPORTS:
                found.append(fp)
    return found


def expand(args: Iterable[str | Path], missing: list[str] | None = None) -> list[Source]:
    """Every input named by `args` (see the module docstring), deduplicated and sorted by name.
    Names that match nothing are appended to `missing` when given."""
    files: list[Path] = []
    for a in args:
        s = str(a)
        if s.startswith("@") and not Path(s).exists():
            try:
                lines = Path(s[1:]).read_text(encoding="utf-8-sig").splitlines()
            except OSError as e:
                if missing is not None:
                    missing.append(f"{s[1:]}: cannot read file list ({e.strerror or e})")
                continue
            for line in lines:  # relative names are relative to the working directory, as typed
                line = line.strip()
                if line and not line.startswith("#"):
                    files.extend(_one(Path(line), missing))
            continue
        p = Path(s)
        if not p.exists() and GLOB_CHARS & set(s):
            hits = sorted(glob.glob(s, recursive=True))
            if not hits and missing is not None:
                missing.append(f"{s}: no file matches")
            for h in hits:
                files.extend(_one(Path(h), missing))
            continue
        files.extend(_one(p, missing))
    out: dict[str, Source] = {}
    for f in files:
        key = os.path.normpath(str(f))
        if key in out:
            continue
        if _is_archive(f):
            for m in _archive_members(f):
                out.setdefault(m.name, m)
        else:
            out[key] = Source(str(f), str(f))
    return sorted(out.values(), key=lambda s: s.name)


def _one(p: Path, missing: list[str] | None) -> list[Path]:
    if p.is_dir():
        return _walk(p)
    if p.exists():
        return [p]
    if missing is not None:
        missing.append(f"{p}: no such file or folder")
    return []

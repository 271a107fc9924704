"""Accept files: the fingerprints of findings an auditor has reviewed and accepted.

One fingerprint per line; `#` starts a comment (whole-line or after the fingerprint);
blank lines are ignored:

    # reviewed 2025-03-01 (Li)
    3f2a9c0d11e4b5a6   # T2-INFORCE-ROLL: scope change after 机构改革, explained in s6
    0b8d7e6f5a4c3b2a

Accepted findings keep their row (`accepted` true) and do not fail `extractor check`.
"""
from __future__ import annotations

import re
from pathlib import Path

FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")


class AcceptFileError(ValueError):
    pass


def parse_accepted(text: str, name: str = "accept file") -> dict[str, str]:
    """fingerprint -> note (the comment after it, may be empty). Raises AcceptFileError naming
    the line when a line holds anything but one fingerprint (a typo must not pass unnoticed)."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        body, _, note = line.partition("#")
        body = body.strip().lstrip("\ufeff")
        if not body:
            continue
        fp = body.lower()
        if not FINGERPRINT.match(fp):
            raise AcceptFileError(f"{name}:{n}: expected one fingerprint (16 hex digits), got {body!r}")
        out.setdefault(fp, note.strip())
    return out


def load_accepted(path: str | Path) -> dict[str, str]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise AcceptFileError(f"{p}: cannot read accept file ({e.strerror or e})") from e
    except UnicodeDecodeError as e:
        raise AcceptFileError(f"{p}: accept file is not UTF-8 text") from e
    return parse_accepted(text, str(p))

"""Headless Chromium for the tests, driven over the DevTools protocol on a pipe
(`--remote-debugging-pipe`: no port, no network, no extra Python package).

    with Chromium() as browser:
        page = browser.load(path, width=1366, height=900)
        page.text, page.console_errors, page.screenshot   # PNG bytes

Console messages of level error, uncaught exceptions and browser log entries of
level error (a failed resource load) all land in `console_errors`.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# as root, on a machine without network: no sandbox, no GPU, nothing fetched in the background
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--mute-audio", "--hide-scrollbars"]


def find_chromium() -> str | None:
    env = os.environ.get("EXTRACTOR_CHROMIUM")
    if env:
        return env if Path(env).exists() or shutil.which(env) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def _high_fd(fd: int) -> int:
    new = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return new


@dataclass
class Page:
    text: str
    dom: str
    console_errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    screenshot: bytes = b""


class Chromium:
    def __init__(self, exe: str | None = None, timeout: float = 60.0):
        self.exe = exe or find_chromium()
        if self.exe is None:
            raise FileNotFoundError("chromium is not installed")
        self.timeout = timeout
        self._id = 0
        self._buf = b""
        self._events: list[dict] = []

    # ---------------------------------------------------------------- process

    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_chrome_r, self._to_chrome = os.pipe()  # we write, Chromium reads on fd 3
        self._from_chrome, from_chrome_w = os.pipe()  # Chromium writes on fd 4, we read
        # the child's ends above fd 4, so that moving them onto 3 and 4 cannot clobber one another
        to_chrome_r, from_chrome_w = (_high_fd(to_chrome_r), _high_fd(from_chrome_w))
        # a tiny launcher puts the pipe ends on fds 3 and 4, where Chromium expects them
        launcher = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                    "os.execvp(sys.argv[3], sys.argv[3:])")
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", launcher, str(to_chrome_r), str(from_chrome_w), self.exe, *FLAGS,
             f"--user-data-dir={self._profile}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(to_chrome_r, from_chrome_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self._log)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    # ---------------------------------------------------------------- protocol

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        msg: dict = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode("utf-8") + b"\0")
        return self._id

    def _next(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chrome], [], [], max(0.0, left))
            if not ready:
                raise TimeoutError(f"no answer from Chromium; its log:\n{self.stderr()[-2000:]}")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise EOFError(f"Chromium closed the pipe; its log:\n{self.stderr()[-2000:]}")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _wait(self, pred, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = self._next(deadline)
            if pred(m):
                return m
            self._events.append(m)

    def _call(self, method: str, params: dict | None = None, session: str | None = None,
              timeout: float | None = None) -> dict:
        i = self._send(method, params, session)
        m = self._wait(lambda m: m.get("id") == i, timeout)
        if "error" in m:
            raise RuntimeError(f"{method}: {m['error']}")
        return m.get("result", {})

    # ---------------------------------------------------------------- pages

    def load(self, path: Path, width: int = 1366, height: int = 900, full_page: bool = False,
             query: str = "") -> Page:
        """Open a local file, wait for its load event, and return its text, the console
        errors and a PNG screenshot (of the first screen, or of the whole page)."""
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._events = []
        for domain in ("Page", "Runtime", "Log"):
            self._call(f"{domain}.enable", session=s)
        self._call("Emulation.setDeviceMetricsOverride",
                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=s)
        self._call("Page.navigate", {"url": Path(path).resolve().as_uri() + query}, session=s)
        self._wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == s)
        text = self._eval(s, "document.body.innerText")
        dom = self._eval(s, "document.documentElement.outerHTML")
        shot = self._call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": full_page},
                          session=s)
        errors, console = [], []
        for e in self._events:
            if e.get("sessionId") != s:
                continue
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled":
                msg = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                console.append(f"{p.get('type')}: {msg}")
                if p.get("type") in ("error", "assert"):
                    errors.append(f"console.{p.get('type')}: {msg}")
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                errors.append("uncaught: " + str(d.get("exception", {}).get("description") or d.get("text")))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                entry = p["entry"]
                errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        self._call("Target.closeTarget", {"targetId": target})
        return Page(text=text, dom=dom, console_errors=errors, console=console,
                    screenshot=base64.b64decode(shot["data"]))

    def evaluate(self, path: Path, expression: str, query: str = ""):
        """Open a page and evaluate one expression in it (for checks of the page's script)."""
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._call("Page.enable", session=s)
        self._call("Page.navigate", {"url": Path(path).resolve().as_uri() + query}, session=s)
        self._wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == s)
        out = self._eval(s, expression)
        self._call("Target.closeTarget", {"targetId": target})
        return out

    def _eval(self, session: str, expression: str):
        r = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

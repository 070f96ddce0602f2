"""Headless Chromium for the report tests, driven through the DevTools protocol over a pipe.

`--remote-debugging-pipe` makes Chromium read NUL-terminated JSON commands on fd 3 and write
replies on fd 4: no websocket, no port. `load(path)` opens a file with the network blocked,
records every request the page makes, measures elements, and takes a screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
    "--remote-debugging-pipe",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require(tool: str, path: str | None) -> str:
    """The tool's path; fail when GRADVERIFY_REQUIRE_TOOLS=1 and it is missing, else skip."""
    if path:
        return path
    message = f"{tool} is not installed (Debian: see .ci/run)"
    if os.environ.get("GRADVERIFY_REQUIRE_TOOLS") == "1":
        pytest.fail(message + " and GRADVERIFY_REQUIRE_TOOLS=1", pytrace=False)
    pytest.skip(message)


@dataclass
class Page:
    """What a loaded page showed: evaluated values, the requests it made, a screenshot."""

    values: dict[str, Any]
    requests: list[str] = field(default_factory=list)
    png: bytes = b""
    fonts: dict[str, list[str]] = field(default_factory=dict)  # selector -> fonts really used


class DevTools:
    """A Chromium process and its DevTools pipe."""

    def __init__(self, exe: str, width: int = 1200, height: int = 900) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="gradverify-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The child must see our ends at fd 3 (commands) and fd 4 (replies). They are put there after
        # the fork (dup2 leaves them inheritable); pass_fds=(3, 4) would fail whenever this process has
        # no fd 3 or 4 open, and Python's own descriptors are never inherited, so none is closed here.
        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=_dup_to(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        """Send one command and wait for its reply (events seen meanwhile are kept)."""
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        while True:
            ev = self._read(timeout)
            if ev.get("method") == method:
                return ev
            self.events.append(ev)

    def _read(self, timeout: float) -> dict[str, Any]:
        import select

        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self.profile.cleanup()


def _dup_to(read_end: int, write_end: int):
    """In the child: `read_end` at fd 3 and `write_end` at fd 4, both kept across exec (moved out of
    the way first, since either may itself be 3 or 4)."""
    def setup() -> None:
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (read_end, write_end)]
        for fd, target in zip(high, (3, 4)):
            os.dup2(fd, target)
            os.set_inheritable(target, True)
    return setup


def load(path: Path, expressions: dict[str, str], *, width: int = 1200, height: int = 900,
         screenshot: bool = True, fonts_for: tuple[str, ...] = ()) -> Page:
    """Open `path` in headless Chromium, evaluate JS expressions (JSON results), screenshot.

    `fonts_for`: CSS selectors whose first match's text is asked which platform fonts
    rendered it (CSS.getPlatformFontsForNode), i.e. the fonts really used, not just named.
    """
    exe = require("chromium", chromium_path())
    tools = DevTools(exe, width, height)
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tools.send("Network.enable", session=session)
        tools.send("Page.enable", session=session)
        tools.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
        tools.wait_event("Page.loadEventFired")
        values = {}
        for name, expression in expressions.items():
            res = tools.send("Runtime.evaluate", {"expression": f"JSON.stringify({expression})",
                                                  "returnByValue": True}, session=session)
            values[name] = json.loads(res["result"]["value"])
        fonts: dict[str, list[str]] = {}
        if fonts_for:
            tools.send("DOM.enable", session=session)
            tools.send("CSS.enable", session=session)
            root = tools.send("DOM.getDocument", {"depth": -1}, session=session)["root"]["nodeId"]
            for selector in fonts_for:
                node = tools.send("DOM.querySelector", {"nodeId": root, "selector": selector}, session=session)["nodeId"]
                used = tools.send("CSS.getPlatformFontsForNode", {"nodeId": node}, session=session)["fonts"]
                fonts[selector] = [f["familyName"] for f in used]
        png = b""
        if screenshot:
            png = base64.b64decode(tools.send("Page.captureScreenshot", {"format": "png"},
                                              session=session)["data"])
        requests = [ev["params"]["request"]["url"] for ev in tools.events
                    if ev.get("method") == "Network.requestWillBeSent"]
        return Page(values, requests, png, fonts)
    finally:
        tools.close()


def measure_widths(path: Path, expressions: dict[str, str], widths: tuple[int, ...],
                   height: int = 900) -> dict[int, dict[str, Any]]:
    """Open `path` once and evaluate the JS expressions with the viewport at each width in turn."""
    exe = require("chromium", chromium_path())
    tools = DevTools(exe, max(widths), height)
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tools.send("Page.enable", session=session)
        tools.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
        tools.wait_event("Page.loadEventFired")
        out: dict[int, dict[str, Any]] = {}
        for width in widths:
            tools.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                              "deviceScaleFactor": 1, "mobile": False},
                       session=session)
            values = {}
            for name, expression in expressions.items():
                res = tools.send("Runtime.evaluate", {"expression": f"JSON.stringify({expression})",
                                                      "returnByValue": True}, session=session)
                values[name] = json.loads(res["result"]["value"])
            out[width] = values
        return out
    finally:
        tools.close()


def capture(path: Path, selector: str, width: int, height: int) -> bytes:
    """A PNG of the page at `width` px: `height` px from the top of the first element matching
    `selector` ("body" for the top of the page)."""
    exe = require("chromium", chromium_path())
    tools = DevTools(exe, width, 900)
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tools.send("Page.enable", session=session)
        tools.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1,
                                                          "mobile": False}, session=session)
        tools.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
        tools.wait_event("Page.loadEventFired")
        where = tools.send("Runtime.evaluate", {
            "expression": f"JSON.stringify(document.querySelector({json.dumps(selector)}).getBoundingClientRect().top"
                          " + window.scrollY)", "returnByValue": True}, session=session)
        top = max(0.0, float(json.loads(where["result"]["value"])) - 8)
        shot = tools.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                     "clip": {"x": 0, "y": top, "width": width, "height": height,
                                                              "scale": 1}}, session=session)
        return base64.b64decode(shot["data"])
    finally:
        tools.close()


def png_pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG into (width, height, rows of bytes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data)
            assert depth == 8 and color in (2, 6) and interlace == 0, "unsupported PNG layout"
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3))
        prev = line
    return width, height, rows


def ink_fraction(png: bytes) -> float:
    """The fraction of pixels that are not (near) white: 0 for a blank page."""
    width, height, rows = png_pixels(png)
    dark = 0
    for row in rows[::2]:
        for i in range(0, len(row), 6):
            if min(row[i], row[i + 1], row[i + 2]) < 200:
                dark += 1
    return dark / ((len(rows[::2])) * (width // 2 + width % 2))


def segment_crosses_box(line: list[float], box: tuple[float, float, float, float]) -> bool:
    """A point every quarter pixel along the segment lies inside the box shrunk by half a pixel
    (sampled, so independent of the drawing code's own clipping)."""
    x1, y1, x2, y2 = line
    left, top, right, bottom = box[0] + 0.5, box[1] + 0.5, box[2] - 0.5, box[3] - 0.5
    steps = max(1, int(4 * max(abs(x2 - x1), abs(y2 - y1))))
    return any(left < x1 + (x2 - x1) * i / steps < right and top < y1 + (y2 - y1) * i / steps < bottom
               for i in range(steps + 1))

"""What a long report is doing, said on stderr: silent for a report done within a second.

The first message appears once `after` seconds have passed (naming the stage under way); from then
on each new stage is named as it starts, and the total time is given at the end.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO


class Progress:
    """Stage names for a reader waiting on a report; `stage` is cheap when nothing is printed."""

    def __init__(self, stream: IO[str] | None = None, after: float = 1.0, label: str = "gradverify") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.label, self.start = label, time.monotonic()
        self.current = "starting"
        self.speaking = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(after, self._late)
        self._timer.daemon = True
        self._timer.start()

    def stage(self, what: str) -> None:
        """The report has moved on to `what` ("the symbolic column", "writing q3.html")."""
        with self._lock:
            self.current = what
            if self.speaking:
                self._say(f"{what} ...")

    def done(self) -> None:
        """The report is finished: stop the clock, and say how long it took if anything was said."""
        self._timer.cancel()
        with self._lock:
            if self.speaking:
                self._say(f"done in {time.monotonic() - self.start:.1f} s")
            self.speaking = False

    def _late(self) -> None:
        with self._lock:
            self.speaking = True
            self._say(f"{self.current} ...")

    def _say(self, text: str) -> None:
        try:
            self.stream.write(f"{self.label}: {text}\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass


class Silent(Progress):
    """No messages (library use, notebooks, tests)."""

    def __init__(self) -> None:  # noqa: D107 - no clock, no thread
        self.current = ""

    def stage(self, what: str) -> None:
        self.current = what

    def done(self) -> None:
        pass

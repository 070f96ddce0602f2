"""A report that takes long says what it is doing on stderr; a quick one says nothing."""

from __future__ import annotations

import io
import threading

from gradverify.render.progress import Progress


class _Stream(io.StringIO):
    """A stream that lets a test wait for the first line written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.spoken = threading.Event()

    def write(self, text: str) -> int:
        self.spoken.set()
        return super().write(text)


def test_a_quick_report_is_silent() -> None:
    stream = _Stream()
    progress = Progress(stream, after=60.0)
    progress.stage("the truth columns")
    progress.done()
    assert stream.getvalue() == ""


def test_a_long_report_names_its_stages_and_its_time() -> None:
    stream = _Stream()
    progress = Progress(stream, after=0.01, label="gradverify report")
    progress.stage("the exact network")
    assert stream.spoken.wait(timeout=30)  # the timer fires once `after` has passed
    progress.stage("writing q3.html")
    progress.done()
    lines = stream.getvalue().splitlines()  # ("starting ..." first if the timer beat the first stage)
    assert lines[-3:-1] == ["gradverify report: the exact network ...", "gradverify report: writing q3.html ..."]
    assert lines[-1].startswith("gradverify report: done in ") and lines[-1].endswith(" s")

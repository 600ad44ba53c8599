"""workspace/background.py: work beside the main thread, waited for or stopped."""

from __future__ import annotations

import threading

import pytest

from transflow.workspace.background import Beside, Stopped
from transflow.workspace.errors import BuildError


def test_the_result_and_what_it_raised_come_back_where_it_is_waited_for() -> None:
    assert Beside(lambda _: 42, "answer").result() == 42

    def fails(_: object) -> None:
        raise BuildError("no template", "templates/x.html")

    with pytest.raises(BuildError, match="no template"):
        Beside(fails, "fails").result()


def test_stop_ends_it_at_its_next_progress_call() -> None:
    started, steps = threading.Event(), []

    def pages(progress):  # type: ignore[no-untyped-def]
        for n in range(10_000):
            started.set()
            progress(f"page {n}", n, 10_000)
            steps.append(n)
            threading.Event().wait(0.001)

    beside = Beside(pages, "pages")
    started.wait()
    beside.stop()  # returns once the thread has ended
    assert 0 < len(steps) < 10_000
    done = len(steps)
    threading.Event().wait(0.05)
    assert len(steps) == done  # nothing more after it stopped
    with pytest.raises(Stopped):
        beside.result()

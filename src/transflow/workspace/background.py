"""Work run in a thread beside the main one while it waits for worker processes (the
site while the bulletins render, the planning while the workers check), and how it
is waited for or stopped: what it raised is raised again where it is waited for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Stopped(Exception):
    """Raised in the thread, at its next progress call, when its run is stopping."""


class Beside(Generic[T]):
    """``work(progress)`` in a daemon thread: ``result`` waits for it; ``stop`` makes
    its next ``progress`` call raise ``Stopped`` and waits for it to end (an interrupt
    in the main thread must not leave it writing). Work that never calls progress (a
    thread waiting for worker processes) can only be let go: ``abandon``."""

    def __init__(self, work: Callable[[Callable[[str, int, int], None]], T],
                 name: str) -> None:
        self._stopping = threading.Event()
        self._value: list[T] = []
        self._error: list[BaseException] = []

        def run() -> None:
            try:
                self._value.append(work(self.progress))
            except BaseException as exc:  # raised again where it is waited for
                self._error.append(exc)

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def progress(self, what: str, done: int, total: int) -> None:
        if self._stopping.is_set():
            raise Stopped(what)

    def result(self) -> T:
        self._thread.join()
        if self._error:
            raise self._error[0]
        return self._value[0]

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def abandon(self) -> None:
        """Leave it (a daemon thread ends with the process)."""
        self._stopping.set()

"""How library functions report progress: a callback the caller supplies.

``progress(label, done, total)`` is called before each unit of work (a week, a
catalog, a bulletin): ``done`` units are finished out of ``total``. Library code never
prints; the CLI turns these calls into a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]

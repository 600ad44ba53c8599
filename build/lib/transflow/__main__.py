"""Allow ``python -m transflow``."""

from __future__ import annotations

from transflow.cli import main

main()

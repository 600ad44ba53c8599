"""transflow: Markdown commentaries → gettext catalogs → HTML and PDF weekly bulletins."""

from __future__ import annotations

__version__ = "0.1.0"

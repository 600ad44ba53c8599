"""What of a text can be shown: control characters (which ``msgfmt --check`` and YAML
accept, but no page, PDF or feed can hold: XML refuses them outright) are left out of
everything a reader gets; ``check`` names the line that holds one."""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f]")
"""C0 and C1 controls and DEL; tab and line feed are text."""


def readable(text: str) -> str:
    """``text`` without control characters."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


def controls(text: str) -> list[str]:
    """The control characters ``text`` holds, as U+XXXX, each once."""
    return [f"U+{ord(ch):04X}" for ch in dict.fromkeys(CONTROL.findall(text))]

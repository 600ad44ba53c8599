"""The offline pseudo provider: accented, bracketed, longer text, so that untranslated
and overflowing text shows in a layout without any network."""

from __future__ import annotations

import re
import unicodedata

_ACCENTED = str.maketrans("aceinorsuyACEINORSUY", "àçéîñöŕšûýÀÇÉÎÑÖŔŠÛÝ")


def pseudo_translate(text: str) -> str:
    """Accented, bracketed, a third longer: shows untranslated and overflowing text."""
    parts = re.split(r"(\{\d+\})", text)
    body = "".join(p if p.startswith("{") else p.translate(_ACCENTED) for p in parts)
    padding = "~" * max(1, len(text) // 3 // 4)
    return unicodedata.normalize("NFC", f"[{body} {padding}]")



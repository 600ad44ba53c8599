"""The offline pseudo provider: accented, bracketed, longer text, so that untranslated
and overflowing text shows in a layout without any network (and the tests draft with
it)."""

from __future__ import annotations

import re
import unicodedata

from transflow.assist.mt.providers import ErrorKind, register

_ACCENTED = str.maketrans("aceinorsuyACEINORSUY", "àçéîñöŕšûýÀÇÉÎÑÖŔŠÛÝ")


def pseudo_translate(text: str) -> str:
    """Accented, bracketed, a third longer: shows untranslated and overflowing text."""
    parts = re.split(r"(\{\d+\})", text)
    body = "".join(p if p.startswith("{") else p.translate(_ACCENTED) for p in parts)
    padding = "~" * max(1, len(text) // 3 // 4)
    return unicodedata.normalize("NFC", f"[{body} {padding}]")


class Pseudo:
    name = "pseudo"
    key_variable: str | None = None
    offline = True

    def languages(self) -> None:
        return None  # any pair

    def engine(self, source: str, target: str, url: str | None, timeout: float) -> Pseudo:
        return self

    def translate(self, text: str) -> str:
        return pseudo_translate(text)

    def error_kind(self, exc: BaseException) -> ErrorKind:
        return "text"

    def refused_key(self, exc: BaseException) -> bool:
        return False

    def describe(self, exc: BaseException) -> str:
        return f"{type(exc).__name__}: {exc}"


register(Pseudo())

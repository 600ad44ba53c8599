"""Reading a page's bytes: the encodings browsers save in (UTF-8, cp1251, UTF-16),
refusing garbled text, and saved HTML turned into text by trafilatura (imported here
and nowhere else)."""

from __future__ import annotations

import re

from transflow.authoring.importer.page import PageError

_MOJIBAKE = re.compile(r"[ÐÑ][\u0080-\u00bf]|Ã[\u0080-\u00bf]|â€")


def decode(data: bytes, name: str) -> str:
    """Text of a page in UTF-8, UTF-16 (with BOM) or cp1251; anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1251", errors="replace")
            letters = [ch for ch in text if ch.isalpha() and ord(ch) > 127]
            cyrillic = [ch for ch in letters if "\u0400" <= ch <= "\u04ff"]
            # Another 8-bit encoding read as cp1251 gives Latin words with Cyrillic
            # letters inside them ("Tytuі"): real cp1251 text never does.
            mixed = any(re.search(r"[A-Za-z]", w) and re.search(r"[\u0400-\u04ff]", w)
                        for w in re.findall(r"\w+", text))
            if ("\ufffd" in text or not letters or mixed
                    or len(cyrillic) < 0.9 * len(letters)):
                raise PageError(
                    "not UTF-8, UTF-16 or cp1251 text; save the page as UTF-8 and import "
                    "it again", name) from None
    if _MOJIBAKE.search(text):
        raise PageError(
            "the text is already garbled (UTF-8 read as Latin-1 or cp1252: 'Ð¡' for 'С'); "
            "copy the page again from the browser", name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(html: str) -> tuple[str, str | None, str | None]:
    """The article of a saved page as lines of text, with the title and author the
    page's metadata gives (trafilatura drops bylines from the text)."""
    import trafilatura

    text = trafilatura.extract(html, favor_recall=True, include_comments=False,
                               include_tables=False, deduplicate=False) or ""
    meta = trafilatura.extract_metadata(html)
    return text, (meta.title if meta else None), (meta.author if meta else None)

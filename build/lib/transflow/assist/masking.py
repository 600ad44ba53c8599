"""Protecting what machine translation must not touch.

Before a segment goes to an MT provider, link targets and URLs, inline code, numbers
with their formatting, and emphasis markers are replaced by numbered placeholders
``{0}``, ``{1}``…; after, they are put back. A draft whose placeholders came back
lost, duplicated or invented is refused: nothing broken reaches a catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Order matters: a link's target and a URL may hold digits and asterisks.
_PATTERNS = [
    re.compile(r"`[^`]+`"),                                  # inline code
    re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"),          # "](target)" of a link
    re.compile(r"\["),                                        # "[" opening a link
    re.compile(r"<?(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?]>?"),  # bare URL
    re.compile(r"[{}]"),                                      # would read as placeholders
    re.compile(r"\*\*|__|\*|(?<!\w)_|_(?!\w)"),              # emphasis markers
    re.compile(r"\d+(?:[.,\u00a0\u202f ]\d{3}(?!\d))*(?:[.,]\d+)?(?:\s?[%‰])?"),
]
_PLACEHOLDER = re.compile(r"\{\s*(\d+)\s*\}")


@dataclass(frozen=True)
class Masked:
    text: str
    """The text as sent, with placeholders."""
    originals: tuple[str, ...]
    """What placeholder {i} stands for."""


class MaskError(ValueError):
    """A draft came back with placeholders lost, duplicated or invented."""


def mask(text: str) -> Masked:
    originals: list[str] = []
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if start < end and not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
    out = []
    position = 0
    for start, end in sorted(spans):
        out.append(text[position:start])
        out.append(f"{{{len(originals)}}}")
        originals.append(text[start:end])
        position = end
    out.append(text[position:])
    return Masked("".join(out), tuple(originals))


def unmask(translated: str, masked: Masked) -> str:
    """Put the originals back; ``MaskError`` unless each placeholder appears exactly once."""
    found = [int(m.group(1)) for m in _PLACEHOLDER.finditer(translated)]
    expected = list(range(len(masked.originals)))
    if sorted(found) != expected:
        lost = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected)) or sorted(
            {i for i in found if found.count(i) > 1})
        detail = []
        if lost:
            # Placeholders by number, not the text they stand for: report lines carry
            # no segment text.
            detail.append("lost placeholders " + ", ".join(f"{{{i}}}" for i in lost))
        if extra:
            detail.append("changed or repeated placeholders " + ", ".join(map(str, extra)))
        raise MaskError("; ".join(detail) or "placeholders changed")
    return _PLACEHOLDER.sub(lambda m: masked.originals[int(m.group(1))], translated)


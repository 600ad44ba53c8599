"""How alike two texts are, as gettext measures it: the share of characters the two
have in common in order (``2 × LCS / (len a + len b)``, what msgmerge's ``fstrcmp``
computes), and the search of many texts for the one most like a given text.

rapidfuzz is imported here and nowhere else.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def ratio(a: str, b: str, cutoff: float = 0.0) -> float:
    """0–1; 0 when below ``cutoff`` (which lets the comparison stop early)."""
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(a, b, score_cutoff=cutoff))


class Choices:
    """Texts to search, ordered by length, so that a search compares a text only with
    those whose length allows the score asked for: ``2 × min / (la + lb)`` bounds the
    score, so the window is exact and finds what a search of every text finds."""

    def __init__(self, texts: Sequence[str]) -> None:
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        self._texts = [texts[i] for i in order]
        self._rank = order
        """Each sorted text's place in ``texts``: ties go to the earliest, as before."""
        self._lengths = [len(t) for t in self._texts]

    def __len__(self) -> int:
        return len(self._texts)

    def best(self, text: str, cutoff: float) -> tuple[int, float] | None:
        """The index in ``texts`` and score (0–100) of the text most like ``text`` at
        ``cutoff`` or above (the earliest of equals), or None."""
        from rapidfuzz import fuzz, process

        if not self._texts or cutoff <= 0:
            return None
        n = len(text)
        lo, hi = self._window(n, cutoff)
        found = process.extractOne(text, self._texts[lo:hi], scorer=fuzz.ratio,
                                   score_cutoff=cutoff)
        if found is None:
            return None
        score = found[1]
        # Several may share the best score: the earliest in the caller's order wins.
        # They lie in the (narrower) window of that score; a hair below it, as a score
        # recomputed may differ in its last bit.
        tlo, thi = self._window(n, score - 1e-6)
        equals = process.extract(text, self._texts[tlo:thi], scorer=fuzz.ratio,
                                 score_cutoff=score - 1e-6, limit=None)
        return min([self._rank[tlo + i] for _, s, i in equals if s >= score - 1e-6]
                   + [self._rank[lo + found[2]]]), score

    def _window(self, n: int, cutoff: float) -> tuple[int, int]:
        """The sorted texts whose length lets them score ``cutoff`` against length n."""
        return (bisect.bisect_left(self._lengths, n * cutoff / (200 - cutoff) - 1e-9),
                bisect.bisect_right(self._lengths, n * (200 - cutoff) / cutoff + 1e-9))

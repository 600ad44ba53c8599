"""How alike two texts are, as gettext measures it: the share of characters the two
have in common in order (``2 × LCS / (len a + len b)``, what msgmerge's ``fstrcmp``
computes), and the search of many texts for the one most like a given text.

rapidfuzz is imported here and nowhere else.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

_CHUNK = 64
"""Texts compared at once in ``best_of_many``: a chunk's score matrix is 64 × the
choices' float32 scores (13 MB against 50,000 choices)."""


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
        self._given = list(texts)
        """The texts in the caller's order, for ``best_of_many``."""

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

    def best_of_many(self, texts: Sequence[str], cutoff: float, workers: int = -1,
                     ) -> list[tuple[int, float] | None]:
        """``best`` for many texts at once: compared in C by ``workers`` threads (-1:
        one per CPU; rapidfuzz's ``cdist``), then the leaders of each row scored again
        exactly, so the answers are those of ``best`` one by one."""
        from rapidfuzz import fuzz, process

        if not self._texts or cutoff <= 0 or not texts:
            return [None] * len(texts)
        order = self._given
        answers: list[tuple[int, float] | None] = []
        for start in range(0, len(texts), _CHUNK):
            chunk = texts[start:start + _CHUNK]
            # float32 keeps the matrix small; the close leaders are re-scored in full.
            scores = process.cdist(chunk, order, scorer=fuzz.ratio, score_cutoff=cutoff,
                                   workers=workers, dtype="float32")
            for text, row in zip(chunk, scores, strict=True):
                top = float(row.max())
                if top <= 0:
                    answers.append(None)
                    continue
                leaders = [int(i) for i in (row >= top - 0.01).nonzero()[0]]
                exact = [(fuzz.ratio(text, order[i], score_cutoff=cutoff), i)
                         for i in leaders]
                score = max(x for x, _ in exact)
                answers.append((min(i for x, i in exact if x >= score), score)
                               if score >= cutoff else None)
        return answers

    def _window(self, n: int, cutoff: float) -> tuple[int, int]:
        """The sorted texts whose length lets them score ``cutoff`` against length n."""
        return (bisect.bisect_left(self._lengths, n * cutoff / (200 - cutoff) - 1e-9),
                bisect.bisect_right(self._lengths, n * (200 - cutoff) / cutoff + 1e-9))

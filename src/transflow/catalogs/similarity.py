"""How alike two texts are, as gettext measures it: the share of characters the two
have in common in order (``2 × LCS / (len a + len b)``, what msgmerge's ``fstrcmp``
computes), and the search of many texts for the one most like a given text.

A search compares a text with every text whose length allows the score asked for,
while those are few (``EXHAUSTIVE``). Among more, it does what msgmerge does with a
compendium (gettext's ``msgl-fsearch.c``): an index of 4-grams ranks the texts by
the 4-grams they share with the one sought, and only the leading ones are compared.
A text that shares almost no 4-gram with another yet has most characters in common
with it would be missed (msgmerge makes the same trade); a search never returns a
score it did not compute, nor one below the cutoff.

rapidfuzz and numpy are imported here and nowhere else.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_CHUNK = 64
"""Texts compared at once in ``best_of_many``: a chunk's score matrix is 64 × the
choices' float32 scores (13 MB against 50,000 choices)."""

EXHAUSTIVE = 4096
"""Up to this many texts in a length window, all are compared (well under a
millisecond); beyond, the 4-gram index chooses which."""

_GRAM = 4
"""msgmerge's n: with 3, the lists of texts holding a gram grow long."""
_SAMPLE = 2
"""The index keeps one 4-gram in two, chosen by its hash, so the same ones in every
text: half the work, and two texts share much the same part of the 4-grams kept."""
_LEADERS = 4
"""msgmerge compares the first √n texts of its ranking; four times as many found
every match a search of everything found in ``bench/memory_lookup.py``'s trials."""
_BUCKET_BITS = 21
"""4-grams are hashed into 2 million buckets: two grams in one bucket only make a
text look a little more alike to the ranking, never to the score."""
_BATCH = 4096
"""Texts whose 4-grams are hashed at once."""
_COMMON = 4
"""A 4-gram held by more than a quarter of the texts says little about which is
alike, and costs the most to count: ranking leaves it out..."""
_SCAN = 250_000
"""Comparisons worth making instead of the 4-gram index: making it costs about as much
as half a million (0.55 s for 22,000 texts in ``bench/archive.py``'s memory), so a few
texts sought are compared with their whole window, which finds every match above the
cutoff, as the ranking may not."""
_FEWEST = 8
"""...unless fewer than this many 4-grams of the text are left: then its window is
searched whole."""


def ratio(a: str, b: str, cutoff: float = 0.0) -> float:
    """0–1; 0 when below ``cutoff`` (which lets the comparison stop early)."""
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(a, b, score_cutoff=cutoff))


class Choices:
    """Texts to search, ordered by length, so that a search looks only at those whose
    length allows the score asked for: ``2 × min / (la + lb)`` bounds the score, so
    this window leaves out nothing a search of every text would find."""

    def __init__(self, texts: Sequence[str]) -> None:
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        self._texts = [texts[i] for i in order]
        self._rank = order
        """Each sorted text's place in ``texts``: ties go to the earliest, as before."""
        self._lengths = [len(t) for t in self._texts]
        self._given = list(texts)
        """The texts in the caller's order, for ``best_of_many``."""
        self._grams: _Grams | None = None  # made at the first wide search

    def __len__(self) -> int:
        return len(self._texts)

    def index(self) -> None:
        """Make the 4-gram index now if a search may need it, not at the first."""
        if len(self._texts) > EXHAUSTIVE and self._grams is None:
            self._grams = _Grams(self._texts)

    def best(self, text: str, cutoff: float, scan: bool = False) -> tuple[int, float] | None:
        """The index in ``texts`` and score (0–100) of the text most like ``text`` at
        ``cutoff`` or above (the earliest of equals), or None; ``scan``: compare it with
        every text of its window, however many."""
        from rapidfuzz import fuzz, process

        if not self._texts or cutoff <= 0:
            return None
        n = len(text)
        lo, hi = self._window(n, cutoff)
        if hi - lo > EXHAUSTIVE and not scan:
            ranked = self._ranked(text, lo, hi)
            if ranked is not None:
                return self._best_among(text, ranked, cutoff)
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
        if len(self._texts) > EXHAUSTIVE:
            if self._grams is None and len(texts) * len(self._texts) <= _SCAN:
                return [self.best(text, cutoff, scan=True) for text in texts]
            # Each answer is then that of ``best``, whose search is narrow: a batch
            # would only compare the texts it leaves out. numpy and rapidfuzz let go
            # of the GIL while they count and compare, so threads share the work.
            self.index()
            threads = (os.cpu_count() or 1) if workers < 0 else workers
            if threads <= 1 or len(texts) == 1:
                return [self.best(text, cutoff) for text in texts]
            with ThreadPoolExecutor(threads) as pool:
                return list(pool.map(lambda text: self.best(text, cutoff), texts))
        order = self._given
        answers: list[tuple[int, float] | None] = []
        for start in range(0, len(texts), _CHUNK):
            chunk = texts[start:start + _CHUNK]
            # float32 keeps the matrix small; the close leaders are re-scored in full.
            scores = process.cdist(chunk, order, scorer=fuzz.ratio, score_cutoff=cutoff,
                                   workers=workers, dtype="float32")
            answers += [_settle(text, row, order, range(len(order)), cutoff)
                        for text, row in zip(chunk, scores, strict=True)]
        return answers

    def _ranked(self, text: str, lo: int, hi: int) -> list[int] | None:
        """The sorted texts in [lo, hi) sharing the most 4-grams with ``text``, best
        first; None when ``text`` has too few telling 4-grams to rank by."""
        self.index()
        assert self._grams is not None
        keep = max(100, _LEADERS * math.isqrt(hi - lo))
        return self._grams.leading(text, lo, hi, keep)

    def _best_among(self, text: str, ranked: list[int], cutoff: float,
                    ) -> tuple[int, float] | None:
        from rapidfuzz import fuzz, process

        if not ranked:
            return None
        candidates = [self._texts[i] for i in ranked]
        scores = process.cdist([text], candidates, scorer=fuzz.ratio, score_cutoff=cutoff,
                               workers=1, dtype="float32")[0]
        return _settle(text, scores, candidates, [self._rank[i] for i in ranked], cutoff)

    def _window(self, n: int, cutoff: float) -> tuple[int, int]:
        """The sorted texts whose length lets them score ``cutoff`` against length n."""
        return (bisect.bisect_left(self._lengths, n * cutoff / (200 - cutoff) - 1e-9),
                bisect.bisect_right(self._lengths, n * (200 - cutoff) / cutoff + 1e-9))


def _settle(text: str, scores: np.ndarray, candidates: Sequence[str], places: Sequence[int],
            cutoff: float) -> tuple[int, float] | None:
    """The best of ``candidates`` from their approximate ``scores``: the leaders scored
    again exactly, and the earliest of equals by ``places`` (each candidate's place in
    the caller's order)."""
    from rapidfuzz import fuzz

    top = float(scores.max())
    if top <= 0:
        return None
    exact = [(fuzz.ratio(text, candidates[i], score_cutoff=cutoff), places[i])
             for i in (scores >= top - 0.01).nonzero()[0].tolist()]
    score = max(x for x, _ in exact)
    return (min(p for x, p in exact if x >= score), score) if score >= cutoff else None


class _Grams:
    """Which texts hold each 4-gram of the lowercased texts, as ``postings[starts[b]:
    starts[b + 1]]`` for the bucket ``b`` the 4-gram hashes to (each text once)."""

    def __init__(self, texts: Sequence[str]) -> None:
        import numpy as np

        # A few thousand texts at a time, so that what is made per character (about
        # 30 bytes) stays small next to what is kept (the postings).
        parts = [_keys(texts, start, start + _BATCH) for start in range(0, len(texts), _BATCH)]
        keys = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        del parts
        keys.sort()
        if len(keys):
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        self.postings = (keys & np.uint64(0xFFFFFFFF)).astype(np.int32)
        counts = np.bincount((keys >> np.uint64(32)).astype(np.int32),
                             minlength=1 << _BUCKET_BITS)
        del keys
        self.starts = np.zeros(len(counts) + 1, dtype=np.int32)
        np.cumsum(counts, out=self.starts[1:])
        self.held = np.bincount(self.postings, minlength=len(texts)).astype(np.int32)
        """How many distinct 4-grams each text has."""
        self.common = max(len(texts) // _COMMON, 1)

    def leading(self, text: str, lo: int, hi: int, keep: int) -> list[int] | None:
        import numpy as np

        codes = np.frombuffer(text.lower().encode("utf-32-le"), dtype=np.uint32)
        mine = np.unique(_buckets(codes)[0])
        held_by = self.starts[mine + 1] - self.starts[mine]
        telling = mine[held_by <= self.common]
        if len(telling) < _FEWEST:
            return None
        found = np.concatenate([self.postings[self.starts[b]:self.starts[b + 1]]
                                for b in telling.tolist()])
        found = found[(found >= lo) & (found < hi)] - lo
        shared = np.bincount(found, minlength=hi - lo)
        # Dice's share of 4-grams, so that long texts do not lead by length alone.
        alike = shared / (self.held[lo:hi] + len(mine))
        top = np.flatnonzero(shared)
        if len(top) > keep:
            top = top[np.argpartition(-alike[top], keep)[:keep]]
        return [lo + int(i) for i in top[np.argsort(-alike[top], kind="stable")]]


def _keys(texts: Sequence[str], start: int, end: int) -> np.ndarray:
    """``bucket << 32 | text`` for each kept 4-gram of texts[start:end]."""
    import numpy as np

    lowered = [t.lower() for t in texts[start:end]]  # may change a length: use these
    lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered))
    codes = np.frombuffer("\0".join(lowered).encode("utf-32-le"), dtype=np.uint32)
    buckets, kept = _buckets(codes)
    # Each 4-gram's text (the one whose separator comes after it), and whether the
    # 4-gram lies within it: neither starting at the separator before the text nor
    # running into the one after.
    ends = np.cumsum(lengths + 1) - 1
    owner = np.searchsorted(ends, kept, side="right")
    inside = (codes[kept] != 0) & (kept + (_GRAM - 1) < ends[owner])
    packed: np.ndarray = (buckets[inside].astype(np.uint64) << np.uint64(32)) | (
        owner[inside] + start).astype(np.uint64)
    return packed


def _buckets(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The buckets of the kept 4-grams of ``codes`` (code points), and where each
    4-gram starts."""
    import numpy as np

    n = len(codes) - _GRAM + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    mixed = codes[:n] * np.uint32(0x9E3779B1)
    for k, factor in enumerate((0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F), start=1):
        mixed ^= codes[k:k + n] * np.uint32(factor)
        mixed *= np.uint32(0x165667B1)
    kept = ((mixed & np.uint32(_SAMPLE - 1)) == 0).nonzero()[0]
    return mixed[kept] >> np.uint32(32 - _BUCKET_BITS), kept

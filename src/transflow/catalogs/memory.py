"""The translation memory: every translated entry of every week's catalog of a
language, plus archives (.po, .tmx) named in transflow.toml, looked up by exact
and by similar source text (similar: see ``similarity``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.model import Catalog, Entry, FromMemory
from transflow.catalogs.similarity import Choices
from transflow.workspace.config import UI_DOMAIN, Config
from transflow.workspace.errors import ConfigError
from transflow.workspace.records import Records, fingerprint
from transflow.workspace.records import stamp as file_stamp
from transflow.workspace.weeks import is_week_name

# A number as text writes it: 5, 2019, 1,500, 1 500, 12.5.
NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")


@dataclass(frozen=True)
class MemoryEntry:
    source: str
    translation: str
    origin: str
    """Where it came from: ``2019-W10 minsk-talks`` or an archive file."""


@dataclass(frozen=True)
class Match:
    entry: MemoryEntry
    score: float
    translation: str
    """The memory's translation, with numbers updated where only they differ."""
    numbers_updated: bool = False


class TranslationMemory:
    def __init__(self, entries: Iterable[MemoryEntry],
                 versions: dict[str, str] | None = None,
                 misses: Misses | None = None,
                 by_file: dict[str, list[MemoryEntry]] | None = None) -> None:
        self.versions = dict(versions or {})
        """Each file's name and a digest of its entries: the memory's version."""
        self._by_file = by_file or {}
        self.stores: tuple[_FileRecords, Records[FileVersion]] | None = None
        """The records ``load_memory`` read (for ``remember_written``: not read twice)."""
        self._misses = misses
        self._found: dict[tuple[str, float], Match | None] = {}
        """Lookups answered ahead, by ``prefetch``."""
        self.missed: set[str] = set()
        """Texts that found nothing at the threshold asked, in this run."""
        self._by_source: dict[str, MemoryEntry] = {}
        for entry in entries:  # the first one seen wins: callers put the newest first
            self._by_source.setdefault(entry.source, entry)
        self._sources = list(self._by_source)
        self._choices: Choices | None = None  # made at the first fuzzy lookup

    def __len__(self) -> int:
        return len(self._sources)

    def entries(self) -> Iterator[MemoryEntry]:
        """Each source text's entry, in the order a search prefers among equals."""
        return (self._by_source[s] for s in self._sources)

    def changed_since(self, base: dict[str, str]) -> TranslationMemory:
        """The entries of the files whose digest is not the one ``base`` gives: a text
        that found nothing in the memory as ``base`` was can only find something among
        these now (and what it finds is what a search of the whole memory would)."""
        return TranslationMemory(e for name, digest in self.versions.items()
                                 if base.get(name) != digest
                                 for e in self._by_file.get(name, ()))

    def index(self) -> None:
        """Make what similar-text lookups search now, rather than at the first."""
        self._search().index()

    def lookup(self, text: str, threshold: float) -> Match | None:
        exact = self._by_source.get(text)
        if exact is not None:
            return Match(exact, 100.0, exact.translation)
        if self._misses is not None and self._remembered_miss(text, threshold):
            # It found nothing in the memory as it was: only what was added since can
            # match now (and would be the best match, all else being below threshold).
            match = self._misses.delta.lookup(text, threshold)
            if match is None:
                self.missed.add(text)
            return match
        match = self._fuzzy(text, threshold)
        if match is None:
            self.missed.add(text)
        return match

    def prefetch(self, texts: Iterable[str], threshold: float, workers: int = -1) -> None:
        """Look up many texts at once (``workers`` threads; -1: one per CPU): a run
        knows, after merging, every entry the memory may fill; ``lookup`` then answers
        them from here."""
        wanted = sorted({t for t in texts if t not in self._by_source
                         and not self._remembered_miss(t, threshold)
                         and (t, threshold) not in self._found})
        if not wanted or not self._sources:
            return
        for text, found in zip(wanted, self._search().best_of_many(wanted, threshold,
                                                                   workers), strict=True):
            self._found[(text, threshold)] = self._match(text, found)

    def _remembered_miss(self, text: str, threshold: float) -> bool:
        misses = self._misses
        return misses is not None and misses.threshold == threshold and text in misses.texts

    def _fuzzy(self, text: str, threshold: float) -> Match | None:
        if (text, threshold) in self._found:
            return self._found[(text, threshold)]
        if not self._sources:
            return None
        return self._match(text, self._search().best(text, threshold))

    def _search(self) -> Choices:
        if self._choices is None:
            self._choices = Choices(self._sources)
        return self._choices

    def _match(self, text: str, found: tuple[int, float] | None) -> Match | None:
        if found is None:
            return None
        entry = self._by_source[self._sources[found[0]]]
        patched = patch_numbers(text, entry.source, entry.translation)
        if patched is not None and patched != entry.translation:
            return Match(entry, found[1], patched, numbers_updated=True)
        return Match(entry, found[1], entry.translation)


@dataclass(frozen=True)
class Misses:
    """Texts that found nothing in the memory at ``threshold`` when its files were as
    ``base`` says, and the entries of the files added or changed since (``delta``)."""

    threshold: float
    texts: frozenset[str]
    delta: TranslationMemory


def _digits(token: str) -> str:
    return re.sub(r"\D", "", token)


def _reformat(new: str, like: str) -> str:
    """``new``'s digits with the separators ``like`` uses (1,500 → 1 500 in ru text)."""
    separators = re.findall(r"[.,\u00a0\u202f ]", like)
    if not separators:
        return _digits(new) if re.fullmatch(r"\d+", like) else new
    if re.fullmatch(r"\d+", new):
        return new
    source_seps = re.findall(r"[.,\u00a0\u202f ]", new)
    mapping = dict(zip(source_seps, separators, strict=False))
    return re.sub(r"[.,\u00a0\u202f ]", lambda m: mapping.get(m.group(0), m.group(0)), new)


def patch_numbers(new_source: str, old_source: str, old_translation: str) -> str | None:
    """The old translation with its numbers updated, when the two sources differ only
    in numbers (and dates); None when they differ in anything else."""
    if NUMBER.sub("#", new_source) != NUMBER.sub("#", old_source):
        return None
    old_numbers = NUMBER.findall(old_source)
    new_numbers = NUMBER.findall(new_source)
    result = old_translation
    for old, new in zip(old_numbers, new_numbers, strict=True):
        if old == new:
            continue
        for m in NUMBER.finditer(result):
            if _digits(m.group(0)) == _digits(old):
                result = result[:m.start()] + _reformat(new, m.group(0)) + result[m.end():]
                break
        else:
            return None
    return result


def _entries_of(catalog: Catalog, origin: str) -> Iterator[MemoryEntry]:
    for e in catalog.active:
        if not e.msgid_plural and e.reviewed:
            yield MemoryEntry(e.msgid, e.msgstr, f"{origin} {e.msgctxt}" if e.msgctxt
                              else origin)


def _tmx_entries(path: Path, lang: str, shown: str) -> Iterator[MemoryEntry]:
    # defusedxml: an archive from elsewhere must not expand entities or fetch DTDs.
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.parse(path).getroot()
    except (ParseError, DefusedXmlException, OSError) as exc:
        raise ConfigError(f"cannot read translation memory: {exc}", shown) from None
    if root is None:
        return
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for tu in root.iter("tu"):
        segments = {}
        for tuv in tu.iter("tuv"):
            code = (tuv.get(xml_lang) or tuv.get("lang") or "").split("-")[0].lower()
            seg = tuv.find("seg")
            if code and seg is not None:
                segments[code] = "".join(seg.itertext()).strip()
        if segments.get(lang):
            for code, text in segments.items():
                if code != lang and text:
                    yield MemoryEntry(text, segments[lang], shown)


def _read_file(path: Path, shown: str, lang: str, origin: str) -> list[MemoryEntry]:
    if path.suffix == ".tmx":
        return list(_tmx_entries(path, lang, shown))
    catalog = pofile.read_catalog(path, shown)
    if catalog.meta.get("Language", lang).split("_")[0] != lang:
        return []
    return list(_entries_of(catalog, origin))


@dataclass(frozen=True)
class MemoryFile:
    """What one of the memory's files holds, and a digest of it: the memory's record of
    the file (``.transflow/memory-<lang>-state.json``), kept by the file's size and
    time, so an archive of hundreds of weeks is parsed once, not every run."""

    rows: tuple[tuple[str, str, str], ...]
    """(source, translation, origin) of each entry."""
    digest: str

    @classmethod
    def of(cls, entries: list[MemoryEntry]) -> MemoryFile:
        rows = tuple((e.source, e.translation, e.origin) for e in entries)
        return cls(rows, fingerprint(rows))

    @property
    def entries(self) -> list[MemoryEntry]:
        return [MemoryEntry(*row) for row in self.rows]


@dataclass(frozen=True)
class Missed:
    """The texts that found nothing in the memory of a language at ``threshold``, when
    its files were as ``base`` says (``.transflow/memory-misses-state.json``)."""

    threshold: float
    base: dict[str, str]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class FileVersion:
    """A memory file's digest alone (``.transflow/memory-<lang>-versions-state.json``):
    the memory's version is known without reading its entries."""

    digest: str


class _FileRecords:
    """The records of the memory's files (``MemoryFile``), one store a year (``.transflow/
    memory-<lang>-<year>-state.json``, the archives in ``…-archives-…``): an update that
    wrote one week's catalog rewrites that year's store (2 MB at five commentaries a
    week), not the whole memory's (23 MB at 520 weeks)."""

    def __init__(self, config: Config, lang: str) -> None:
        self.config = config
        self.lang = lang
        self._stores: dict[str, Records[MemoryFile]] = {}

    def _store(self, shown: str) -> Records[MemoryFile]:
        stem = Path(shown).stem
        part = stem[:4] if is_week_name(stem) else "archives"
        if part not in self._stores:
            self._stores[part] = Records(self.config.root, f"memory-{self.lang}-{part}",
                                         MemoryFile)
        return self._stores[part]

    def current(self, shown: str, print_: str) -> MemoryFile | None:
        return self._store(shown).current(shown, print_)

    def record(self, shown: str, print_: str, value: MemoryFile) -> None:
        self._store(shown).record(shown, print_, value)

    def forget(self, shown: str) -> None:
        self._store(shown).forget(shown)

    def keep_only(self, keys: set[str]) -> None:
        """Forget the files no longer there (in the stores of the files that are)."""
        for store in self._stores.values():
            store.keep_only(keys)

    def save(self) -> None:
        for store in self._stores.values():
            store.save()
        # The one store of earlier versions, now split by year.
        (self.config.root / ".transflow" / f"memory-{self.lang}-state.json").unlink(
            missing_ok=True)


def _file_records(config: Config, lang: str) -> _FileRecords:
    return _FileRecords(config, lang)


def _version_records(config: Config, lang: str) -> Records[FileVersion]:
    return Records(config.root, f"memory-{lang}-versions", FileVersion)


def memory_versions(config: Config, lang: str) -> dict[str, str] | None:
    """The memory's version (each file's digest, as ``TranslationMemory.versions``)
    from the records alone; None when a file is not as recorded (then ``load_memory``
    tells). A no-op update asks it for every language, and reads no entry."""
    records = _version_records(config, lang)
    versions: dict[str, str] = {}
    for path, shown, _ in _files(config, lang):
        known = records.current(shown, fingerprint(file_stamp(path)))
        if known is None:
            return None
        versions[shown] = known.digest
    return versions


def _missed_records(config: Config) -> Records[Missed]:
    return Records(config.root, "memory-misses", Missed)


def _files(config: Config, lang: str) -> list[tuple[Path, str, str]]:
    """The memory's files, newest week first, then the archives: (path, name, origin)."""
    folder = config.locales_dir / lang / "LC_MESSAGES"
    files = [(p, config.rel(p), p.stem) for p in sorted(folder.glob("*.po"), reverse=True)
             if p.stem != UI_DOMAIN and pofile.exists(p, config.rel(p))]
    for name in config.memory.files:
        path = config.root / name
        if not path.exists():
            raise ConfigError(f"translation memory file {name} (listed in [memory] files) "
                              "does not exist", config.rel(config.config_path))
        files.append((path, name, name))
    return files


def load_memory(config: Config, lang: str) -> TranslationMemory:
    """The memory for translations into ``lang``: newest week first, then archives.

    What each file holds is recorded (see ``MemoryFile``) by modification time and size,
    so an archive of hundreds of weeks is parsed once, not every run.
    """
    records = _file_records(config, lang)
    digests = _version_records(config, lang)
    entries: list[MemoryEntry] = []
    versions: dict[str, str] = {}
    missed = _missed_records(config).get(lang)
    base = missed.base if missed is not None else {}
    changed: list[MemoryEntry] = []
    by_file: dict[str, list[MemoryEntry]] = {}
    seen = set()
    for path, shown, origin in _files(config, lang):
        print_ = fingerprint(file_stamp(path))
        seen.add(shown)
        known = records.current(shown, print_)
        if known is None:
            known = MemoryFile.of(_read_file(path, shown, lang, origin))
            records.record(shown, print_, known)
        digests.record(shown, print_, FileVersion(known.digest))
        found = by_file[shown] = known.entries
        versions[shown] = known.digest
        entries += found
        if base.get(shown) != versions[shown]:
            changed += found
    for store in (records, digests):
        store.keep_only(seen)
        store.save()
    misses = None
    if missed is not None:
        misses = Misses(missed.threshold, frozenset(missed.texts), TranslationMemory(changed))
    memory = TranslationMemory(entries, versions, misses, by_file)
    memory.stores = (records, digests)
    return memory


def known_misses(config: Config, lang: str, versions: dict[str, str],
                 threshold: float) -> frozenset[str]:
    """The texts known to find nothing at ``threshold`` in the memory of ``lang`` as
    ``versions`` says it is (each file's digest): none when the memory moved since."""
    missed = _missed_records(config).get(lang)
    if missed is None or missed.threshold != threshold or missed.base != versions:
        return frozenset()
    return frozenset(missed.texts)


def save_misses(config: Config, lang: str, memory: TranslationMemory,
                threshold: float) -> None:
    """Remember the texts that found nothing in this run, and the memory's version: the
    next run looks them up only in what the memory gains meanwhile."""
    records = _missed_records(config)
    records.record(lang, "", Missed(threshold, dict(memory.versions),
                                    tuple(sorted(memory.missed))))
    records.save()


def remember_written(config: Config, memory: TranslationMemory, lang: str,
                     written: dict[Path, Catalog]) -> dict[str, str]:
    """Record what catalogs just written hold, with their new stamps, so the next run
    does not parse them again only to learn what this one knew; the memory's version
    as the next run will find it."""
    if not written:
        return dict(memory.versions)
    records, digests = memory.stores or (_file_records(config, lang),
                                         _version_records(config, lang))
    versions = dict(memory.versions)
    for path, catalog in written.items():
        shown = config.rel(path)
        if path.parent.name == "LC_MESSAGES" and path.stem != UI_DOMAIN:
            found = file_stamp(path)
            if found[0] < 0:  # gone already: the next run reads what is there
                records.forget(shown)
                digests.forget(shown)
                versions.pop(shown, None)
                continue
            known = MemoryFile.of(list(_entries_of(catalog, path.stem)))
            records.record(shown, fingerprint(found), known)
            digests.record(shown, fingerprint(found), FileVersion(known.digest))
            versions[shown] = known.digest
    records.save()
    digests.save()
    return versions


def fill_from_memory(catalog: Catalog, memory: TranslationMemory,
                     threshold: float) -> tuple[Catalog, int]:
    """The catalog with its untouched entries filled from the memory, and how many."""
    filled = 0
    entries: list[Entry] = []
    for e in catalog:
        match = memory.lookup(e.msgid, threshold) if e.may_fill else None
        if match is None:
            entries.append(e)
            continue
        if match.entry.source == e.msgid:
            e = e.filled(match.translation, FromMemory(match.entry.origin), fuzzy=False)
        else:
            origin = FromMemory(match.entry.origin, match.score, match.numbers_updated)
            e = e.filled(match.translation, origin, fuzzy=True,
                         previous_msgid=match.entry.source)
        entries.append(e)
        filled += 1
    return catalog.with_entries(entries), filled


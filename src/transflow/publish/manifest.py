"""The manifest of a published bulletin, ``output/<week>/<lang>/.manifest.json``: what
it was built from (a digest of its sources, catalogs, templates and settings) and the
digests of its files. Delivery sends a bulletin only while the manifest still matches
the workspace, so a subscriber never gets a stale one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from transflow.sources.commentary import source_files
from transflow.workspace.config import UI_DOMAIN, Config
from transflow.workspace.records import stamp
from transflow.workspace.weeks import Week

MANIFEST = ".manifest.json"


Stat = tuple[str, int, int]


def stat_of(path: Path) -> Stat:
    return (str(path), *stamp(path))


def shared_state(config: Config) -> tuple[Stat, ...]:
    """The size and time of the inputs every bulletin shares (settings, glossary,
    templates, logo), found once for many ``state_of`` calls."""
    return tuple(stat_of(path) for path in _shared_inputs(config))


def state_of(config: Config, week: Week, lang: str, pdf_name: str,
             shared: tuple[Stat, ...] | None = None,
             own: tuple[Stat, ...] | None = None) -> tuple[Stat, ...]:
    """The size and time of the bulletin's inputs, its manifest, its page and its PDF:
    while they stay the same, so does the answer of ``published``. ``shared`` and
    ``own`` (from ``own_state``), when given, were found once for many calls."""
    folder = config.output_dir / str(week) / lang
    found = own if own is not None else own_state(config, week, lang)
    return (*found, *(stat_of(path) for path in (folder / MANIFEST, folder / "index.html",
                                               folder / pdf_name)),
            *(shared if shared is not None else shared_state(config)))


def own_state(config: Config, week: Week, lang: str,
              sources: tuple[Stat, ...] | None = None,
              ui: Stat | None = None) -> tuple[Stat, ...]:
    """The size and time of the week's own inputs in ``lang``: its sources (the same in
    every language, so they may be given), its catalog and the ui catalog."""
    if sources is None:
        sources = tuple(stat_of(path) for path in source_files(config, week))
    return (*sources, stat_of(config.po_path(lang, week)),
            ui if ui is not None else stat_of(config.po_path(lang, UI_DOMAIN)))


def _own_inputs(config: Config, week: Week, lang: str) -> list[Path]:
    files = source_files(config, week)
    return [*files, config.po_path(lang, week), config.po_path(lang, UI_DOMAIN)]


def _shared_inputs(config: Config) -> list[Path]:
    files = [config.config_path, config.root / "glossary.csv"]
    files += config.template_files()
    if config.publication.logo:
        files.append(config.root / config.publication.logo)
    return files


def _inputs(config: Config, week: Week, lang: str) -> list[Path]:
    return [*_own_inputs(config, week, lang), *_shared_inputs(config)]


_file_digests: dict[Stat, bytes] = {}


def _file_digest(path: Path, fresh: bool = False) -> bytes:
    """A file's digest, remembered while it keeps its size and time: the templates and
    settings every week shares are read once per run, not once per week; ``fresh``:
    read again whatever its size and time say."""
    key = stat_of(path)
    if key[2] < 0:
        return b"missing"
    if fresh or key not in _file_digests:
        try:
            _file_digests[key] = hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            return b"unreadable"
    return _file_digests[key]


def inputs_digest(config: Config, week: Week, lang: str, fresh: bool = False) -> str:
    """A digest of everything the bulletin of ``week`` in ``lang`` is made from
    (``fresh``: every file read now, as ``published`` does)."""
    digest = hashlib.sha256()
    for path in _inputs(config, week, lang):
        digest.update(config.rel(path).encode() + b"\0" + _file_digest(path, fresh) + b"\0")
    return digest.hexdigest()


def manifest_json(week: Week, lang: str, inputs: str, files: dict[str, bytes]) -> bytes:
    return json.dumps({
        "week": str(week), "lang": lang, "inputs": inputs,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }, indent=1, sort_keys=True).encode()


@dataclass(frozen=True)
class Published:
    """A bulletin in the publication tree, and whether it is still current."""

    week: Week
    lang: str
    pdf: Path | None
    current: bool
    reason: str = ""
    digest: str = ""
    """The digest of the inputs it was built from."""


def published(config: Config, week: Week, lang: str, pdf_name: str,
              file: str | None = None) -> Published:
    """The published PDF of ``week`` in ``lang`` (or another of its files: ``file``),
    checked against its manifest and the workspace as it is now."""
    folder = config.output_dir / str(week) / lang
    pdf = folder / pdf_name
    checked = folder / (file or pdf_name)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Published(week, lang, pdf if pdf.is_file() else None, False, "not built")
    if not checked.is_file():
        return Published(week, lang, None, False, f"its {checked.name} is missing")
    digest = hashlib.sha256(checked.read_bytes()).hexdigest()
    if manifest.get("files", {}).get(checked.name) != digest:
        return Published(week, lang, pdf, False, f"its {checked.name} was changed after the "
                         "build")
    # Every input read now: a file changed to the same size with its time put back
    # (touch -r) is seen, as it is by no stamp.
    if manifest.get("inputs") != inputs_digest(config, week, lang, fresh=True):
        return Published(week, lang, pdf, False, "its sources, catalogs, templates or "
                         "settings changed since it was built")
    return Published(week, lang, pdf if pdf.is_file() else None, True,
                     digest=str(manifest["inputs"]))

"""The formats a bulletin is built in, as a registry: each is a module of this package
that registers an ``OutputFormat`` (``html``, ``pdf``); a new format (EPUB, say) is one
more module here, and the build, its records, the manifest and the command line take
it from the registry. The modules are imported when the registry is first asked, so
``transflow --help`` loads none of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from transflow.workspace.registry import Registry

if TYPE_CHECKING:
    from transflow.publish.plan import BulletinJob
    from transflow.workspace.config import Config
    from transflow.workspace.weeks import Week


@dataclass(frozen=True)
class Made:
    """What a format made of one bulletin."""

    content: bytes | None
    """The file; None when the file already holds it (its ``source`` is unchanged)."""
    source: str = ""
    """A digest of what it was made from, recorded with the build: when it is the same
    next time, and the file has not moved, the file is not made again."""
    notes: tuple[str, ...] = ()
    """What the editor should know (a resource the renderer refused to fetch)."""


@dataclass(frozen=True)
class Page:
    """A bulletin's page, which every format is made from."""

    html: str
    """As the web shows it."""
    print_css: str = ""
    """The rules for paper (``templates/print.css``): pages, running heads, the outline."""

    @property
    def printed(self) -> str:
        """The page as the PDF renderer reads it: the rules for paper last, so that they
        win over the page's own on equal terms (a stylesheet given to the renderer
        apart would be a user's, which every rule of the page overrides)."""
        if not self.print_css:
            return self.html
        rules = self.print_css.replace("</", "<\\/")  # nothing in it ends the element
        return f"{self.html}\n<style>\n{rules}\n</style>\n"


class OutputFormat(Protocol):
    """One format of a bulletin: where its file goes and how it is made."""

    name: str
    """As ``--format`` names it."""
    rank: int
    """Its place in listings and in the default order of building (html: 10, pdf: 20)."""
    warm_up: bool
    """Whether a worker process should load the renderer before its first bulletin."""

    def file_name(self, config: Config, week: Week, lang: str, preview: bool) -> str:
        """The file's name in the bulletin's folder."""
        ...

    def render(self, job: BulletinJob, page: Page, root: Path, previous: str) -> Made:
        """The file, made from the bulletin's ``page``; ``previous`` is the
        ``source`` of the file as it is now (empty when unknown)."""
        ...

    def load(self) -> None:
        """Import what ``render`` needs (for a worker process, as it starts)."""
        ...


_registry: Registry[OutputFormat] = Registry(__name__, __path__, "output format",
                                             lambda f: (f.rank, f.name))
register = _registry.register
unregister = _registry.unregister


def formats() -> dict[str, OutputFormat]:
    """Every registered format by name, in their order (asked for every bulletin)."""
    return _registry.members()


def names() -> tuple[str, ...]:
    return tuple(formats())


def output_format(name: str) -> OutputFormat:
    try:
        return formats()[name]
    except KeyError:
        raise ValueError(f"no output format {name!r} (known: {', '.join(names())})") from None

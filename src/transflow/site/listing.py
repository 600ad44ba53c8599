"""What the site remembers of each published week: its bulletin as the lists, archives
and feeds show it (titles, trends, the week's range and PDF), and a digest of each
commentary, so pages are re-rendered only when what they show changed."""

from __future__ import annotations

from dataclasses import dataclass

from transflow.publish.bulletin import Text
from transflow.workspace.weeks import Week


@dataclass(frozen=True)
class Listed:
    """A commentary as the site's lists show it, with a digest of all of it."""

    slug: str
    category: str
    category_label: str
    title: Text
    trend: str | None
    trend_label: str | None
    digest: str
    """Of the whole commentary, as the bulletin resolves it: its page changes with it."""

    @property
    def shown(self) -> tuple[object, ...]:
        return (self.slug, self.category_label, self.title.markdown, self.trend,
                self.trend_label)


@dataclass(frozen=True)
class Listing:
    """A week's bulletin as the site's lists, archives and feeds show it: small, so the
    site remembers one per published week and resolves whole bulletins only for the
    pages it renders."""

    lang: str
    week: Week
    title: str
    week_range: str
    pdf_name: str | None
    articles: tuple[Listed, ...]
    inputs: str
    """The digest of the inputs it was resolved from."""
    updated: str = ""
    """When what it shows last changed after it was first listed (ISO 8601, UTC);
    empty: never since (the feed and the sitemap date it its week's Sunday)."""

    def shows(self) -> tuple[object, ...]:
        """What a reader sees of it: a change here is an update to the bulletin."""
        return (self.title, self.week_range, self.pdf_name, self.articles)

"""The bulletin as a web page: ``index.html`` in the bulletin's folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from transflow.publish.formats import Made, Page, register

if TYPE_CHECKING:
    from transflow.publish.plan import BulletinJob
    from transflow.workspace.config import Config
    from transflow.workspace.weeks import Week


class WebPage:
    name = "html"
    rank = 10
    warm_up = False  # every job renders its page anyway (the other formats start from it)

    def file_name(self, config: Config, week: Week, lang: str, preview: bool) -> str:
        return "index.html"

    def render(self, job: BulletinJob, page: Page, root: Path, previous: str) -> Made:
        return Made(page.html.encode("utf-8"))

    def load(self) -> None:
        pass


register(WebPage())

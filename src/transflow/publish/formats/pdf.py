"""The bulletin to print and mail: an A4 PDF, rendered from its page by WeasyPrint
(``render_pdf``), with the preview's running mark when it is one."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from transflow.catalogs.ui import PREVIEW_MARK
from transflow.publish.editions import pdf_name
from transflow.publish.formats import Made, Page, register

if TYPE_CHECKING:
    from transflow.publish.plan import BulletinJob
    from transflow.workspace.config import Config
    from transflow.workspace.weeks import Week


class PrintedBulletin:
    name = "pdf"
    rank = 20
    warm_up = True  # WeasyPrint takes about half a second to import

    def file_name(self, config: Config, week: Week, lang: str, preview: bool) -> str:
        return pdf_name(config, week, lang, preview)

    def render(self, job: BulletinJob, page: Page, root: Path, previous: str) -> Made:
        mark = job.translations().gettext(PREVIEW_MARK) if job.preview else None
        # The PDF is a function of the page and the running mark: rendered again only
        # when those changed.
        html = page.printed
        source = hashlib.sha256(f"{html}\0{mark or ''}".encode()).hexdigest()
        if source == previous:
            return Made(None, source)
        from transflow.publish.render_pdf import render_pdf

        pdf, refused_urls = render_pdf(html, root, running_mark=mark)
        path = f"{job.folder}/{job.file_of(self.name)}"
        return Made(pdf, source, tuple(
            f"{path}: refused to fetch {url} (only data: URLs and files inside the "
            "workspace are read); remove it from the template or stylesheet"
            for url in refused_urls))

    def load(self) -> None:
        from transflow.publish import render_pdf

        render_pdf.load()


register(PrintedBulletin())

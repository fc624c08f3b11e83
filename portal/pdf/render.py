"""HTML to PDF with WeasyPrint, fetching nothing but `data:` URIs.

Documents carry their stylesheet inline and use the system's fonts (Debian's Noto), so there is
nothing legitimate to fetch; whatever a hostile field might ask for (file:, http:, an attachment
link) is refused before any connection is made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher, URLFetchingError


class DenyingFetcher(URLFetcher):
    """Only `data:` URIs; no file, no network, no redirects."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            self.refused.append(url[:200])
            raise URLFetchingError(f"refused: {url[:80]}")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    refused: list[str]


def render_pdf(html: str, archival: bool, data: dict | None = None) -> Rendered:
    """PDF/UA-1 by default; PDF/A-3b with `data` attached as JSON for an archival copy."""
    fetcher = DenyingFetcher()
    document = HTML(string=html, url_fetcher=fetcher, base_url="about:blank").render()
    options: dict = {"pdf_variant": "pdf/a-3b" if archival else "pdf/ua-1", "pdf_tags": True}
    if archival and data is not None:
        options["attachments"] = [Attachment(
            string=json.dumps(data, ensure_ascii=False, indent=1), name="record.json",
            description="The data this document states, for machines", relationship="Data",
            url_fetcher=fetcher)]
    return Rendered(document.write_pdf(**options), len(document.pages), fetcher.refused)

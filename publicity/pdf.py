"""HTML to PDF with WeasyPrint, for approval sheets, bulletins and briefings."""

from PIL import ImageFile


def render_pdf(html):
    """The PDF of a self-contained HTML document (styles inline; nothing is fetched)."""
    from weasyprint import HTML

    # Importing WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES; photo ingest relies on it
    # being off so that a truncated upload is refused. Our PDFs embed no images from uploads.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def _refuse_fetch(url, *args, **kwargs):
    # A PDF renderer must never fetch a URL named in the content (local files, internal hosts).
    raise ValueError(f"Not fetched: {url}")

"""HTML to PDF with WeasyPrint, for approval sheets, bulletins and briefings.

Every PDF draws its text in Noto Sans SC (SIL Open Font License), which the project installs from PyPI
(justmytype-intl-cjk) and WeasyPrint embeds: a server without any CJK font of its own still prints
Chinese, and what it prints looks the same on every machine. Templates name `PDF_FONT_FAMILY` first.
"""

from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import ImageFile

PDF_FONT_FAMILY = "Publicity Noto Sans SC"


def pdf_font_path():
    """Noto Sans SC, a variable font (weights 100 to 900): one file draws regular and bold."""
    return Path(str(files("justmytype_intl_cjk") / "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"))


def render_pdf(html):
    """The PDF of a self-contained HTML document (styles inline; nothing is fetched but our font)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # Importing WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES; photo ingest relies on it
    # being off so that a truncated upload is refused. Our PDFs embed no images from uploads.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    fetcher = _font_fetcher()
    fonts = FontConfiguration()
    face = CSS(string=_font_face(), font_config=fonts, url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[face], font_config=fonts)


def _font_face():
    return (
        f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; src: url("{pdf_font_path().as_uri()}"); }}\n'
        f'html {{ font-family: "{PDF_FONT_FAMILY}", sans-serif; }}\n'
    )


def _font_fetcher():
    from weasyprint.urls import URLFetcher

    class FontOnly(URLFetcher):
        # A PDF renderer must never fetch a URL named in the content (local files, internal hosts):
        # the one thing it may open is our font file.
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or Path(unquote(parts.path)) != pdf_font_path():
                raise ValueError(f"Not fetched: {url}")
            return super().fetch(url, headers)

    return FontOnly(allowed_protocols={"file"})

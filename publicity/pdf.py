"""HTML to PDF with WeasyPrint, for approval sheets, bulletins and briefings.

Every PDF draws its text in Noto Sans SC (SIL Open Font License), which the project installs from PyPI
(justmytype-intl-cjk) and WeasyPrint embeds: a server without any CJK font of its own still prints
Chinese, and what it prints looks the same on every machine. Templates name `PDF_FONT_FAMILY` first.

The font is cut down to the characters the document holds before WeasyPrint sees it: WeasyPrint turns
the variable font into a static one for each weight a document uses, and on the whole font (31,036
glyphs) took 3.5 s a weight — a bulletin with regular, semi-bold and bold text 4 to 12 s. HarfBuzz's
subsetter cuts it in a few milliseconds, and the cut-down font is made static in a few more.
"""

import functools
import html as html_module
import string
import tempfile
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit

import uharfbuzz
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
    with _font_for(html) as font:
        fetcher = _font_fetcher(font)
        fonts = FontConfiguration()
        face = CSS(string=_font_face(font), font_config=fonts, url_fetcher=fetcher)
        return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[face], font_config=fonts)


# Drawn by the PDF itself whatever the text: page numbers, list markers (disc, circle, square), punctuation
# a style adds.
ALWAYS = string.printable + "•◦▪，。、；：？！“”‘’（）《》〈〉【】「」—…·　第页共"  # noqa: RUF001


@contextmanager
def _font_for(html):
    """A file holding our font cut down to the characters of `html` (still variable: every weight)."""
    subset = uharfbuzz.SubsetInput()
    subset.unicode_set.update(map(ord, set(html_module.unescape(html)) | set(ALWAYS)))
    data = uharfbuzz.subset(_whole_font(), subset).blob.data
    with tempfile.NamedTemporaryFile(prefix="pdf-font-", suffix=".ttf") as file:
        file.write(data)
        file.flush()
        yield Path(file.name)


@functools.cache
def _whole_font():
    return uharfbuzz.Face(uharfbuzz.Blob(pdf_font_path().read_bytes()))


def _font_face(font):
    return (
        f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; src: url("{font.as_uri()}"); }}\n'
        f'html {{ font-family: "{PDF_FONT_FAMILY}", sans-serif; }}\n'
    )


def _font_fetcher(font):
    from weasyprint.urls import URLFetcher

    class FontOnly(URLFetcher):
        # A PDF renderer must never fetch a URL named in the content (local files, internal hosts):
        # the one thing it may open is our font file.
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or Path(unquote(parts.path)) != font:
                raise ValueError(f"Not fetched: {url}")
            return super().fetch(url, headers)

    return FontOnly(allowed_protocols={"file"})

"""Word documents (python-docx) for every app that writes one: a document whose styles name Chinese
fonts, tables whose header repeats on every page, and sanitised body HTML turned into paragraphs,
headings, lists and emphasis. Everything goes in as text (python-docx escapes it) with the characters
XML cannot hold stripped."""

import io
import re
from html.parser import HTMLParser

import nh3
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from submissions.content import xml_text

BODY_FONT = "SimSun"  # 宋体: Word on Windows and WPS have it; LibreOffice substitutes a Song face
HEADING_FONT = "SimHei"  # 黑体
NOTE_SIZE = Pt(9)
BODY_TAGS = {"p", "br", "h2", "h3", "ul", "ol", "li", "strong", "b", "em", "i", "u", "a"}


def clean_body(body):
    return nh3.clean(
        body or "",
        tags=BODY_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


def new_document():
    """A new document whose styles name Chinese fonts instead of the theme's (which Word may map to
    a font without Chinese)."""
    document = Document()
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        theme = fonts.get(qn("w:eastAsiaTheme"))
        if theme is not None:
            del fonts.attrib[qn("w:eastAsiaTheme")]
            fonts.set(qn("w:eastAsia"), HEADING_FONT if theme.startswith("major") else BODY_FONT)
    return document


def table(document, headers, rows):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    header = table.rows[0]
    repeat_on_every_page(header)
    for cell, text in zip(header.cells, headers, strict=True):
        cell.paragraphs[0].add_run(xml_text(text)).bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = xml_text(value)
    return table


def table_or_none(document, headers, rows, empty):
    if rows:
        return table(document, headers, rows)
    return document.add_paragraph(empty)


def repeat_on_every_page(row):
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def as_bytes(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class BodyWriter(HTMLParser):
    """Sanitised body HTML → Word paragraphs, headings, lists, bold, italic and underline."""

    HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}
    BOLD, ITALIC, UNDERLINE = {"strong", "b"}, {"em", "i"}, {"u"}

    def __init__(self, document):
        super().__init__(convert_charrefs=True)
        self.document = document
        self.paragraph = None
        self.fresh = False  # the current paragraph has no text yet
        self.lists = []  # [(tag, numbering id or None)] of the open lists
        self.styles = {"bold": 0, "italic": 0, "underline": 0}
        self.link = None  # (href, text so far)

    def convert(self, html):
        self.feed(html or "")
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "p" and not (self.paragraph is not None and self.fresh):
            self._start(self.document.add_paragraph())
        elif tag in self.HEADINGS:
            self._start(self.document.add_heading(level=self.HEADINGS[tag]))
        elif tag in ("ul", "ol"):
            self.lists.append((tag, None))
        elif tag == "li":
            self._start_item()
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag == "a":
            self.link = [dict(attrs).get("href") or "", ""]
        self._style(tag, +1)

    def handle_endtag(self, tag):
        if tag in ("p", "li", *self.HEADINGS):
            self.paragraph = None
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.link:
            href, text = self.link
            self.link = None
            if href and href != text.strip():
                self._write(f" ({href})")
        self._style(tag, -1)

    def handle_data(self, data):
        text = re.sub(r"\s+", " ", data)
        if self.paragraph is None:
            if not text.strip():
                return
            self._start(self.document.add_paragraph())
        if self.fresh:
            text = text.lstrip()
        if self.link is not None:
            self.link[1] += text
        self._write(text)

    def _start(self, paragraph):
        self.paragraph, self.fresh = paragraph, True

    def _start_item(self):
        tag, numbering = self.lists[-1] if self.lists else ("ul", None)
        depth = min(len(self.lists), 3)
        style = ("List Number" if tag == "ol" else "List Bullet") + (f" {depth}" if depth > 1 else "")
        self._start(self.document.add_paragraph(style=style))
        if tag == "ol":
            if numbering is None:
                numbering = _new_numbering(self.document, self.paragraph)
                self.lists[-1] = (tag, numbering)
            _number_with(self.paragraph, numbering)

    def _style(self, tag, step):
        for name, tags in (("bold", self.BOLD), ("italic", self.ITALIC), ("underline", self.UNDERLINE)):
            if tag in tags:
                self.styles[name] = max(0, self.styles[name] + step)

    def _write(self, text):
        text = xml_text(text)
        if not text:
            return
        run = self.paragraph.add_run(text)
        run.bold = bool(self.styles["bold"]) or None
        run.italic = bool(self.styles["italic"]) or None
        run.underline = bool(self.styles["underline"]) or None
        self.fresh = False


def _new_numbering(document, paragraph):
    """A numbering that starts again at 1: without one, every numbered list continues the last."""
    numbering = document.part.numbering_part.element
    style_num = paragraph.style.element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _number_with(paragraph, numbering):
    number = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    number.get_or_add_ilvl().val = 0
    number.get_or_add_numId().val = numbering

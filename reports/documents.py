"""Word and PDF documents: the year-end figures a unit starts its work summary from, and the bulletin
(通报) as published.

Everything a user typed (unit and outlet names, the bulletin's text) goes in as text: python-docx
escapes it, and the PDF's template escapes it (the bulletin's body is sanitised HTML, cleaned again
here). Word shows Chinese in the East Asian font named in each style, so every style names one.
"""

import io
import re
from html.parser import HTMLParser

import nh3
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from publicity.pdf import render_pdf
from submissions.content import xml_text

from .figures import Progress
from .numbers import percent, points
from .yearend import measures, month_lines, summary_sentence

BODY_FONT = "SimSun"  # 宋体: Word on Windows and WPS have it; LibreOffice substitutes a Song face
HEADING_FONT = "SimHei"  # 黑体
NOTE_SIZE = Pt(9)
BULLETIN_TAGS = {"p", "br", "h2", "h3", "ul", "ol", "li", "strong", "b", "em", "i", "u", "a"}


# --- Year-end figures -----------------------------------------------------------------------------


def year_end_docx(figures):
    """The year's figures as a Word document: heading, summary sentence, then one table per measure."""
    document = _document()
    document.add_heading(xml_text(year_end_title(figures)), level=1)
    document.add_paragraph(xml_text(summary_sentence(figures)))
    document.add_heading(_("Adoptions by outlet"), level=2)
    outlets = [[o.outlet, o.level_label, o.items] for o in figures.by_outlet]
    _table_or_none(document, [_("Outlet"), _("Level"), _("Items adopted")], outlets, _("No adoptions."))
    document.add_heading(_("Figures of the year"), level=2)
    _table(document, [_("Measure"), _("Value")], [(m.label, m.text) for m in measures(figures)])
    document.add_heading(_("Busiest categories"), level=2)
    _table_or_none(document, [_("Category"), _("Items reported")], figures.categories, _("No items."))
    document.add_heading(_("Monthly minimum"), level=2)
    result = _("Units that met it") if figures.is_office else _("Met")
    months = month_lines(figures)
    _table_or_none(document, [_("Month"), result], months, _("No finished month had a minimum."))
    return _bytes(document)


def year_end_title(figures):
    return _("Year-end figures %(year)s: %(scope)s") % {"year": figures.year, "scope": figures.scope}


# --- Bulletins ------------------------------------------------------------------------------------


def bulletin_docx(bulletin):
    """The bulletin as a Word document: title, text, the figures table and the annex of units with
    no submissions."""
    document = _document()
    title = document.add_heading(xml_text(bulletin.title), level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issued = document.add_paragraph(xml_text(_issued_line(bulletin)))
    issued.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _BodyWriter(document).convert(_clean_body(bulletin.body))
    figures = bulletin.figures or {}
    document.add_heading(_("Figures: %(period)s") % {"period": xml_text(figures.get("label", ""))}, level=2)
    _table_or_none(document, bulletin_headers(), bulletin_rows(figures), _("No units."))
    for note in figure_notes(xml_text(figures.get("label", ""))):
        document.add_paragraph(note).runs[0].font.size = NOTE_SIZE
    document.add_heading(_("Annex: units with no submissions"), level=2)
    for unit in figures.get("zero") or []:
        document.add_paragraph(xml_text(unit), style="List Bullet")
    if not figures.get("zero"):
        document.add_paragraph(_("None."))
    return _bytes(document)


def bulletin_pdf(bulletin):
    return render_pdf(bulletin_html(bulletin))


def bulletin_html(bulletin):
    """The self-contained HTML the PDF is drawn from."""
    figures = bulletin.figures or {}
    context = {
        "bulletin": bulletin,
        "issued": _issued_line(bulletin),
        "body": mark_safe(_clean_body(bulletin.body)),  # cleaned to the bulletin's allow-list just above
        "label": figures.get("label", ""),
        "headers": bulletin_headers(),
        "rows": bulletin_rows(figures),
        "zero": figures.get("zero") or [],
        "notes": figure_notes(figures.get("label", "")),
        "LANGUAGE_CODE": get_language(),
    }
    return render_to_string("reports/bulletin_pdf.html", context)


def bulletin_headers():
    return [
        _("Unit"),
        pgettext("count", "Submitted"),
        _("Signed off"),
        _("Adopted"),
        _("Adoption rate"),
        _("Points"),
        _("Minimum (submitted / adopted)"),
        _("Progress"),
    ]


def bulletin_rows(figures):
    """The snapshot's rows in words: progress as a word, never only a colour."""
    return [
        [
            row.get("unit", ""),
            row.get("submitted", 0),
            row.get("signed_off", 0),
            row.get("adopted", 0),
            percent(row.get("rate")),
            points(row.get("points")),
            _minimum(row),
            str(Progress.LABELS.get(row.get("progress"), "")),
        ]
        for row in figures.get("rows") or []
    ]


def figure_notes(period_label):
    """What each figure of the bulletin counts, and over which period: "Adopted" and "Adoption rate"
    count different items, so 5 adopted next to 4 signed off and 75 % is no contradiction."""
    notes = [
        (
            pgettext("count", "Submitted"),
            _("items submitted for review in %(period)s, withdrawn ones not counted"),
        ),
        (_("Signed off"), _("items signed off in %(period)s")),
        (_("Adopted"), _("items published by an outlet in %(period)s, whenever they were signed off")),
        (
            _("Adoption rate"),
            _(
                "of the items signed off in %(period)s, the share adopted by an outlet so far (so it may "
                "differ from adopted divided by signed off), rounded half up to one decimal"
            ),
        ),
        (
            _("Points"),
            _("points earned in %(period)s for adoptions and leader instructions, less deductions"),
        ),
        (_("Minimum (submitted / adopted)"), _("the monthly minimums of %(period)s, added up")),
    ]
    return [
        _("%(term)s: %(definition)s") % {"term": term, "definition": text % {"period": period_label}}
        for term, text in notes
    ]


def _minimum(row):
    submitted, adopted = row.get("min_submitted") or 0, row.get("min_adopted") or 0
    return f"{submitted} / {adopted}" if submitted or adopted else "—"


def _issued_line(bulletin):
    # The files are rendered while publishing, just before published_at is set: that moment is the date.
    issued = timezone.localdate(bulletin.published_at or timezone.now())
    return _("%(period)s · issued %(date)s") % {
        "period": (bulletin.figures or {}).get("label", ""),
        "date": date_format(issued, "DATE_FORMAT"),
    }


def _clean_body(body):
    return nh3.clean(
        body or "",
        tags=BULLETIN_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


# --- Word plumbing --------------------------------------------------------------------------------


def _document():
    """A new document whose styles name Chinese fonts instead of the theme's (which Word may map to
    a font without Chinese)."""
    document = Document()
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        theme = fonts.get(qn("w:eastAsiaTheme"))
        if theme is not None:
            del fonts.attrib[qn("w:eastAsiaTheme")]
            fonts.set(qn("w:eastAsia"), HEADING_FONT if theme.startswith("major") else BODY_FONT)
    return document


def _table(document, headers, rows):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    header = table.rows[0]
    _repeat_on_every_page(header)
    for cell, text in zip(header.cells, headers, strict=True):
        cell.paragraphs[0].add_run(xml_text(text)).bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = xml_text(value)
    return table


def _table_or_none(document, headers, rows, empty):
    if rows:
        return _table(document, headers, rows)
    return document.add_paragraph(empty)


def _repeat_on_every_page(row):
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _bytes(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _BodyWriter(HTMLParser):
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

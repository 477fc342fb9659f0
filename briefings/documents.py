"""A briefing issue as PDF and Word, in the customary layout of a Chinese internal briefing: red
masthead (series name, issue number, issuing office, date), a red rule, the pieces under their column
headings, then the distribution lines (报/送/发) and the print line. Labels follow the active
language, so an English user gets the same layout in English.

Users' text goes in as text: the template escapes it, python-docx escapes it, piece bodies are
sanitised HTML cleaned again here.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from publicity import word
from publicity.pdf import render_pdf
from submissions.content import xml_text

RED = RGBColor(0xC0, 0x00, 0x00)


def sections(briefing):
    """[(column name or "", [pieces])] in column order; removed pieces are left out."""
    grouped = {}
    for piece in briefing.pieces.filter(removed_at__isnull=True).select_related("column"):
        key = (piece.column.order, piece.column.pk) if piece.column else (10**6, 0)
        grouped.setdefault(key, (piece.column.name if piece.column else "", []))[1].append(piece)
    return [grouped[key] for key in sorted(grouped)]


def labels(briefing):
    """The masthead, signer, distribution and print lines in the active language."""
    day = briefing.issued_on or timezone.localdate()
    date = date_format(day, "DATE_FORMAT")
    series = briefing.series
    if briefing.number is None:
        number = _("%(year)s, No. __ (total No. __)") % {"year": day.year}
    else:
        number = _("%(year)s, No. %(number)s (total No. %(total)s)") % {
            "year": briefing.year,
            "number": briefing.number,
            "total": briefing.total_number,
        }
    lines = [
        (_("Reported to:"), briefing.report_to),
        (_("Copied to:"), briefing.copy_to),
        (_("Issued to:"), briefing.issue_to),
    ]
    return {
        "series": series.name,
        "number": number,
        "office": _("Edited by %(office)s") % {"office": series.issuing_office},
        "date": date,
        "signer": _("Signed off by: %(name)s") % {"name": series.signer} if series.signer else "",
        "note_label": _("Editor's note:"),
        "lines": [(label, text) for label, text in lines if text],
        "printed": _("%(office)s, printed and issued %(date)s")
        % {"office": series.issuing_office, "date": date},
        "copies": _("(%(copies)s copies printed)") % {"copies": briefing.copies},
    }


def source_line(piece):
    return _("(Contributed by %(unit)s)") % {"unit": piece.source} if piece.source else ""


def briefing_html(briefing):
    """The self-contained HTML the PDF is drawn from."""
    context = {
        "briefing": briefing,
        "labels": labels(briefing),
        "sections": [
            (name, [(piece, mark_safe(word.clean_body(piece.body)), source_line(piece)) for piece in pieces])
            for name, pieces in sections(briefing)
        ],
        "LANGUAGE_CODE": get_language(),
    }
    return render_to_string("briefings/briefing_pdf.html", context)


def briefing_pdf(briefing):
    return render_pdf(briefing_html(briefing))


def briefing_docx(briefing):
    """The same issue as a Word document."""
    document = word.new_document()
    text = labels(briefing)
    _centred(document, text["series"], size=30, bold=True, color=RED)
    _centred(document, text["number"], size=14)
    masthead = document.add_paragraph()
    masthead.add_run(xml_text(text["office"]))
    masthead.add_run("\t" + xml_text(text["date"]))
    _red_rule(masthead)
    if text["signer"]:
        document.add_paragraph(xml_text(text["signer"])).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if briefing.editor_note:
        note = document.add_paragraph()
        note.add_run(xml_text(text["note_label"])).bold = True
        note.add_run(xml_text(briefing.editor_note))
    for name, pieces in sections(briefing):
        if name:
            _centred(document, f"【{name}】", size=14, bold=True, color=RED)
        for piece in pieces:
            _centred(document, piece.title, size=13, bold=True)
            word.BodyWriter(document).convert(word.clean_body(piece.body))
            if line := source_line(piece):
                document.add_paragraph(xml_text(line)).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    closing = document.add_paragraph()
    _red_rule(closing, top=True)
    for label, value in text["lines"]:
        document.add_paragraph(xml_text(f"{label} {value}"))
    document.add_paragraph(xml_text(f"{text['printed']} {text['copies']}"))
    return word.as_bytes(document)


def _centred(document, text, *, size, bold=False, color=None):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(xml_text(text))
    run.font.size, run.bold = Pt(size), bold or None
    if color is not None:
        run.font.color.rgb = color
    return paragraph


def _red_rule(paragraph, *, top=False):
    """A red line under (or over) the paragraph: the rule below a briefing's masthead."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement("w:top" if top else "w:bottom")
    for name, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "C00000")):
        line.set(qn(f"w:{name}"), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)

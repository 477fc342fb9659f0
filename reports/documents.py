"""Word and PDF documents: the year-end figures a unit starts its work summary from, and the bulletin
(通报) as published.

Everything a user typed (unit and outlet names, the bulletin's text) goes in as text: python-docx
escapes it, and the PDF's template escapes it (the bulletin's body is sanitised HTML, cleaned again
here). Word shows Chinese in the East Asian font named in each style, so every style names one.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from publicity import word
from publicity.numbers import percent, points
from publicity.pdf import render_pdf
from submissions.content import xml_text

from .figures import Progress
from .yearend import measures, month_lines, summary_sentence

# --- Year-end figures -----------------------------------------------------------------------------


def year_end_docx(figures):
    """The year's figures as a Word document: heading, summary sentence, then one table per measure."""
    document = word.new_document()
    document.add_heading(xml_text(year_end_title(figures)), level=1)
    document.add_paragraph(xml_text(summary_sentence(figures)))
    document.add_heading(_("Adoptions by outlet"), level=2)
    outlets = [[o.outlet, o.level_label, o.items] for o in figures.by_outlet]
    word.table_or_none(document, [_("Outlet"), _("Level"), _("Items adopted")], outlets, _("No adoptions."))
    document.add_heading(_("Figures of the year"), level=2)
    word.table(document, [_("Measure"), _("Value")], [(m.label, m.text) for m in measures(figures)])
    document.add_heading(_("Busiest categories"), level=2)
    word.table_or_none(document, [_("Category"), _("Items reported")], figures.categories, _("No items."))
    document.add_heading(_("Monthly minimum"), level=2)
    result = _("Units that met it") if figures.is_office else _("Met")
    months = month_lines(figures)
    word.table_or_none(document, [_("Month"), result], months, _("No finished month had a minimum."))
    return word.as_bytes(document)


def year_end_title(figures):
    return _("Year-end figures %(year)s: %(scope)s") % {"year": figures.year, "scope": figures.scope}


# --- Bulletins ------------------------------------------------------------------------------------


def bulletin_docx(bulletin):
    """The bulletin as a Word document: title, text, the figures table and the annex of units with
    no submissions."""
    document = word.new_document()
    title = document.add_heading(xml_text(bulletin.title), level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issued = document.add_paragraph(xml_text(_issued_line(bulletin)))
    issued.alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.BodyWriter(document).convert(word.clean_body(bulletin.body))
    figures = bulletin.figures or {}
    document.add_heading(_("Figures: %(period)s") % {"period": xml_text(figures.get("label", ""))}, level=2)
    word.table_or_none(document, bulletin_headers(), bulletin_rows(figures), _("No units."))
    for note in figure_notes(xml_text(figures.get("label", ""))):
        document.add_paragraph(note).runs[0].font.size = word.NOTE_SIZE
    document.add_heading(_("Annex: units with no submissions"), level=2)
    for unit in figures.get("zero") or []:
        document.add_paragraph(xml_text(unit), style="List Bullet")
    if not figures.get("zero"):
        document.add_paragraph(_("None."))
    return word.as_bytes(document)


def bulletin_pdf(bulletin):
    return render_pdf(bulletin_html(bulletin))


def bulletin_html(bulletin):
    """The self-contained HTML the PDF is drawn from."""
    figures = bulletin.figures or {}
    context = {
        "bulletin": bulletin,
        "issued": _issued_line(bulletin),
        "body": mark_safe(word.clean_body(bulletin.body)),  # cleaned to the bulletin's allow-list just above
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

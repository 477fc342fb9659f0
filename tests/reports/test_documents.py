"""Word and PDF documents: the year-end figures and the bulletin, with users' text kept as text."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from docx import Document
from docx.oxml.ns import qn

from reports.documents import bulletin_docx, bulletin_html, bulletin_pdf, year_end_docx
from reports.models import Bulletin
from reports.yearend import OutletAdoptions, YearEndFigures
from tests.factories import UnitFactory, UserFactory
from tests.pdfs import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> & Co"
BODY = (
    "<h2>Overview</h2>"
    "<p>Units did <strong>well</strong> and <em>quickly</em>; see "
    '<a href="https://example.org/rules">the rules</a>.</p>'
    "<h3>Next steps</h3>"
    "<ul><li><p>Write more</p></li><li>Photograph &amp; caption</li></ul>"
    "<ol><li>First</li><li>Second</li></ol>"
    "<ol><li>Again first</li></ol>"
    "<script>alert('body')</script>"
)


def row(unit, progress="met", rate=0.5, **figures):
    return {
        "rank": 1,
        "unit": unit,
        "submitted": 3,
        "signed_off": 2,
        "adopted": 1,
        "rate": rate,
        "points": "12.50",
        "min_submitted": 2,
        "min_adopted": 1,
        "progress": progress,
    } | figures


@pytest.fixture
def bulletin(db):
    return Bulletin.objects.create(
        period=Bulletin.Period.MONTH,
        year=2026,
        number=11,
        title="Bulletin on information publicity, November 2026",
        body=BODY,
        figures={
            "period": "2026-11",
            "label": "November 2026",
            "rows": [
                row("First School", points="12.50"),
                row(
                    HOSTILE, progress="behind", rate=None, points="0.00", submitted=0, signed_off=0, adopted=0
                ),
            ],
            "commended": ["First School"],
            "behind": [HOSTILE],
            "zero": [HOSTILE, "Quiet School"],
        },
        created_by=UserFactory(),
        published_at=timezone.make_aware(timezone.datetime(2026, 12, 2, 10)),
    )


def opened(data):
    return Document(io.BytesIO(data))


def table_values(document):
    return [[cell.text for cell in r.cells] for table in document.tables for r in table.rows]


def paragraph(document, text):
    return next(p for p in document.paragraphs if p.text == text)


# --- Year-end figures ----------------------------------------------------------------------------


@pytest.fixture
def figures():
    return YearEndFigures(
        year=2025,
        unit=UnitFactory(name=HOSTILE),
        reported=68,
        signed_off=60,
        signed_off_adopted=45,
        adopted=50,
        by_outlet=[
            OutletAdoptions("Municipal Daily", "city", 35),
            OutletAdoptions("Transport portal", "county", 23),
        ],
        points=Decimal("123.50"),
        median_days_to_submit=1.5,
        median_hours_to_sign_off=30,
        categories=[("News", 40), ("Culture", 20)],
    )


def test_the_year_end_document_has_the_sentence_and_the_tables(figures):
    document = opened(year_end_docx(figures))

    texts = [p.text for p in document.paragraphs]
    assert f"Year-end figures 2025: {HOSTILE}" in texts
    assert "68 items reported, 35 adopted by Municipal Daily, 23 by Transport portal." in texts
    values = table_values(document)
    assert ["Municipal Daily", "City", "35"] in values
    assert ["Transport portal", "County / district", "23"] in values
    assert ["Items reported", "68"] in values
    assert ["Adoption rate", "75.0%"] in values
    assert ["Points", "123.5"] in values
    assert ["Median time from the event to submission", "1.5 days"] in values
    assert ["Median time from submission to sign-off", "30 hours"] in values
    assert ["News", "40"] in values


def test_the_year_end_document_names_a_chinese_font_in_its_styles(figures):
    document = opened(year_end_docx(figures))

    fonts = {f.get(qn("w:eastAsia")) for f in document.styles.element.iter(qn("w:rFonts"))}
    assert {"SimSun", "SimHei"} <= fonts
    themed = [f for f in document.styles.element.iter(qn("w:rFonts")) if f.get(qn("w:eastAsiaTheme"))]
    assert themed == []  # a theme font would win over the named one


def test_the_table_header_repeats_on_every_page(figures):
    document = opened(year_end_docx(figures))

    header = document.tables[0].rows[0]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None


# --- Bulletin, Word ------------------------------------------------------------------------------


def test_the_bulletin_document_converts_the_text(bulletin):
    document = opened(bulletin_docx(bulletin))

    assert paragraph(document, bulletin.title).style.name == "Heading 1"
    assert paragraph(document, "November 2026 · issued Dec. 2, 2026").text
    assert paragraph(document, "Overview").style.name == "Heading 2"
    assert paragraph(document, "Next steps").style.name == "Heading 3"
    text = paragraph(document, "Units did well and quickly; see the rules (https://example.org/rules).")
    runs = {run.text: run for run in text.runs}
    assert runs["well"].bold and not runs["Units did "].bold
    assert runs["quickly"].italic
    assert paragraph(document, "Write more").style.name == "List Bullet"
    assert paragraph(document, "Photograph & caption").style.name == "List Bullet"
    assert paragraph(document, "First").style.name == "List Number"
    assert not any("alert('body')" in p.text for p in document.paragraphs)


def test_each_numbered_list_starts_again_at_one(bulletin):
    document = opened(bulletin_docx(bulletin))

    def numbering(text):
        return paragraph(document, text)._p.pPr.numPr.numId.val

    assert numbering("First") == numbering("Second")
    assert numbering("Again first") != numbering("First")


def test_the_bulletin_document_has_the_figures_and_the_annex(bulletin):
    document = opened(bulletin_docx(bulletin))

    values = table_values(document)
    assert values[0] == [
        "Unit",
        "Submitted",
        "Signed off",
        "Adopted",
        "Adoption rate",
        "Points",
        "Minimum (submitted / adopted)",
        "Progress",
    ]
    assert ["First School", "3", "2", "1", "50.0%", "12.5", "2 / 1", "Met"] in values
    assert [HOSTILE, "0", "0", "0", "—", "0", "2 / 1", "Behind"] in values
    texts = [p.text for p in document.paragraphs]
    annex = texts.index("Annex: units with no submissions")
    assert texts[annex + 1 : annex + 3] == [HOSTILE, "Quiet School"]


def test_a_bulletin_without_zero_units_says_none(bulletin):
    bulletin.figures["zero"] = []
    document = opened(bulletin_docx(bulletin))

    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("Annex: units with no submissions") + 1] == "None."


def test_control_characters_do_not_break_the_document(bulletin):
    bulletin.title = "Bulletin\x00\x0b November"
    bulletin.figures["zero"] = ["Quiet\x1f School"]

    document = opened(bulletin_docx(bulletin))

    assert paragraph(document, "Bulletin November").style.name == "Heading 1"
    assert "Quiet School" in [p.text for p in document.paragraphs]


# --- Bulletin, PDF -------------------------------------------------------------------------------


def test_the_bulletin_pdf_is_drawn(bulletin):
    data = bulletin_pdf(bulletin)

    assert data.startswith(b"%PDF") and len(data) > 1000


def test_a_chinese_bulletin_pdf_draws_its_chinese_in_the_font_it_embeds(bulletin):
    bulletin.title = "关于2026年11月信息宣传工作的通报"
    bulletin.body = "<p>沙湾区第一中学报送及时<strong>采用率</strong>最高。</p>"
    bulletin.figures["rows"][0]["unit"] = "沙湾区第一中学"
    bulletin.figures["zero"] = ["沙湾区实验小学"]

    with override("zh-hans"):
        data = bulletin_pdf(bulletin)

    fonts = pdf_fonts(data)
    # Every glyph, Latin and Chinese, regular and bold, comes from the font the project ships: none
    # from whatever fonts the machine happens to have.
    assert fonts and all(font.is_ours and font.embedded for font in fonts), fonts
    text = pdf_text(data)
    for words in ["关于2026年11月信息宣传工作的通报", "沙湾区第一中学报送及时", "采用率", "附件"]:
        assert words in text
    assert "沙湾区实验小学" in text


def test_the_bulletin_pdf_html_has_the_title_text_figures_and_annex(bulletin):
    html = bulletin_html(bulletin)

    assert "<h1>Bulletin on information publicity, November 2026</h1>" in html
    assert "<h2>Overview</h2>" in html and "<strong>well</strong>" in html
    assert "<th>Minimum (submitted / adopted)</th>" in html.replace(' scope="col"', "")
    assert "Annex: units with no submissions" in html and "<li>Quiet School</li>" in html


def test_the_bulletin_pdf_html_keeps_hostile_text_as_text(bulletin):
    html = bulletin_html(bulletin)

    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_files_made_while_publishing_are_dated_today(bulletin):
    bulletin.published_at = None  # publish_bulletin draws the files just before it sets the date

    html = bulletin_html(bulletin)

    assert f"issued {date_format(timezone.localdate(), 'DATE_FORMAT')}" in html


# --- What each figure counts ---------------------------------------------------------------------

RATE_NOTE = "Adoption rate: of the items signed off in November 2026, the share adopted by an outlet so far"


def test_the_bulletin_says_what_each_figure_counts_and_over_which_period(bulletin):
    html = bulletin_html(bulletin)
    word = [p.text for p in opened(bulletin_docx(bulletin)).paragraphs]

    for text in (html, "\n".join(word)):
        assert "Adopted: items published by an outlet in November 2026, whenever they were signed off" in text
        assert RATE_NOTE in text
        assert "Submitted: items submitted for review in November 2026" in text


def test_the_figure_notes_are_in_chinese_on_a_chinese_bulletin(bulletin):
    bulletin.figures["label"] = "2026年11月"
    with override("zh-hans"):
        html = bulletin_html(bulletin)

    assert "采用率：2026年11月签发的信息中，截至目前已被渠道采用的比例" in html

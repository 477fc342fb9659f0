"""The issue as PDF and Word: masthead, columns, pieces, distribution and print lines, in Chinese
for Chinese readers and in English for English ones."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.utils import translation
from docx import Document

from briefings import actions, documents
from tests.pdfs import pdf_fonts

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(series, office_people, signed_off, school):
    briefing = actions.create_briefing(series, by=office_people["editor"])
    for title in ["沙湾一中秋季运动会", "实验小学科学角开放"]:
        actions.add_piece(briefing, signed_off(title=title), by=office_people["editor"])
    briefing.editor_note = "本期聚焦校园活动。<script>x</script>"
    briefing.save()
    actions.submit_for_review(briefing, by=office_people["editor"])
    actions.approve(briefing.steps.get(), by=office_people["director"])
    return actions.issue(briefing, units=[school], by=office_people["editor"], issued_on=date(2026, 11, 30))


def pdf_text(content, tmp_path):
    path = tmp_path / "briefing.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return text.stdout, fonts.stdout


def docx_text(content):
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_the_chinese_html_has_the_customary_layout(issued):
    with translation.override("zh-hans"):
        html = documents.briefing_html(issued)
    for expected in [
        "沙湾区教育信息",
        "2026年第1期（总第137期）",
        "沙湾区教育局办公室编",
        "2026年11月30日",
        "【工作动态】",
        "沙湾一中秋季运动会",
        "（Test School供稿）",
        "报： 区委办、区政府办",
        "送： 市教育局",
        "发： 各中小学",
        "2026年11月30日印发",
        "（共印30份）",
        "编者按：",
    ]:
        assert expected in html
    assert "<script>x" not in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_pdf_holds_the_text_and_embeds_its_fonts(issued, tmp_path):
    with translation.override("zh-hans"):
        text, fonts = pdf_text(documents.briefing_pdf(issued), tmp_path)
    text = "".join(text.split())  # the masthead is letter-spaced: pdftotext reads gaps between its glyphs
    assert "沙湾区教育信息" in text and "总第137期" in text and "印发" in text
    # Every glyph comes from the font the project ships, embedded: none from the machine's own fonts
    # (a machine without a CJK font would otherwise draw the Chinese as boxes).
    fonts = pdf_fonts(documents.briefing_pdf(issued))
    assert fonts and all(font.is_ours and font.embedded for font in fonts), fonts


def test_an_english_reader_gets_the_same_layout_in_english(issued):
    with translation.override("en"):
        html = documents.briefing_html(issued)
        word = docx_text(documents.briefing_docx(issued))
    for text in (html, word):
        assert "2026, No. 1 (total No. 137)" in text
        assert "Reported to: 区委办、区政府办" in text
        assert "printed and issued" in text


def test_the_word_document_has_the_same_text(issued):
    with translation.override("zh-hans"):
        text = docx_text(documents.briefing_docx(issued))
    for expected in ["沙湾区教育信息", "2026年第1期（总第137期）", "【工作动态】",
                     "实验小学科学角开放", "报： 区委办、区政府办", "（共印30份）"]:  # fmt: skip
        assert expected in text

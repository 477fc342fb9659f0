"""PDFs draw in the font the project ships and fetch nothing else, whatever the HTML names."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from publicity.pdf import render_pdf
from tests.pdfs import pdf_fonts, pdf_text


@pytest.fixture
def local_server():
    """A web server on loopback that counts the requests it gets."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b'body::after { content: "FETCHED" }')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def test_a_pdf_fetches_no_url_its_content_names(tmp_path, local_server):
    address, hits = local_server
    leaked = tmp_path / "leak.css"
    leaked.write_text('body::before { content: "LEAKED" }')
    html = (
        f'<link rel="stylesheet" href="{leaked.as_uri()}"><link rel="stylesheet" href="{address}/a.css">'
        f'<p>沙湾区<img src="{address}/b.png"></p>'
    )

    data = render_pdf(html)

    text = pdf_text(data)
    assert "沙湾区" in text and "LEAKED" not in text and "FETCHED" not in text
    assert hits == []
    assert all(font.is_ours for font in pdf_fonts(data))


def test_the_font_a_pdf_embeds_is_cut_to_its_characters_and_keeps_every_weight():
    from fontTools.ttLib import TTFont

    from publicity.pdf import _font_for, pdf_font_path

    html = "<p>沙湾区 &#x9f98; <b>加粗</b></p>"
    with _font_for(html) as path:
        font = TTFont(path)

    whole = TTFont(pdf_font_path())
    drawn = set(font.getBestCmap())
    assert {ord(c) for c in "沙湾区龘加粗0123456789第页"} <= drawn  # the entity too, and page numbers
    assert len(font.getGlyphOrder()) < len(whole.getGlyphOrder()) / 50  # 31,036 glyphs whole
    assert [axis.axisTag for axis in font["fvar"].axes] == ["wght"]  # still variable: bold is drawn


def test_bold_and_semi_bold_text_is_drawn_in_those_weights():
    data = render_pdf('<p>正文 <b>加粗</b> <span style="font-weight: 600">半粗</span></p>')

    names = sorted(font.name for font in pdf_fonts(data))
    assert names == [
        "Publicity-Noto-Sans-SC",
        "Publicity-Noto-Sans-SC-Bold",
        "Publicity-Noto-Sans-SC-Semi-Bold",
    ]
    assert "正文 加粗 半粗" in pdf_text(data)

import pytest

from submissions.content import plain_text, sanitize_body, text_length


@pytest.mark.parametrize(
    "hostile",
    [
        "<p>hi<script>alert(1)</script></p>",
        '<p onclick="alert(1)">hi</p>',
        '<p><a href="javascript:alert(1)">hi</a></p>',
        '<p><img src="x" onerror="alert(1)">hi</p>',
        '<p style="position:fixed;top:0;left:0;width:100%;height:100%">hi</p>',
        '<p><svg onload="alert(1)"><circle r="9"/></svg>hi</p>',
        '<p><iframe src="https://evil.example"></iframe>hi</p>',
        "<p><style>body{display:none}</style>hi</p>",
        '<p class="btn btn-danger" id="login">hi</p>',
        '<form action="https://evil.example"><input name="password">hi</form>',
    ],
)
def test_hostile_markup_never_survives(hostile):
    cleaned = sanitize_body(hostile)

    assert "hi" in cleaned
    for needle in ("script", "onclick", "onerror", "onload", "javascript:", "style", "<img", "<svg",
                   "<iframe", "class=", "id=", "<form", "<input"):  # fmt: skip
        assert needle not in cleaned.lower(), (needle, cleaned)


def test_paragraphs_bold_italics_lists_and_tables_are_kept():
    body = (
        "<p>One <strong>bold</strong> and <em>italic</em></p><ul><li>a</li></ul><ol><li>b</li></ol>"
        '<table><tbody><tr><th>h</th><td colspan="2">c</td></tr></tbody></table>'
    )
    assert sanitize_body(body) == body


def test_safe_links_keep_their_address_and_gain_rel():
    cleaned = sanitize_body('<p><a href="https://example.org/x">x</a></p>')
    assert 'href="https://example.org/x"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned


def test_plain_text_becomes_paragraphs_escaped():
    assert (
        sanitize_body("first line\nsecond\n\nnext & last")
        == "<p>first line<br>second</p><p>next &amp; last</p>"
    )


def test_an_empty_editor_is_an_empty_body():
    assert sanitize_body("<p></p>") == ""
    assert sanitize_body("<p><br></p>") == ""


def test_length_counts_chinese_characters_and_ignores_spaces():
    assert text_length("<p>沙湾区 运动会</p><p>ab&amp;c</p>") == 10


def test_plain_text_fields_drop_control_characters_and_collapse_space():
    assert plain_text("  A\x00 title\n\twith   <b>tags</b> ") == "A title with <b>tags</b>"


def test_characters_xml_cannot_hold_are_removed_from_text_and_body():
    from submissions.content import xml_text

    assert xml_text("a\x07b\ufffec\uffff\ud800d\te\nf") == "abcd\te\nf"
    assert plain_text("Title\ufffe\x07 here") == "Title here"
    assert sanitize_body("<p>bell\x07 and\ufffe more</p>") == "<p>bell and more</p>"
    assert sanitize_body("plain\x07 text\ud800") == "<p>plain text</p>"

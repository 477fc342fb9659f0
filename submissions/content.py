"""Content rules for article text: the body's allow-list, plain-text fields, and length."""

import html
import re

import nh3

# What the editor produces and a pasted Word document keeps: paragraphs, bold, italics, lists and
# simple tables. Everything else — styles, classes, fonts, images, scripts, event handlers — goes.
BODY_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
BODY_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "a": {"href"}}

_cleaner = nh3.Cleaner(
    tags=BODY_TAGS,
    attributes=BODY_ATTRIBUTES,
    clean_content_tags={"script", "style", "template", "iframe", "object", "noscript", "svg", "math"},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
# Characters XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates, U+FFFE, U+FFFF):
# one in a title or body breaks the Atom feed, Word and Excel files.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EMPTY = re.compile(r"^(\s|<p>\s*(<br\s*/?>)?\s*</p>)*$")
_TAG = re.compile(r"<[^>]*>")
_WHITESPACE = re.compile(r"\s+")


def xml_text(value):
    """`value` as a string without the characters XML 1.0 cannot hold: for input and for every XML
    output (feeds, Word, Excel)."""
    return _NOT_XML.sub("", str(value))


def sanitize_body(value):
    """The body as safe HTML; plain text (no tags) becomes paragraphs."""
    value = xml_text(value or "")
    if "<" not in value:
        paragraphs = [p.strip() for p in value.replace("\r\n", "\n").split("\n\n")]
        value = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p)
    cleaned = _cleaner.clean(value).strip()
    return "" if _EMPTY.match(cleaned) else cleaned


def body_text(value):
    """The body's visible text, for length, search and duplicate checks."""
    with_breaks = re.sub(r"</(p|li|tr|td|th)>|<br\s*/?>", " ", value or "")
    return _WHITESPACE.sub(" ", html.unescape(_TAG.sub("", with_breaks))).strip()


def text_length(value):
    """Characters as an editor counts them: every Chinese character is one; spaces do not count."""
    return len(_WHITESPACE.sub("", body_text(value)))


def plain_text(value):
    """A one-line plain-text field (title, caption, credit): no tags, no control characters."""
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", xml_text(value or ""))
    return _WHITESPACE.sub(" ", value).strip()


_TOKEN = re.compile(r"[A-Za-z0-9]+|\s+|.", re.DOTALL)


def diff_html(old, new):
    """The visible text of two bodies (or titles) compared: deletions in <del>, insertions in <ins>.

    Latin words are compared whole; every other character (a Chinese character, a punctuation mark)
    on its own. The result is escaped HTML.
    """
    from difflib import SequenceMatcher

    a, b = _TOKEN.findall(body_text(old)), _TOKEN.findall(body_text(new))
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
        if op == "equal":
            parts.append(html.escape("".join(a[i1:i2])))
    return "".join(parts)

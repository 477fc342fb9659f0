"""What a PDF holds, read back with poppler's pdffonts and pdftotext (Debian's poppler-utils)."""

import subprocess
import tempfile
from dataclasses import dataclass

from publicity.pdf import PDF_FONT_FAMILY


@dataclass
class PdfFont:
    name: str  # without the subset prefix ("ABCDEF+")
    embedded: bool

    @property
    def is_ours(self):
        return self.name.startswith(PDF_FONT_FAMILY.replace(" ", "-"))


def pdf_fonts(data):
    """The fonts a PDF uses, as pdffonts lists them."""
    lines = _poppler("pdffonts", data).splitlines()[2:]  # two header lines
    fonts = []
    for line in lines:
        # name, type (may hold spaces), encoding, emb, sub, uni, object id, generation
        name, *_, emb, _sub, _uni, _obj, _gen = line.split()
        fonts.append(PdfFont(name=name.split("+", 1)[-1], embedded=emb == "yes"))
    return fonts


def pdf_text(data):
    return _poppler("pdftotext", data, "-")


def _poppler(tool, data, *args):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(data)
        pdf.flush()
        return subprocess.run([tool, pdf.name, *args], capture_output=True, check=True, text=True).stdout

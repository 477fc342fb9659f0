"""Excel workbooks, written and read safely: the helpers behind every export and every import.

Uploaded files come from outside and cell text comes from users, so the reader refuses anything that
is not a small, honest .xlsx before openpyxl sees it, and the writer never lets text become a formula.
Each import (adoptions, units and people) describes its own sheet with a `SheetShape`.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Font

from publicity.numbers import rounded_percentage
from submissions.content import xml_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_UNPACKED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 100

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
# Text starting with these is a formula (or becomes one when re-saved as CSV) in Excel and WPS.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
EXAMPLE = Font(italic=True, color="808080")


@dataclass(frozen=True)
class Percent:
    """A share written as a percentage: `Percent(0.25)` shows 25.0 %. `Percent(None)` is an empty cell."""

    share: float | Decimal | None


# --- Writing ------------------------------------------------------------------------------------


def content_disposition(filename):
    """`attachment` with an ASCII name for old clients and the real (e.g. Chinese) name per RFC 5987."""
    name = re.sub(r'[\x00-\x1f\x7f"\\/]', "", filename).strip() or "export.xlsx"
    if not name.lower().endswith(".xlsx"):
        name += ".xlsx"
    ascii_stem = unicodedata.normalize("NFKD", name[:-5]).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-.") or "export"
    return f"attachment; filename=\"{ascii_stem}.xlsx\"; filename*=UTF-8''{quote(name, safe='')}"


def write_header(sheet, headers):
    for column, label in enumerate(headers, start=1):
        put(sheet.cell(row=1, column=column), label).font = BOLD
    sheet.freeze_panes = "A2"
    return {column: width(label) for column, label in enumerate(headers, start=1)}


def put(cell, value):
    """Write one value as the type Excel should see."""
    if isinstance(value, Percent):
        shown = rounded_percentage(value.share)  # rounded as the pages round it, so both read the same
        cell.value = None if shown is None else float(shown / 100)
        cell.number_format = PERCENT_FORMAT
    elif isinstance(value, datetime):
        cell.value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif value is None or isinstance(value, int | float | Decimal):  # bool is an int: TRUE/FALSE
        cell.value = value
    else:
        safe = xml_text(value)
        cell.value = safe
        if safe.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
    return cell


def width(value):
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, Percent):
        return 7
    shown_text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in shown_text[:100])


def sheet_title(title):
    # Excel's rules: at most 31 characters, none of []:*?/\ and no apostrophe at either end.
    cleaned = re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", str(title)).strip(" '")[:31].strip(" '")
    return cleaned or "Sheet"


def saved(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading an uploaded sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class SheetShape:
    """What one import reads: how many columns (by position), at most how many rows, and its own
    words for a sheet with too many rows (%(max)s) and for a decompression bomb (%(limit)s)."""

    columns: int
    max_rows: int
    too_many_rows: str
    too_much_data: str


class SheetRefused(Exception):
    """The whole file is refused; `message` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_lines(uploaded_file, shape, *, limit):
    """(row number, values) of the first sheet's non-empty rows below the header, each with exactly
    `shape.columns` values. Raises SheetRefused for a file that is too big, not an .xlsx, a bomb, or
    longer than `shape.max_rows`."""
    return _sheet_lines(_workbook_bytes(uploaded_file, limit, shape), shape)


def _workbook_bytes(uploaded_file, limit, shape):
    too_big = _("The file is %(size)s; the largest accepted is %(limit)s.")
    if uploaded_file.size is not None and uploaded_file.size > limit:
        size = filesizeformat(uploaded_file.size)
        raise SheetRefused(too_big % {"size": size, "limit": filesizeformat(limit)})
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)  # the declared size may lie
    if len(data) > limit:
        raise SheetRefused(too_big % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)})
    _check_package(data, shape)
    return data


def _not_xlsx():
    return SheetRefused(
        _(
            "This file is not an Excel workbook (.xlsx). Open it in Excel or WPS, save it as "
            "“Excel Workbook (*.xlsx)” and upload that file."
        )
    )


def _check_package(data, shape):
    """Refuse a decompression bomb before anything unpacks it. zipfile stops each member at its
    declared size, so the declared sizes checked here bound what openpyxl can unpack."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_xlsx() from None
    bomb = (
        len(members) > MAX_MEMBERS
        or sum(m.file_size for m in members) > MAX_UNPACKED
        or any(m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members)
    )
    if bomb:
        raise SheetRefused(shape.too_much_data % {"limit": filesizeformat(MAX_UNPACKED)})


def _sheet_lines(data, shape):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged or foreign package
        raise _not_xlsx() from None
    try:
        return _non_empty(workbook.worksheets[0], shape)  # read-only: the sheet's XML is parsed only now
    except SheetRefused:
        raise
    except Exception:
        raise _not_xlsx() from None
    finally:
        workbook.close()


def _non_empty(sheet, shape):
    lines = []
    for number, values in enumerate(
        sheet.iter_rows(min_row=1, max_col=shape.columns, values_only=True), start=1
    ):
        values = (tuple(values) + (None,) * shape.columns)[: shape.columns]
        if number == 1 or all(text(v) == "" for v in values):
            continue
        lines.append((number, values))
        if len(lines) > shape.max_rows:
            raise SheetRefused(shape.too_many_rows % {"max": shape.max_rows})
    return lines


def key(name):
    return str(name).strip().casefold()


def text(value):
    """A cell as trimmed text; numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    return str(value).strip()


def shown(value):
    """A value as quoted in a message: short enough to read."""
    found = value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else text(value)
    return found if len(found) <= 50 else found[:49] + "…"

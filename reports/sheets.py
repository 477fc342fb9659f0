"""Excel sheets: every table the app exports (`xlsx_response`), and the adoption sheet the office
downloads (`adoption_template`), fills and uploads (`read_adoption_sheet`).

Uploaded files come from outside and cell text comes from users, so the reader refuses anything that
is not a small, honest .xlsx before openpyxl sees it, and the writer never lets text become a formula.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from outlets.models import Adoption, Outlet
from outlets.validators import validate_web_address
from submissions.content import xml_text
from submissions.models import Article, Status

from .numbers import rounded_percentage
from .periods import BEFORE_FIRST_YEAR, IN_THE_FUTURE, publication_day_problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_ROWS = 2000
MAX_UNPACKED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 100
MAX_ITEM_NUMBER = 2**31 - 1  # beyond an integer primary key: no such item, and no database error

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
# Text starting with these is a formula (or becomes one when re-saved as CSV) in Excel and WPS.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
EXAMPLE = Font(italic=True, color="808080")

# The adoption sheet's columns, read by position: the header may be in English or Chinese.
COLUMNS = [
    ("article", gettext_lazy("Item number"), 12),
    ("outlet", gettext_lazy("Outlet"), 24),
    ("adopted_on", gettext_lazy("Published on"), 14),
    ("url", gettext_lazy("Address"), 40),
    ("issue", gettext_lazy("Issue and page"), 16),
    ("note", gettext_lazy("Note"), 24),
    ("instruction_level", gettext_lazy("Leader instruction level"), 18),
    ("instruction_leader", gettext_lazy("Instructing leader"), 18),
    ("instruction_text", gettext_lazy("Leader instruction"), 40),
]
TEXT_FIELDS = ("url", "issue", "note", "instruction_leader", "instruction_text")


@dataclass(frozen=True)
class Percent:
    """A share written as a percentage: `Percent(0.25)` shows 25.0 %. `Percent(None)` is an empty cell."""

    share: float | Decimal | None


# --- Writing ------------------------------------------------------------------------------------


def xlsx_response(filename, title, headers, rows):
    """One table as an .xlsx download: bold, frozen header; dates as dates; numbers as numbers;
    `Percent` values as percentages; None as an empty cell; text always as text, never a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    widths = _write_header(sheet, headers)
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _put(sheet.cell(row=row, column=column), value)
            widths[column] = max(widths.get(column, 0), _width(value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 6), 60) + 2
    response = HttpResponse(_saved(workbook), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def content_disposition(filename):
    """`attachment` with an ASCII name for old clients and the real (e.g. Chinese) name per RFC 5987."""
    name = re.sub(r'[\x00-\x1f\x7f"\\/]', "", filename).strip() or "export.xlsx"
    if not name.lower().endswith(".xlsx"):
        name += ".xlsx"
    ascii_stem = unicodedata.normalize("NFKD", name[:-5]).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-.") or "export"
    return f"attachment; filename=\"{ascii_stem}.xlsx\"; filename*=UTF-8''{quote(name, safe='')}"


def _write_header(sheet, headers):
    for column, label in enumerate(headers, start=1):
        _put(sheet.cell(row=1, column=column), label).font = BOLD
    sheet.freeze_panes = "A2"
    return {column: _width(label) for column, label in enumerate(headers, start=1)}


def _put(cell, value):
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
        text = xml_text(value)
        cell.value = text
        if text.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
    return cell


def _width(value):
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, Percent):
        return 7
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text[:100])


def _sheet_title(title):
    # Excel's rules: at most 31 characters, none of []:*?/\ and no apostrophe at either end.
    cleaned = re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", str(title)).strip(" '")[:31].strip(" '")
    return cleaned or "Sheet"


def _saved(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The adoption template ----------------------------------------------------------------------


def adoption_template():
    """The .xlsx the office fills: the data sheet (header only), the lists its drop-downs offer, and
    a sheet with instructions and an example. Only the first sheet is read, so the example never is."""
    workbook = Workbook()
    data = workbook.active
    data.title = _sheet_title(_("Adoptions"))
    lists = workbook.create_sheet(_sheet_title(_("Lists")))
    guide = workbook.create_sheet(_sheet_title(_("How to fill")))
    _write_header(data, [label for _key, label, _width in COLUMNS])
    for column, (key, _label, width) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(column)
        data.column_dimensions[letter].width = width
        if key == "adopted_on":  # new dates typed in this column are shown as dates
            data.column_dimensions[letter].number_format = DATE_FORMAT
    outlets, levels = _write_lists(lists)
    _add_choice(data, "outlet", lists.title, "A", outlets)
    _add_choice(data, "instruction_level", lists.title, "C", levels)
    _write_guide(guide, data.title, lists.title)
    return _saved(workbook)


def _write_lists(sheet):
    """Active outlets in column A; instruction levels' labels in C and codes in D (either is read)."""
    _write_header(sheet, [_("Outlet"), None, _("Level"), _("Code")])
    names = list(Outlet.objects.filter(is_active=True).order_by("name").values_list("name", flat=True))
    for row, name in enumerate(names, start=2):
        _put(sheet.cell(row=row, column=1), name)
    for row, (code, label) in enumerate(Outlet.Level.choices, start=2):
        _put(sheet.cell(row=row, column=3), label)
        _put(sheet.cell(row=row, column=4), code)
    for letter, width in (("A", 30), ("B", 4), ("C", 20), ("D", 12)):
        sheet.column_dimensions[letter].width = width
    return len(names), len(Outlet.Level.choices)


def _add_choice(sheet, key, lists_title, letter, count):
    """A drop-down on the data column `key`, offering rows 2.. of the lists sheet's column `letter`.
    Other text is allowed after a warning: the reader, not Excel, has the last word."""
    if not count:
        return
    column = get_column_letter([k for k, _label, _width in COLUMNS].index(key) + 1)
    choice = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(lists_title)}!${letter}$2:${letter}${count + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
    )
    choice.add(f"{column}2:{column}{MAX_ROWS + 1}")
    sheet.add_data_validation(choice)


def _write_guide(sheet, data_title, lists_title):
    lines = [
        _("Fill one adoption per row on the sheet “%(sheet)s”, below its header row.")
        % {"sheet": data_title},
        _("Do not move, add or remove columns: they are read by their position."),
        _("Item number: the number of a signed-off item. Published on: a date such as 2026-03-05."),
        _("Outlet and leader instruction level: as listed on the sheet “%(sheet)s”.")
        % {"sheet": lists_title},
        _("Give the leader instruction level whenever you give an instructing leader or an instruction."),
        _("Only the first sheet is imported. The example below is not."),
    ]
    for row, line in enumerate(lines, start=1):
        _put(sheet.cell(row=row, column=1), line)
    sheet.cell(row=1, column=1).font = BOLD
    header_row = len(lines) + 2
    for column, (_key, label, width) in enumerate(COLUMNS, start=1):
        _put(sheet.cell(row=header_row, column=column), label).font = BOLD
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column, value in enumerate(_example(), start=1):
        _put(sheet.cell(row=header_row + 1, column=column), value).font = EXAMPLE
    _put(sheet.cell(row=header_row + 1, column=len(COLUMNS) + 1), _("Example")).font = EXAMPLE


def _example():
    outlet = Outlet.objects.filter(is_active=True).order_by("name").first()
    return [
        148,
        outlet.name if outlet else _("City Daily"),
        timezone.localdate(),
        "https://news.example.org/2026/03/sports-day.html",
        _("No. 12, page 3"),
        "",
        Outlet.Level.CITY.label,
        _("Deputy mayor Li"),
        _("A good practice: share it with every school."),
    ]


# --- Reading an uploaded sheet ------------------------------------------------------------------


class _Refused(Exception):
    """The whole file is refused; `message` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_adoption_sheet(uploaded_file):
    """Check a filled adoption template. Returns (rows, errors): rows are dicts for
    `reports.actions.import_adoptions`; errors are (row number, message), row 0 for the file itself,
    every problem of every row. The sheet is all or nothing: when there are errors, rows is empty.

    Columns are read by position from the first sheet; row 1 is the header; empty rows are skipped.
    Two queries (items, outlets) whatever the number of rows.
    """
    try:
        lines = _sheet_lines(_workbook_bytes(uploaded_file))
    except _Refused as refused:
        return [], [(0, refused.message)]
    if not lines:
        return [], [(0, _("The sheet has no adoptions below its header row."))]
    checker = _RowChecker(lines)
    rows, errors = [], []
    for number, values in lines:
        row, problems = checker.check(number, values)
        rows.append(row)
        errors += [(number, problem) for problem in problems]
    return ([], errors) if errors else (rows, [])


def _workbook_bytes(uploaded_file):
    limit = getattr(settings, "REPORTS_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
    too_big = _("The file is %(size)s; the largest accepted is %(limit)s.")
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise _Refused(too_big % {"size": filesizeformat(uploaded_file.size), "limit": filesizeformat(limit)})
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)  # the declared size may lie
    if len(data) > limit:
        raise _Refused(too_big % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)})
    _check_package(data)
    return data


def _not_xlsx():
    return _Refused(
        _(
            "This file is not an Excel workbook (.xlsx). Open it in Excel or WPS, save it as "
            "“Excel Workbook (*.xlsx)” and upload that file."
        )
    )


def _check_package(data):
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
        raise _Refused(
            _("This file was refused: it unpacks to far more data than an adoption sheet holds (%(limit)s).")
            % {"limit": filesizeformat(MAX_UNPACKED)}
        )


def _sheet_lines(data):
    """(row number, values) of the first sheet's non-empty rows below the header."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged or foreign package
        raise _not_xlsx() from None
    try:
        return _non_empty(workbook.worksheets[0])  # read-only: the sheet's XML is parsed only now
    except _Refused:
        raise
    except Exception:
        raise _not_xlsx() from None
    finally:
        workbook.close()


def _non_empty(sheet):
    lines = []
    for number, values in enumerate(
        sheet.iter_rows(min_row=1, max_col=len(COLUMNS), values_only=True), start=1
    ):
        values = (tuple(values) + (None,) * len(COLUMNS))[: len(COLUMNS)]
        if number == 1 or all(_text(v) == "" for v in values):
            continue
        lines.append((number, values))
        if len(lines) > MAX_ROWS:
            raise _Refused(
                _("The sheet has more than %(max)s rows of adoptions; split it into several files.")
                % {"max": MAX_ROWS}
            )
    return lines


class _RowChecker:
    """Checks rows one by one against items and outlets loaded once for the whole sheet."""

    def __init__(self, lines):
        numbers = {_item_number(values[0]) for _number, values in lines}
        wanted = [n for n in numbers if n is not None and 0 < n <= MAX_ITEM_NUMBER]
        self.articles = Article.objects.defer("body").in_bulk(wanted)
        # Outlets are a short list; matching in Python keeps case-folding right for any script. A
        # sheet may name them in either language, whatever the page's language is.
        self.outlets = {
            _key(name): outlet
            for outlet in Outlet.objects.all()
            for name in (outlet.name_en, outlet.name_zh_hans, outlet.name)
            if name
        }
        self.levels = _level_codes()
        self.seen = {}  # (article id, outlet id) → first row
        self.today = timezone.localdate()
        self.problems = []  # the row being checked

    def check(self, number, values):
        cells = dict(zip([key for key, _label, _width in COLUMNS], values, strict=True))
        self.problems = []
        row = {
            "row": number,
            "article": self._article(cells["article"]),
            "outlet": self._outlet(cells["outlet"]),
            "adopted_on": self._date(cells["adopted_on"]),
        }
        row.update({key: self._text(key, cells[key]) for key in TEXT_FIELDS})
        if row["url"]:
            self._url(row["url"])
        row["instruction_level"] = self._level(cells["instruction_level"], row)
        self._once(number, row)
        return {key: row[key] for key in ["row", *(key for key, _label, _width in COLUMNS)]}, self.problems

    def _error(self, key, message, value=None):
        """Note a problem with the column `key`; returns None, so a check can `return self._error(...)`."""
        self.problems.append(message % {"column": _label(key), "value": _shown(value)})

    def _article(self, value):
        if _text(value) == "":
            return self._error("article", _("%(column)s: this column is required."))
        number = _item_number(value)
        if number is None:
            return self._error("article", _("%(column)s: “%(value)s” is not a whole number."), value)
        article = self.articles.get(number)
        if article is None:
            return self._error("article", _("%(column)s: there is no item %(value)s."), number)
        if article.status != Status.APPROVED:
            return self._error("article", _("%(column)s: item %(value)s is not signed off."), number)
        return article

    def _outlet(self, value):
        if _text(value) == "":
            return self._error("outlet", _("%(column)s: this column is required."))
        outlet = self.outlets.get(_key(_text(value)))
        if outlet is None:
            self._error("outlet", _("%(column)s: there is no outlet named “%(value)s”."), value)
        return outlet

    def _date(self, value):
        day = _day(value)
        if _text(value) == "":
            self._error("adopted_on", _("%(column)s: this column is required."))
        elif day is None:
            self._error(
                "adopted_on", _("%(column)s: “%(value)s” is not a date; write it as YYYY-MM-DD."), value
            )
        elif problem := publication_day_problem(day, self.today):
            messages = {
                IN_THE_FUTURE: _("%(column)s: %(value)s is in the future."),
                BEFORE_FIRST_YEAR: _("%(column)s: %(value)s is before the year 2000."),
            }
            self._error("adopted_on", messages[problem], day)
        else:
            return day
        return None

    def _text(self, key, value):
        text = _text(value)
        limit = Adoption._meta.get_field(key).max_length
        if limit and len(text) > limit:
            message = _("%(column)s: “%(value)s” is longer than %(max)s characters.")
            self.problems.append(message % {"column": _label(key), "value": _shown(text), "max": limit})
        return text

    def _url(self, url):
        try:
            validate_web_address(url)
        except ValidationError:
            self._error(
                "url", _("%(column)s: “%(value)s” is not a web address starting with http(s)://."), url
            )

    def _level(self, value, row):
        text = _text(value)
        if text == "":
            if row["instruction_leader"] or row["instruction_text"]:
                self._error(
                    "instruction_level",
                    _("%(column)s: required when an instructing leader or an instruction is given."),
                )
            return ""
        code = self.levels.get(_key(text))
        if code is None:
            message = _("%(column)s: “%(value)s” is not a level; use one of: %(choices)s.")
            choices = ", ".join(str(label) for _code, label in Outlet.Level.choices)
            self.problems.append(
                message % {"column": _label("instruction_level"), "value": _shown(text), "choices": choices}
            )
            return ""
        return code

    def _once(self, number, row):
        if not (row["article"] and row["outlet"]):
            return
        first = self.seen.setdefault((row["article"].pk, row["outlet"].pk), number)
        if first != number:
            message = _("%(column)s: item %(item)s and outlet “%(outlet)s” are already on row %(row)s.")
            values = {"item": row["article"].pk, "outlet": row["outlet"].name, "row": first}
            self.problems.append(message % {"column": _label("outlet"), **values})


def _label(key):
    return next(label for k, label, _width in COLUMNS if k == key)


def _level_codes():
    """Code, English label and Chinese label (case-folded) → level code."""
    codes = {code: code for code in Outlet.Level.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            codes.update({_key(str(label)): code for code, label in Outlet.Level.choices})
    return codes


def _key(name):
    return str(name).strip().casefold()


def _text(value):
    """A cell as trimmed text; numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    return str(value).strip()


def _shown(value):
    """A value as quoted in a message: short enough to read."""
    text = value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else _text(value)
    return text if len(text) <= 50 else text[:49] + "…"


def _item_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value)
    return int(text) if re.fullmatch(r"\d{1,30}", text) else None  # int() refuses very long digit runs


def _day(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None

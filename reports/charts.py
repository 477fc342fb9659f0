"""Charts for the office dashboard, drawn on the server as inline SVG.

Why not a JavaScript chart library: nothing is fetched from a CDN and no script runs, so the pages
keep their strict Content-Security-Policy (`style-src 'self'`). For the same reason the markup has
no `style=` attributes: colours and lines are SVG presentation attributes, and classes from
static/css/charts.css refine them on screen. WeasyPrint draws inline SVG in the PDF reports but does
not apply the page's stylesheet to it, so everything a reader needs is in the attributes.

Each function returns the `<svg>` markup as a SafeString; every label and value in it is escaped,
because unit and series names come from users. Screen readers get the chart's title (role="img",
aria-labelledby) and a sentence that sums it up (<desc>, aria-describedby); `chart_table` gives the
figures for a table next to the chart.
"""

import hashlib
import math
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from submissions.content import xml_text

# Okabe-Ito: told apart with the common kinds of colour blindness. Yellow is last but one because
# it is the faintest on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
INK = "#212529"
MUTED = "#495057"
GRID = "#dee2e6"
TRACK = "#f1f3f5"

FONT_SIZE = 12  # user units; the root <svg> carries it so that PDFs, which ignore charts.css, agree
LEGEND_LINE = 18
AXIS_LABELS = 24  # room under the plot for the category labels
ROW = 22  # one bar_list row
VALUE_ROOM = 64  # room after a bar_list bar for its value
LABEL_LIMIT = 120  # widest category or legend label before it is cut


def stacked_bars(categories, series, *, title, width=720, height=260):
    """One vertical bar per category, stacked from the series; negative values count as 0."""
    names = [name for name, _ in series]
    rows = [[max(value, 0.0) for value in _values(categories, values)] for _, values in series]
    totals = [sum(column) for column in zip(*rows, strict=True)]
    if not any(totals):
        return _no_data(title, width)
    legend, top = _legend(names, width)
    ticks = _ticks(0.0, max(totals), integers=_integers(rows))
    frame = _frame(categories, ticks, top=top, width=width, height=height)
    parts = [legend, _grid(frame), _x_labels(categories, frame)]
    for index, category in enumerate(categories):
        parts.append(_stack(category, index, names, [row[index] for row in rows], frame))
    highest = max(range(len(categories)), key=lambda index: totals[index])
    summary = gettext("Total: %(total)s. Highest: %(category)s, %(value)s.") % {
        "total": _format_number(sum(totals)),
        "category": categories[highest],
        "value": _format_number(totals[highest]),
    }
    return _svg("stacked-bars", title, width, height, parts, summary=summary)


def bar_list(rows, *, title, value_format="{:.0%}", max_value=None, width=720):
    """One horizontal bar per `(label, value)` row, longest at `max_value` (default: the largest value).
    `value_format` is a format string or a function (such as `reports.numbers.percent`)."""
    values = [max(_number(value), 0.0) for _, value in rows]
    if not any(values):
        return _no_data(title, width)
    scale = max_value or max(values)
    shown = [
        value_format(value) if callable(value_format) else value_format.format(value) for value in values
    ]
    bars = [
        _bar_row(index, label, text, min(value / scale, 1), width)
        for index, ((label, _), value, text) in enumerate(zip(rows, values, shown, strict=True))
    ]
    high = max(range(len(values)), key=values.__getitem__)
    low = min(range(len(values)), key=values.__getitem__)
    summary = gettext("Highest: %(high)s, %(high_value)s. Lowest: %(low)s, %(low_value)s.") % {
        "high": rows[high][0],
        "high_value": shown[high],
        "low": rows[low][0],
        "low_value": shown[low],
    }
    return _svg("bar-list", title, width, len(rows) * ROW + 4, bars, summary=summary)


def line_chart(categories, series, *, title, width=720, height=240):
    """One line per series across the categories; points may go below zero (deductions)."""
    names = [name for name, _ in series]
    rows = [_values(categories, values) for _, values in series]
    points = [value for row in rows for value in row]
    if not any(points):
        return _no_data(title, width)
    legend, top = _legend(names, width)
    ticks = _ticks(min(0.0, *points), max(0.0, *points), integers=_integers(rows))
    frame = _frame(categories, ticks, top=top, width=width, height=height)
    parts = [legend, _grid(frame), _zero_line(frame), _x_labels(categories, frame)]
    for index, (name, row) in enumerate(zip(names, rows, strict=True)):
        parts.append(_line(categories, index, name, row, frame))
    return _svg("line", title, width, height, parts, summary=_line_summary(categories, names, rows))


def chart_table(categories, series, value_text=None):
    """The figures behind a chart with categories, for a table next to it: a column per series, a row
    per category; values written by `value_text` (e.g. `reports.numbers.points`)."""
    value_text = value_text or _format_number
    names = [name for name, _ in series]
    columns = [list(zip(categories, values, strict=True)) for _, values in series]
    rows = [
        [str(category), *(value_text(column[index][1] or 0) for column in columns)]
        for index, category in enumerate(categories)
    ]
    return {"headers": ["", *[str(name) for name in names]], "rows": rows}


def _line_summary(categories, names, rows):
    found = [
        (value, name, category)
        for name, row in zip(names, rows, strict=True)
        for category, value in zip(categories, row, strict=True)
    ]
    high = max(found, key=lambda point: point[0])
    low = min(found, key=lambda point: point[0])
    words = gettext(
        "Highest: %(high_series)s, %(high_category)s, %(high_value)s. "
        "Lowest: %(low_series)s, %(low_category)s, %(low_value)s."
    )
    return words % {
        "high_series": high[1],
        "high_category": high[2],
        "high_value": _format_number(high[0]),
        "low_series": low[1],
        "low_category": low[2],
        "low_value": _format_number(low[0]),
    }


# Values and scales


def _number(value):
    """A value as a float; None (nothing recorded) counts as 0."""
    return float(value or 0)


def _values(categories, values):
    # strict: a series with a value too many or too few is a bug in the caller, not a gap to draw.
    return [_number(value) for _, value in zip(categories, values, strict=True)]


def _integers(rows):
    return all(value.is_integer() for row in rows for value in row)


def _ticks(low, high, *, integers):
    """Gridline values covering low..high (low <= 0 <= high) on a step of 1, 2 or 5 times a power of ten."""
    step = _step(low, high, integers)
    first, last = math.floor(round(low / step, 9)), math.ceil(round(high / step, 9))
    last = max(last, first + 2)  # at least three gridlines, even for a maximum of 1
    return tuple(round(index * step, 9) for index in range(first, last + 1))


def _step(low, high, integers):
    magnitude = 10 ** math.floor(math.log10((high - low) / 4))
    steps = (multiple * magnitude for multiple in (1, 2, 5, 10, 20, 50))
    return next(step for step in steps if (step >= 1 or not integers) and _intervals(low, high, step) <= 4)


def _intervals(low, high, step):
    return math.ceil(round(high / step, 9)) - math.floor(round(low / step, 9))


@dataclass(frozen=True)
class _Frame:
    """The plotting area in user units and the gridline values it spans, bottom to top."""

    left: float
    top: float
    right: float
    bottom: float
    ticks: tuple
    count: int  # categories along the x axis, each in a slot of its own

    def y(self, value):
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)

    @property
    def slot(self):
        return (self.right - self.left) / self.count

    def centre(self, index):
        return self.left + (index + 0.5) * self.slot


def _frame(categories, ticks, *, top, width, height):
    left = max(_text_width(_format_number(tick, places=6)) for tick in ticks) + 10
    bottom = height - AXIS_LABELS
    return _Frame(left=left, top=top, right=width - 8, bottom=bottom, ticks=ticks, count=len(categories))


# Pieces of a chart


def _stack(category, index, names, column, frame):
    """The segments of one category's bar, bottom up; their edges are rounded once so they meet exactly."""
    width = min(frame.slot * 0.7, 56)
    x = _n(frame.centre(index) - width / 2)
    parts, total, floor = [], 0.0, _round(frame.y(0))
    for series, (name, value) in enumerate(zip(names, column, strict=True)):
        if not value:
            continue
        total += value
        top = _round(frame.y(total))
        tooltip = _tooltip(name, category, value)
        parts.append(
            f'<rect class="chart-bar" x="{x}" y="{_n(top)}" width="{_n(width)}" height="{_n(floor - top)}" '
            f'fill="{_colour(series)}">{tooltip}</rect>'
        )
        floor = top
    return "".join(parts)


def _bar_row(index, label, value_text, share, width):
    """Label, track and bar for one row; `share` (0..1) is how much of the track the bar fills."""
    label_room = round(width * 0.3)
    track = width - label_room - VALUE_ROOM
    y = index * ROW + 4
    tooltip = _title(gettext("%(label)s: %(value)s") % {"label": label, "value": value_text})
    return (
        f'<g class="chart-row">{tooltip}{_text(0, y + 12, _fit(str(label), label_room - 8))}'
        f'<rect class="chart-track" x="{label_room}" y="{y}" width="{track}" height="14" fill="{TRACK}"/>'
        f'<rect class="chart-bar" x="{label_room}" y="{y}" width="{_n(share * track)}" height="14" '
        f'fill="{_colour(0)}"/>'
        f"{_text(label_room + share * track + 4, y + 12, value_text, css='chart-text chart-value')}</g>"
    )


def _line(categories, index, name, values, frame):
    colour = _colour(index)
    points = [(_n(frame.centre(i)), _n(frame.y(value))) for i, value in enumerate(values)]
    markers = [
        f'<circle class="chart-point" cx="{x}" cy="{y}" r="3.5" fill="{colour}">'
        f"{_tooltip(name, category, value)}</circle>"
        for (x, y), category, value in zip(points, categories, values, strict=True)
    ]
    path = " ".join(f"{x},{y}" for x, y in points)
    line = f'<polyline class="chart-line" points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
    return f'<g class="chart-series">{line}{"".join(markers)}</g>'


def _legend(names, width):
    """A swatch and a name per series, wrapping onto more lines; returns the markup and its height."""
    parts, x, y = [], 0.0, 0.0
    for index, name in enumerate(names):
        item = 14 + _text_width(_fit(str(name), LABEL_LIMIT)) + 16
        if x and x + item > width:
            x, y = 0.0, y + LEGEND_LINE
        swatch = f'<rect x="{_n(x)}" y="{_n(y + 3)}" width="10" height="10" fill="{_colour(index)}"/>'
        label = _text(x + 14, y + 12, str(name), room=LABEL_LIMIT)
        parts.append(f'<g class="chart-legend-item">{swatch}{label}</g>')
        x += item
    return "".join(parts), y + LEGEND_LINE + 8


def _grid(frame):
    parts = []
    for tick in frame.ticks:
        y = frame.y(tick)
        label = _format_number(tick, places=6)  # a step can be as small as the values are
        parts.append(_rule(frame, y, css="chart-grid", stroke=GRID))
        parts.append(
            _text(frame.left - 6, y + 4, label, css="chart-text chart-tick", anchor="end", fill=MUTED)
        )
    return "".join(parts)


def _zero_line(frame):
    if frame.ticks[0] >= 0:
        return ""  # the bottom gridline is zero already
    return _rule(frame, frame.y(0), css="chart-zero", stroke=MUTED, stroke_width=1.5)


def _rule(frame, y, *, css, stroke, stroke_width=1):
    """A horizontal line across the plot."""
    return (
        f'<line class="{css}" x1="{_n(frame.left)}" x2="{_n(frame.right)}" y1="{_n(y)}" y2="{_n(y)}" '
        f'stroke="{stroke}" stroke-width="{stroke_width}"/>'
    )


def _x_labels(categories, frame):
    """Category names under the plot; every second (third…) one when they would overlap."""
    widest = max(_text_width(_fit(str(category), LABEL_LIMIT)) for category in categories)
    every = max(1, math.ceil((widest + 4) / frame.slot))
    y = frame.bottom + 16
    return "".join(
        _text(frame.centre(index), y, str(category), room=LABEL_LIMIT, anchor="middle")
        for index, category in enumerate(categories)
        if index % every == 0
    )


def _no_data(title, width):
    message = gettext("No data for this period.")
    text = _text(width / 2, 28, message, css="chart-text chart-empty", anchor="middle", fill=MUTED)
    return _svg("empty", title, width, 44, [text])


def _svg(kind, title, width, height, parts, summary=None):
    body = "".join(parts)
    # Ids must be unique on the page and the output the same for the same input: name it by its content.
    ident = "chart-" + hashlib.sha256(f"{title}\n{summary}\n{body}".encode()).hexdigest()[:12]
    described = f' aria-describedby="{ident}-desc"' if summary else ""
    desc = f'<desc id="{ident}-desc">{_escaped(summary)}</desc>' if summary else ""
    # Safe: every piece of text in `body` went through _escaped().
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'aria-labelledby="{ident}"{described} viewBox="0 0 {width} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" font-family="sans-serif" font-size="{FONT_SIZE}">'
        f'<title id="{ident}">{_escaped(title)}</title>{desc}{body}</svg>'
    )


# Text


def _text(x, y, text, *, room=None, css="chart-text", anchor="start", fill=INK):
    """A <text>, cut to `room` units if given, with the whole text as its tooltip when cut."""
    shown = text if room is None else _fit(text, room)
    hint = _title(text) if shown != text else ""
    return (
        f'<text class="{css}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}">'
        f"{hint}{_escaped(shown)}</text>"
    )


def _tooltip(series, category, value):
    words = gettext("%(series)s · %(category)s: %(value)s")
    return _title(words % {"series": series, "category": category, "value": _format_number(value)})


def _title(text):
    return f"<title>{_escaped(text)}</title>"


def _escaped(text):
    """Escaped for markup, without the characters XML cannot hold (WeasyPrint parses the SVG as XML)."""
    return escape(xml_text(text))


def _fit(text, room):
    """`text`, or as much of it as fits in `room` user units followed by an ellipsis."""
    if _text_width(text) <= room:
        return text
    while text and _text_width(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _text_width(text):
    """Rough width in user units: Chinese characters take a full em, most others about 0.6 em."""
    return sum(FONT_SIZE if unicodedata.east_asian_width(char) in "WF" else FONT_SIZE * 0.6 for char in text)


# Numbers


def _format_number(value, places=2):
    """At most `places` decimals and none when whole: 3, 2.5, 0.25."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _round(value):
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def _n(value):
    """A coordinate for the markup: one decimal, none when whole."""
    return f"{_round(value):.1f}".removesuffix(".0")


def _colour(index):
    return PALETTE[index % len(PALETTE)]

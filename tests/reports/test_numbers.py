"""Numbers read the same on every page and in every document: percentages rounded half-up to one
decimal, points with at most two decimals and no trailing zeros."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from openpyxl import load_workbook

from reports.sheets import Percent, xlsx_response
from reports.templatetags.assessment import percent, points


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (0.0625, "6.3%"),  # 6.25: banker's rounding and float formatting both give 6.2
        (1 / 16, "6.3%"),
        (Decimal("0.0125"), "1.3%"),
        ("0.0625", "6.3%"),  # as a bulletin's snapshot keeps it
        (2 / 3, "66.7%"),
        (0.75, "75.0%"),
        (1, "100.0%"),
        (0, "0.0%"),
        (None, "—"),
    ],
)
def test_percentages_are_rounded_half_up_to_one_decimal(share, shown):
    assert percent(share) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12.50"), "12.5"),
        ("12.50", "12.5"),  # as a bulletin's snapshot keeps it
        (Decimal("0.125"), "0.13"),  # half-up, not half-even
        (Decimal("-0.125"), "-0.13"),
        (Decimal("4"), "4"),
        (Decimal("-0.001"), "0"),
        (None, "0"),
    ],
)
def test_points_have_at_most_two_decimals_and_no_trailing_zeros(value, shown):
    assert points(value) == shown


def test_the_template_filters_are_the_same_functions():
    rendered = Template("{% load assessment %}{{ r|percent }} {{ p|points }}").render(
        Context({"r": 0.0625, "p": "12.50"})
    )
    assert rendered == "6.3% 12.5"


def test_excel_holds_the_rounded_share_so_it_shows_what_the_pages_show():
    response = xlsx_response("x.xlsx", "Figures", ["Rate"], [[Percent(0.0625)], [Percent(2 / 3)]])

    sheet = load_workbook(__import__("io").BytesIO(response.content)).active
    assert [sheet["A2"].value, sheet["A3"].value] == [0.063, 0.667]
    assert sheet["A2"].number_format == "0.0%"

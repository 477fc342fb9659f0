from decimal import Decimal
from itertools import pairwise
from xml.etree import ElementTree

import pytest
from django.template import Context, Template
from django.utils.translation import override

from reports.charts import PALETTE, bar_list, chart_table, line_chart, stacked_bars
from reports.numbers import percent, points

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & Co"
MONTHS = ["2026-01", "2026-02", "2026-03"]


def parse(markup):
    return ElementTree.fromstring(str(markup))


def having_class(root, tag, css):
    return [element for element in root.iter(SVG + tag) if css in element.get("class", "").split()]


def texts(root):
    return ["".join(element.itertext()) for element in root.iter(SVG + "text")]


def titles(root):
    return [element.text for element in root.iter(SVG + "title")]


def draw(kind, label):
    """One chart of each kind with `label` everywhere a name can go."""
    if kind == "stacked_bars":
        return stacked_bars([label, "Feb"], [(label, [1, 2]), ("county", [3, None])], title=label)
    if kind == "bar_list":
        return bar_list([(label, 0.5), ("Second School", 0.25)], title=label)
    if kind == "line_chart":
        return line_chart([label, "Feb"], [(label, [1, -2])], title=label)
    return stacked_bars([], [], title=label)


KINDS = ["stacked_bars", "bar_list", "line_chart", "no_data"]


# stacked_bars


def test_segment_heights_are_proportional_to_the_values():
    root = parse(stacked_bars(["Jan"], [("school", [2]), ("county", [6])], title="Adoptions"))
    school, county = (float(bar.get("height")) for bar in having_class(root, "rect", "chart-bar"))
    assert county == pytest.approx(3 * school, rel=0.01)


def test_segments_stack_on_top_of_each_other():
    root = parse(
        stacked_bars(["Jan"], [("school", [2.3]), ("county", [5.7]), ("city", [1.1])], title="Adoptions")
    )
    bars = having_class(root, "rect", "chart-bar")
    assert len(bars) == 3
    for lower, upper in pairwise(bars):
        assert float(upper.get("y")) + float(upper.get("height")) == pytest.approx(float(lower.get("y")))


def test_a_bigger_total_makes_a_taller_bar():
    root = parse(stacked_bars(["Jan", "Feb"], [("school", [1, 4]), ("city", [1, 4])], title="Adoptions"))
    jan = sum(float(bar.get("height")) for bar in having_class(root, "rect", "chart-bar")[:2])
    feb = sum(float(bar.get("height")) for bar in having_class(root, "rect", "chart-bar")[2:])
    assert feb == pytest.approx(4 * jan, rel=0.01)


def test_each_segment_tells_its_series_category_and_value():
    root = parse(stacked_bars(["Jan"], [("school", [2]), ("county", [6])], title="Adoptions"))
    assert titles(root)[1:] == ["school · Jan: 2", "county · Jan: 6"]


def test_negative_values_in_stacked_bars_count_as_zero():
    root = parse(stacked_bars(["Jan"], [("school", [-3]), ("county", [4])], title="Adoptions"))
    assert [bar.get("fill") for bar in having_class(root, "rect", "chart-bar")] == [PALETTE[1]]


def test_the_legend_names_every_series_in_its_colour():
    series = [("school", [1]), ("county", [2]), ("city", [3]), ("province", [0]), ("national", [None])]
    root = parse(stacked_bars(["Jan"], series, title="Adoptions"))
    entries = having_class(root, "g", "chart-legend-item")
    assert ["".join(entry.itertext()) for entry in entries] == [name for name, _ in series]
    assert [entry.find(SVG + "rect").get("fill") for entry in entries] == list(PALETTE[:5])


@pytest.mark.parametrize("top", [1, 3, 7, 10, 33, 99, 1000])
def test_whole_numbers_get_three_to_five_nice_whole_number_gridlines(top):
    root = parse(stacked_bars(["Jan", "Feb"], [("school", [0, top])], title="Adoptions"))
    ticks = ["".join(tick.itertext()) for tick in having_class(root, "text", "chart-tick")]
    assert 3 <= len(ticks) <= 5
    assert all(tick.isdigit() for tick in ticks)
    assert top <= int(ticks[-1]) <= 2 * top


def test_decimals_and_floats_draw_the_same_chart():
    as_floats = stacked_bars(["Jan"], [("school", [2.5]), ("city", [1])], title="Adoptions")
    as_decimals = stacked_bars(
        ["Jan"], [("school", [Decimal("2.5")]), ("city", [Decimal(1)])], title="Adoptions"
    )
    assert as_floats == as_decimals


def test_a_series_with_too_few_values_is_refused():
    with pytest.raises(ValueError):
        stacked_bars(MONTHS, [("school", [1, 2])], title="Adoptions")


# bar_list


def test_bar_list_draws_one_row_per_label_with_its_value():
    root = parse(
        bar_list([("First School", 0.5), ("Second School", 0.25), ("Third School", 1)], title="Rate")
    )
    rows = having_class(root, "g", "chart-row")
    assert len(rows) == 3
    assert [texts(row)[1] for row in rows] == ["50%", "25%", "100%"]


def test_bar_lengths_follow_the_values_up_to_max_value():
    rows = [("First School", 0.5), ("Second School", 0.25), ("Third School", Decimal("0.1"))]
    root = parse(bar_list(rows, title="Rate", max_value=1))
    first, second, third = (float(bar.get("width")) for bar in having_class(root, "rect", "chart-bar"))
    track = float(having_class(root, "rect", "chart-track")[0].get("width"))
    assert (first, second, third) == pytest.approx((track / 2, track / 4, track / 10), abs=0.1)


def test_bar_list_grows_taller_with_more_rows():
    def height(count):
        chart = bar_list([(f"School {n}", 0.5) for n in range(count)], title="Rate")
        return float(parse(chart).get("viewBox").split()[3])

    assert height(10) - height(5) == pytest.approx(5 * (height(2) - height(1)))


def test_long_labels_are_cut_with_the_whole_label_in_a_title():
    label = "The Second Experimental Primary School of the Eastern District, Kindergarten Campus"
    root = parse(bar_list([(label, 0.5)], title="Rate"))
    shown = texts(root)[0]
    assert shown.endswith("…")
    assert label.startswith(shown.removesuffix("…"))
    assert any(label in title for title in titles(root))


def test_long_chinese_labels_are_cut_shorter_than_latin_ones():
    latin, chinese = "x" * 80, "第" * 80
    root = parse(bar_list([(latin, 0.5), (chinese, 0.5)], title="Rate"))
    latin_shown, chinese_shown = (texts(row)[0] for row in having_class(root, "g", "chart-row"))
    assert len(chinese_shown) < len(latin_shown) < len(latin)


def test_value_format_shapes_the_value_labels():
    root = parse(
        bar_list([("First School", 12), ("Second School", 7.5)], title="Points", value_format="{:g}")
    )
    assert [texts(row)[1] for row in having_class(root, "g", "chart-row")] == ["12", "7.5"]


# line_chart


def test_negative_values_put_points_below_the_zero_line():
    root = parse(line_chart(MONTHS, [("First School", [4, -3, 0])], title="Points"))
    zero = float(having_class(root, "line", "chart-zero")[0].get("y1"))
    above, below, level = (float(point.get("cy")) for point in having_class(root, "circle", "chart-point"))
    assert above < zero < below
    assert level == zero


def test_there_is_no_zero_line_when_no_value_is_negative():
    root = parse(line_chart(MONTHS, [("First School", [4, 3, 0])], title="Points"))
    assert having_class(root, "line", "chart-zero") == []


def test_each_series_is_one_line_with_a_marker_per_category():
    series = [("First School", [1, 2, 3]), ("Second School", [3, None, 1])]
    root = parse(line_chart(MONTHS, series, title="Points"))
    lines = having_class(root, "polyline", "chart-line")
    assert [line.get("stroke") for line in lines] == list(PALETTE[:2])
    assert [len(line.get("points").split()) for line in lines] == [3, 3]
    assert len(having_class(root, "circle", "chart-point")) == 6
    assert len(having_class(root, "g", "chart-legend-item")) == 2
    assert "Second School · 2026-02: 0" in titles(root)


# Every chart


@pytest.mark.parametrize("kind", KINDS)
def test_characters_xml_cannot_hold_leave_the_chart_well_formed(kind):
    root = parse(draw(kind, "Unit\x07 One\ufffe"))  # WeasyPrint reads the SVG as XML in the PDFs
    assert "Unit One" in titles(root) + texts(root)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_labels_are_escaped(kind):
    chart = draw(kind, HOSTILE)
    root = parse(chart)
    assert [element.tag for element in root.iter() if element.tag.endswith("script")] == []
    assert "<script" not in chart
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in chart
    assert HOSTILE in titles(root) + texts(root)


@pytest.mark.parametrize("kind", KINDS)
def test_no_style_attribute_or_element_anywhere(kind):
    root = parse(draw(kind, "Adoptions"))
    assert [element.tag for element in root.iter() if "style" in element.attrib] == []
    assert list(root.iter(SVG + "style")) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_chart_is_an_image_labelled_by_its_title(kind):
    root = parse(draw(kind, "Adoptions"))
    assert root.get("role") == "img"
    assert "chart" in root.get("class").split()
    assert root.get("width") == "100%"
    assert len(root.get("viewBox").split()) == 4
    assert root.get("preserveAspectRatio")
    title = root.find(SVG + "title")
    assert (title.get("id"), title.text) == (root.get("aria-labelledby"), "Adoptions")


@pytest.mark.parametrize(
    ("chart", "data"),
    [
        (stacked_bars, {"categories": [], "series": []}),
        (stacked_bars, {"categories": MONTHS, "series": []}),
        (stacked_bars, {"categories": MONTHS, "series": [("school", [0, 0, 0]), ("city", [None] * 3)]}),
        (stacked_bars, {"categories": MONTHS, "series": [("school", [-1, 0, -2])]}),
        (bar_list, {"rows": []}),
        (bar_list, {"rows": [("First School", 0), ("Second School", None)]}),
        (line_chart, {"categories": [], "series": []}),
        (line_chart, {"categories": MONTHS, "series": [("First School", [None, None, None])]}),
    ],
)
def test_empty_data_says_there_is_no_data(chart, data):
    root = parse(chart(**data, title="Adoptions"))
    assert texts(root) == ["No data for this period."]
    assert float(root.get("viewBox").split()[3]) < 60


def test_the_same_input_gives_the_same_markup():
    def charts():
        return [
            stacked_bars(MONTHS, [("school", [1, 2, 3]), ("city", [2.5, 0, None])], title="Adoptions"),
            bar_list([("First School", 0.5), ("Second School", 0.333)], title="Rate"),
            line_chart(MONTHS, [("First School", [4, -3, 0.5])], title="Points"),
        ]

    assert charts() == charts()


def test_charts_go_into_templates_without_further_escaping():
    chart = bar_list([("First School", 0.5)], title="Rate")
    rendered = Template("{{ chart }}").render(Context({"chart": chart}))
    assert rendered == chart
    assert rendered.startswith("<svg")


def test_coordinates_have_at_most_one_decimal():
    root = parse(line_chart(MONTHS, [("First School", [1 / 3, 2 / 7, 5 / 9])], title="Points"))
    coordinates = [point.get(f"c{axis}") for point in root.iter(SVG + "circle") for axis in "xy"]
    assert len(coordinates) == 6
    assert all(len(value.partition(".")[2]) <= 1 for value in coordinates)


# Text alternative


def description(root):
    desc = root.find(SVG + "desc")
    assert desc is not None and desc.get("id") in root.get("aria-describedby", "").split()
    return desc.text


def test_stacked_bars_are_described_by_their_total_and_highest_category():
    chart = stacked_bars(MONTHS, [("school", [1, 2, 0]), ("city", [2.5, 0, None])], title="Adoptions")
    assert description(parse(chart)) == "Total: 5.5. Highest: 2026-01, 3.5."


def test_a_bar_list_is_described_by_its_highest_and_lowest_rows():
    chart = bar_list(
        [("First", 0.0625), ("Second", 0.5), ("Third", 0.25)], title="Rate", value_format=percent
    )
    assert description(parse(chart)) == "Highest: Second, 50.0%. Lowest: First, 6.3%."


def test_a_line_chart_is_described_by_its_highest_and_lowest_points():
    chart = line_chart(MONTHS, [("First", [4, -3, 0.5]), ("Second", [1, 6, 2])], title="Points")
    assert description(parse(chart)) == ("Highest: Second, 2026-02, 6. Lowest: First, 2026-02, -3.")


def test_the_description_is_in_chinese_on_chinese_pages():
    with override("zh-hans"):
        chart = stacked_bars(MONTHS, [("school", [1, 2, 0])], title="Adoptions")
    assert description(parse(chart)) == "合计：3。最高：2026-02，2。"


def test_a_chart_without_data_has_no_description():
    root = parse(stacked_bars([], [], title="Adoptions"))
    assert root.find(SVG + "desc") is None and root.get("aria-describedby") is None


def test_a_chart_table_holds_every_value_as_the_pages_write_it():
    table = chart_table(["Jan", "Feb"], [("School", [1, 2]), ("City", [Decimal("2.50"), None])], points)
    assert table == {"headers": ["", "School", "City"], "rows": [["Jan", "1", "2.5"], ["Feb", "2", "0"]]}

"""Commissioned topics in the monthly bulletin and the year-end figures."""

from datetime import date

import pytest

from reports import tallies
from reports.actions import generate_bulletin
from reports.periods import Period
from reports.yearend import measures, year_end_figures
from submissions.models import Status
from tests.reports.conftest import adopt, signed_off_item
from topics.models import Topic

from .conftest import make_topic

AFTER_THE_YEAR = date(2027, 1, 15)


def due(town, day, **kwargs):
    topic = make_topic(town, **kwargs)
    Topic.objects.filter(pk=topic.pk).update(deadline=day)
    topic.refresh_from_db()
    return topic


@pytest.fixture
def march_topic(town, outlets):
    """Due 20 March 2026, asked of the primary schools; North answered with an adopted item."""
    topic = due(town, date(2026, 3, 20), title="Spring planting")
    item = signed_off_item(town["north"], submitted=date(2026, 3, 18), topic=topic)
    adopt(item, outlets["county"], date(2026, 3, 25))
    return topic


def test_the_monthly_bulletin_names_who_answered_and_who_did_not(town, march_topic):
    bulletin = generate_bulletin(Period("month", 2026, 3), by=town["director"], today=date(2026, 4, 2))
    assert bulletin.figures["topics"] == [
        {
            "title": "Spring planting",
            "deadline": "2026-03-20",
            "asked": 2,
            "answered": ["North Primary"],
            "not_answered": ["South Primary"],
            "items": 1,
            "adopted": 1,
        }
    ]
    assert "“Spring planting”: 1 of 2 units answered, with 1 items." in bulletin.body
    assert "Answered: North Primary." in bulletin.body and "Not answered: South Primary." in bulletin.body


def test_a_bulletin_leaves_out_topics_due_in_other_months(town, march_topic):
    bulletin = generate_bulletin(Period("month", 2026, 4), by=town["director"], today=date(2026, 5, 2))
    assert bulletin.figures["topics"] == [] and "Spring planting" not in bulletin.body


def test_the_year_end_figures_count_the_topics(town, march_topic):
    due(town, date(2026, 6, 1), title="Safety week", audience=Topic.Audience.ALL)
    signed_off_item(town["middle"], submitted=date(2026, 5, 1), topic=Topic.objects.get(title="Safety week"))
    signed_off_item(town["north"], submitted=date(2026, 3, 1), topic=march_topic, status=Status.WITHDRAWN)

    office = year_end_figures(2026, today=AFTER_THE_YEAR)
    assert (office.topics.topics, office.topics.asked, office.topics.answered) == (2, 5, 2)
    assert (office.topics.items, office.topics.adopted) == (2, 1)
    lines = {m.label: m.text for m in measures(office)}
    assert lines["Commissioned topics answered"] == "2 topics; answered 2 of 5 times"
    assert lines["Items answering commissioned topics"] == "2, of which 1 adopted"

    south = year_end_figures(2026, town["south"], today=AFTER_THE_YEAR)
    assert {m.label: m.text for m in measures(south)}["Commissioned topics answered"] == "0 of 2"


def test_a_year_without_topics_has_no_topic_lines(town):
    labels = [m.label for m in measures(year_end_figures(2026, today=AFTER_THE_YEAR))]
    assert "Commissioned topics answered" not in labels


@pytest.mark.parametrize("count", [1, 25])
def test_the_year_end_figures_read_topics_in_a_fixed_number_of_queries(
    town, outlets, django_assert_num_queries, count
):
    for n in range(count):
        topic = due(town, date(2026, 1 + n % 12, 1), title=f"Topic {n}", audience=Topic.Audience.ALL)
        signed_off_item(town["north"], submitted=date(2026, 1 + n % 12, 1), topic=topic)
    tallies.recount_due()  # as each change's commit does
    year_end_figures(2026, today=AFTER_THE_YEAR)  # the first view counts the medians and keeps them
    with django_assert_num_queries(13):  # the topic answers' co-units are one of them
        year_end_figures(2026, today=AFTER_THE_YEAR)


def test_an_item_written_with_a_co_unit_answers_for_both_and_counts_once(town, march_topic, outlets):
    from topics.answers import answers_to

    shared = signed_off_item(town["south"], submitted=date(2026, 3, 19), topic=march_topic)
    shared.co_units.add(town["north"])

    found = answers_to([march_topic], today=AFTER_THE_YEAR)[0]

    assert {row.unit.name: len(row.items) for row in found.rows} == {"North Primary": 2, "South Primary": 1}
    assert found.not_answered == []
    assert (found.items, found.signed_off, found.adopted) == (2, 2, 1)

"""Keyset paging (publicity.paging): every row once, in order, whatever changes between two pages."""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.core import signing
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publicity.paging import SALT, page_of
from submissions.models import Article
from tests.factories import ArticleFactory, newest_activity_first

pytestmark = pytest.mark.django_db


def _page(query="", *, size=5, articles=None):
    request = RequestFactory().get("/", query)
    return page_of(request, articles or Article.objects.for_list(), name="articles", size=size)


def _walk(follow, *, size=5, pages=50):
    """Every page from the first, following Next (or Previous links, with `follow`)."""
    context, seen = _page(size=size), []
    for _ in range(pages):
        seen.append(context)
        if not context[follow]:
            break
        context = _page(parse_qs(context[follow]), size=size)
    return seen


def test_next_links_give_every_row_exactly_once_in_order(school):
    expected = [a.pk for a in newest_activity_first(ArticleFactory.create_batch(23, unit=school))]

    pages = _walk("next_query")

    assert [[a.pk for a in p["articles"]] for p in pages] == [expected[i : i + 5] for i in range(0, 23, 5)]
    assert [p["page"] for p in pages] == [1, 2, 3, 4, 5]
    assert [p["has_next"] for p in pages] == [True, True, True, True, False]
    assert all("cursor=" in p["next_query"] for p in pages[:-1])


def test_previous_links_lead_back_to_the_first_page(school):
    expected = [a.pk for a in newest_activity_first(ArticleFactory.create_batch(12, unit=school))]
    last = _walk("next_query")[-1]

    back = _page(parse_qs(last["previous_query"]))
    first = _page(parse_qs(back["previous_query"]))

    assert [a.pk for a in back["articles"]] == expected[5:10] and back["page"] == 2
    assert back["has_next"] and back["next_query"]
    assert [a.pk for a in first["articles"]] == expected[:5]
    assert first["page"] == 1 and not first["previous_query"]


def test_rows_that_move_between_two_requests_do_not_shift_the_next_page(school):
    articles = newest_activity_first(ArticleFactory.create_batch(12, unit=school))
    first = _page()
    # a new item arrives and one on the first page is edited: both go to the top, above the cursor
    newest = ArticleFactory(unit=school)
    Article.objects.filter(pk=articles[0].pk).update(updated_at=timezone.now() + timedelta(minutes=1))

    second = _page(parse_qs(first["next_query"]))

    assert [a.pk for a in second["articles"]] == [a.pk for a in articles[5:10]]
    assert newest.pk not in [a.pk for a in second["articles"]]


def test_a_shallow_page_number_still_works_without_a_cursor(school):
    expected = [a.pk for a in newest_activity_first(ArticleFactory.create_batch(17, unit=school))]

    second, third = _page({"page": "2"}), _page({"page": "3"})

    assert [a.pk for a in second["articles"]] == expected[5:10]
    assert [a.pk for a in third["articles"]] == expected[10:15]
    assert second["previous_query"] == ""  # page 1 is the list as it is now
    assert "cursor=" in third["next_query"] and "cursor=" in third["previous_query"]


def test_a_deep_page_number_without_a_cursor_reads_no_deeper_than_the_offset_limit(school, settings):
    ArticleFactory.create_batch(3, unit=school)

    assert _page({"page": "99999999"})["page"] == 10
    assert _page({"page": "-3"})["page"] == 1
    assert _page({"page": "x"})["page"] == 1


def _signed(**payload):
    base = {"l": "articles", "o": ["-updated_at", "-id"], "k": ["2026-01-01T00:00:00+00:00", 5], "p": 3}
    return signing.dumps(base | {"b": False} | payload, salt=SALT, compress=True)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        _signed()[:-3] + "abc",  # the signature no longer matches
        signing.dumps({"l": "articles"}, salt="another salt"),
        _signed(l="notifications"),  # another list's cursor
        _signed(o=["title", "id"]),  # made for another order
        _signed(k=["not a date", 5]),
        _signed(k=["2026-01-01T00:00:00+00:00", "x"]),
        _signed(k=["2026-01-01T00:00:00+00:00", 10**30]),  # past bigint
        _signed(k=["2026-01-01T00:00:00+00:00"]),
        _signed(k=[None, None]),
        _signed(k=[{"a": 1}, [1]]),
        _signed(p="many"),
        _signed(p=-1),
        _signed(p=None),
        _signed(b=None, k="x"),
    ],
    # Named, not shown: a signed cursor holds its time, and two test processes must collect the same ids.
    ids=[
        "garbage",
        "empty",
        "bad-signature",
        "another-salt",
        "another-list",
        "another-order",
        "key-not-a-date",
        "key-not-a-number",
        "key-past-bigint",
        "key-too-short",
        "key-nulls",
        "key-containers",
        "page-not-a-number",
        "page-negative",
        "page-null",
        "key-not-a-list",
    ],
)
def test_a_tampered_or_foreign_cursor_gives_page_one(school, cursor):
    expected = [a.pk for a in newest_activity_first(ArticleFactory.create_batch(7, unit=school))]

    context = _page({"cursor": cursor})

    assert context["page"] == 1
    assert [a.pk for a in context["articles"]] == expected[:5]


def test_a_tampered_cursor_on_a_list_page_is_page_one_not_an_error(client, school):
    from tests.factories import officer_of

    client.force_login(officer_of(school))
    ArticleFactory.create_batch(3, unit=school)

    response = client.get("/submissions/", {"cursor": _signed(k=["2026-13-45T99:00:00", 10**30])})

    assert response.status_code == 200 and response.context["page"] == 1


def test_a_page_by_cursor_is_one_query(school):
    ArticleFactory.create_batch(12, unit=school)
    next_query = parse_qs(_page()["next_query"])

    with CaptureQueriesContext(connection) as queries:
        _page(next_query)

    assert len(queries) == 1
    assert "OFFSET" not in queries[0]["sql"].upper()


def test_an_order_that_may_hold_null_pages_by_number(school):
    ArticleFactory.create_batch(7, unit=school)

    context = _page(articles=Article.objects.order_by("-submitted_at", "-id"))

    assert context["next_query"] == "page=2"


def test_a_key_the_rows_never_hold_null_in_pages_by_cursor(school):
    for article in ArticleFactory.create_batch(7, unit=school):
        Article.objects.filter(pk=article.pk).update(submitted_at=timezone.now())
    ArticleFactory(unit=school)  # a draft: not submitted
    submitted = Article.objects.filter(submitted_at__isnull=False).order_by("-submitted_at", "-id")
    expected = list(submitted.values_list("pk", flat=True))
    request = RequestFactory().get("/")

    first = page_of(request, submitted, name="articles", size=5, not_null=("submitted_at",))
    second = page_of(
        RequestFactory().get("/", parse_qs(first["next_query"])),
        submitted,
        name="articles",
        size=5,
        not_null=("submitted_at",),
    )

    assert "cursor=" in first["next_query"]
    assert [a.pk for a in [*first["articles"], *second["articles"]]] == expected


def test_parts_in_different_orders_are_refused(school):
    with pytest.raises(ValueError):
        _page(articles=[Article.objects.order_by("-id"), Article.objects.order_by("id")])


def test_a_plain_list_pages_by_number():
    context = page_of(RequestFactory().get("/", {"page": "2"}), list(range(12)), name="numbers", size=5)

    assert context["numbers"] == [5, 6, 7, 8, 9]
    assert (context["previous_query"], context["next_query"]) == ("", "page=3")


def test_a_page_far_down_is_reached_by_the_cursor_its_next_link_would_carry(school):
    from publicity.paging import query_after

    expected = [a.pk for a in newest_activity_first(ArticleFactory.create_batch(23, unit=school))]
    rows = Article.objects.for_list()

    fourth = _page(parse_qs(query_after(rows, rows[14], name="articles", page=4)))

    assert [a.pk for a in fourth["articles"]] == expected[15:20] and fourth["page"] == 4
    assert _unsigned(fourth) == _unsigned(_walk("next_query")[3])


def _unsigned(context):
    """A page's context with its links' cursors read back: a signed cursor also holds when it was
    signed, which differs when two pages are drawn in different seconds."""
    links = {}
    for name, query in context.items():
        if name.endswith("_query") and "cursor" in parse_qs(query):
            links[name] = signing.loads(parse_qs(query)["cursor"][0], salt=SALT)
    return context | links

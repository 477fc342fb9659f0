"""Search in titles and bodies: trigram indexes on PostgreSQL, a scan on SQLite; the same answers."""

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from submissions.models import Article
from tests.factories import ArticleFactory, officer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, school):
    client.force_login(officer_of(school))
    return client


def _found(client, q):
    return sorted(a.title for a in client.get(reverse("submissions:list"), {"q": q}).context["articles"])


def test_a_two_character_chinese_query_finds_titles_and_bodies(signed_in, school):
    ArticleFactory(unit=school, title="校园运动会圆满落幕", body="<p>全体师生参加。</p>")
    ArticleFactory(unit=school, title="教师培训", body="<p>在校园里举行的读书分享会。</p>")
    ArticleFactory(unit=school, title="家长会议", body="<p>家长们来到学校。</p>")

    assert _found(signed_in, "校园") == ["教师培训", "校园运动会圆满落幕"]
    assert _found(signed_in, "运动会") == ["校园运动会圆满落幕"]
    assert _found(signed_in, "校") == ["家长会议", "教师培训", "校园运动会圆满落幕"]


def test_a_latin_query_ignores_case(signed_in, school):
    ArticleFactory(unit=school, title="STEM week", body="<p>Robots and Rockets.</p>")
    ArticleFactory(unit=school, title="Choir", body="<p>Songs.</p>")

    assert _found(signed_in, "stem") == ["STEM week"]
    assert _found(signed_in, "rOcKeTs") == ["STEM week"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("q", ["运动会", "Rockets"])
def test_the_search_can_use_the_trigram_indexes_on_postgresql(school, q):
    ArticleFactory.create_batch(3, unit=school)
    searched = Article.objects.filter(Q(title__icontains=q) | Q(body__icontains=q))

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: a scan would be cheaper
        plan = searched.explain()

    assert "article_title_trgm" in plan and "article_body_trgm" in plan

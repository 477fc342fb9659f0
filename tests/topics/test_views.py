from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from submissions.models import Article, Status
from tests.factories import ArticleFactory, UnitFactory, UserFactory, officer_of
from topics import urls as topic_urls
from topics.models import Topic, TopicReminder

from .conftest import make_topic

FORM = {"unit": "", "title": "x", "brief": "y", "audience": "all", "deadline": "2099-01-01"}


def every_url(topic):
    for pattern in topic_urls.urlpatterns:
        args = [topic.pk] if "pk" in pattern.pattern.converters else []
        yield pattern.name, reverse(f"topics:{pattern.name}", args=args)


def post_everything(client, topic, unit):
    return {name: client.post(url, {**FORM, "unit": unit.pk}).status_code for name, url in every_url(topic)}


@pytest.mark.parametrize("who", ["middle_officer", "user without a role"])
def test_outsiders_see_nothing_and_change_nothing(client, town, topic, who):
    client.force_login(town[who] if who in town else UserFactory())
    for name, url in every_url(topic):
        status = client.get(url).status_code
        if name == "list" and who == "middle_officer":
            assert status == 200  # the list of its own topics, which has none of this one
            assert topic.title not in client.get(url).content.decode()
        else:
            assert status in (403, 404, 405), url
    for name, status in post_everything(client, topic, town["north"]).items():
        assert status in (200, 403, 404, 405), name
    assert Topic.objects.count() == 1 and not Article.objects.exists() and not TopicReminder.objects.exists()


@pytest.mark.parametrize("who", ["north_officer", "north_leader"])
def test_a_units_people_see_the_topic_but_do_not_post_or_urge(client, town, topic, who):
    client.force_login(town[who])
    assert client.get(reverse("topics:list")).status_code == 200
    page = client.get(reverse("topics:detail", args=[topic.pk]))
    assert page.status_code == 200 and "South Primary" not in page.content.decode()  # only their unit
    assert client.get(reverse("topics:new")).status_code == 403
    assert client.post(reverse("topics:new"), FORM).status_code == 403
    urge = client.post(reverse("topics:urge", args=[topic.pk]), {"unit": town["south"].pk})
    assert urge.status_code == 403 and not TopicReminder.objects.exists()


def test_a_leader_cannot_start_an_answer(client, town, topic):
    client.force_login(town["north_leader"])
    response = client.post(reverse("topics:answer", args=[topic.pk]), {"unit": town["north"].pk})
    assert response.status_code == 404 and not Article.objects.exists()


def test_an_officer_answers_from_the_topic_page(client, town, topic):
    client.force_login(town["north_officer"])
    page = client.get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert 'data-testid="start-answer"' in page
    response = client.post(reverse("topics:answer", args=[topic.pk]), {"unit": town["north"].pk})
    article = Article.objects.get()
    assert response.url == reverse("submissions:edit", args=[article.pk]) and article.topic == topic
    form = client.get(response.url).content.decode()
    assert 'data-testid="article-topic"' in form and topic.title in form


def test_an_officer_cannot_answer_for_another_unit(client, town, topic):
    client.force_login(town["north_officer"])
    response = client.post(reverse("topics:answer", args=[topic.pk]), {"unit": town["south"].pk})
    assert response.status_code == 404 and not Article.objects.exists()


@pytest.mark.parametrize("who", ["director", "leadership"])
def test_the_office_sees_every_unit(client, town, topic, who):
    client.force_login(town[who])
    page = client.get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert "North Primary" in page and "South Primary" in page
    assert ('data-testid="urge"' in page) == (who == "director")
    assert client.get(reverse("topics:new")).status_code == (200 if who == "director" else 403)
    urge = client.post(reverse("topics:urge", args=[topic.pk]), {"unit": town["south"].pk})
    assert urge.status_code == (302 if who == "director" else 403)
    assert TopicReminder.objects.exists() == (who == "director")
    answer = client.post(reverse("topics:answer", args=[topic.pk]), {"unit": town["north"].pk})
    assert answer.status_code == 404 and not Article.objects.exists()  # the office does not write answers


def test_the_director_posts_a_topic(client, town):
    client.force_login(town["director"])
    deadline = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("topics:new"),
        {
            "title": "Safety week",
            "brief": "Drills",
            "audience": "class",
            "unit_class": town["middle_class"].pk,
            "deadline": deadline.isoformat(),
            "bonus_points": "2",
        },
    )
    topic = Topic.objects.get()
    assert response.url == reverse("topics:detail", args=[topic.pk])
    assert topic.unit_class == town["middle_class"] and topic.bonus_points == 2
    told = Notification.objects.filter(kind="topic_posted").values_list("recipient", flat=True)
    assert list(told) == [town["middle_officer"].pk]


def test_a_topic_for_a_class_needs_the_class_and_loses_nothing_typed(client, town):
    client.force_login(town["director"])
    response = client.post(
        reverse("topics:new"),
        {"title": "Safety week", "brief": "Drills", "audience": "class", "deadline": "2099-01-01"},
    )
    assert response.status_code == 400 and not Topic.objects.exists()
    page = response.content.decode()
    assert "Choose the unit class the topic is asked of." in page and "Safety week" in page


def test_the_director_urges_a_late_unit(client, town):
    topic = make_topic(town, days=-1)
    client.force_login(town["director"])
    page = client.get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert page.count('data-testid="urge"') == 2
    client.post(reverse("topics:urge", args=[topic.pk]), {"unit": town["south"].pk})
    assert TopicReminder.objects.get().unit == town["south"]
    client.post(reverse("topics:urge", args=[topic.pk]), {"unit": "all"})
    assert sorted(r.unit.name for r in TopicReminder.objects.all()) == ["North Primary", "South Primary"]


def test_the_item_and_review_pages_name_the_topic(client, town, topic):
    article = ArticleFactory(
        unit=town["north"], topic=topic, status=Status.IN_REVIEW, submitted_at=timezone.now()
    )
    client.force_login(town["north_leader"])
    page = client.get(reverse("submissions:detail", args=[article.pk])).content.decode()
    assert 'data-testid="article-topic"' in page and topic.title in page


def fill(town, count):
    for n in range(count):
        topic = make_topic(town, title=f"Topic {n}", days=n)
        ArticleFactory(unit=town["north"], topic=topic, status=Status.APPROVED, submitted_at=timezone.now())


@pytest.mark.parametrize("count", [1, 25])
@pytest.mark.parametrize("who", ["director", "north_officer"])
def test_the_list_uses_a_fixed_number_of_queries(client, town, django_assert_num_queries, count, who):
    fill(town, count)
    client.force_login(town[who])
    client.get(reverse("topics:list"))  # warm the session
    expected = {"director": 9, "north_officer": 9}[who]  # the answers' co-units are one of them
    with django_assert_num_queries(expected):
        response = client.get(reverse("topics:list"))
    assert response.content.decode().count('data-testid="topic-row"') == count


@pytest.mark.parametrize("count", [1, 25])
@pytest.mark.parametrize("who", ["director", "north_officer"])
def test_the_home_page_topics_use_a_fixed_number_of_queries(
    client, town, django_assert_num_queries, count, who
):
    fill(town, count)
    client.force_login(town[who])
    client.get(reverse("home"))
    # the delegations in force (代审) are read once too
    with django_assert_num_queries({"director": 12, "north_officer": 18}[who]):
        response = client.get(reverse("home"))
    assert 'data-testid="home-topics"' in response.content.decode()


def test_a_unit_without_a_class_is_not_asked_the_topics_for_all_units(client, town, office):
    grouping = UnitFactory(name="Grouping", parent=office, unit_class=None)
    everyone = make_topic(town, title="For every school", audience=Topic.Audience.ALL)
    client.force_login(officer_of(grouping))
    assert "For every school" not in client.get(reverse("topics:list")).content.decode()
    assert client.get(reverse("topics:detail", args=[everyone.pk])).status_code == 404
    client.force_login(town["middle_officer"])
    assert "For every school" in client.get(reverse("topics:list")).content.decode()


def test_an_admin_follows_and_posts_topics(client, town, topic):
    client.force_login(UserFactory(is_staff=True))
    assert topic.title in client.get(reverse("topics:list")).content.decode()
    assert client.get(reverse("topics:detail", args=[topic.pk])).status_code == 200
    assert client.get(reverse("topics:new")).status_code == 200


def test_bonus_points_may_be_left_empty(client, town):
    client.force_login(town["director"])
    client.post(
        reverse("topics:new"),
        {
            "title": "Reading",
            "brief": "Books",
            "audience": "all",
            "deadline": "2099-01-01",
            "bonus_points": "",
        },
    )
    assert Topic.objects.get().bonus_points == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, topic):
    for name, url in every_url(topic):
        response = client.get(url) if name in ("list", "new", "detail") else client.post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_after_the_deadline_an_officer_still_answers_and_the_item_is_marked_late(client, town):
    closed = make_topic(town, days=-1)
    client.force_login(town["north_officer"])
    page = client.get(reverse("topics:detail", args=[closed.pk])).content.decode()
    assert "answers are still taken, and are marked late" in page
    client.post(reverse("topics:answer", args=[closed.pk]), {"unit": town["north"].pk})
    article = Article.objects.get(topic=closed)
    Article.objects.filter(pk=article.pk).update(status=Status.IN_REVIEW, submitted_at=timezone.now())
    page = client.get(reverse("submissions:detail", args=[article.pk])).content.decode()
    assert 'data-testid="answered-late"' in page

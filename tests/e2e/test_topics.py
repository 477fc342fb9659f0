"""Commissioned topics in Chromium: the office posts a topic to one unit class, an officer answers it
from the topic page, and the office sees who answered and, after the deadline, who is late."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from submissions.models import Article, Status
from tests.factories import PASSWORD, CategoryFactory, RoleAssignmentFactory, UnitClassFactory, UnitFactory
from topics.models import Topic, TopicReminder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def town(office, chain):
    CategoryFactory(name="News")
    primary, middle = UnitClassFactory(name="Primary schools"), UnitClassFactory(name="Middle schools")
    north = UnitFactory(name="North Primary", parent=office, unit_class=primary, order=1)
    south = UnitFactory(name="South Primary", parent=office, unit_class=primary, order=2)
    UnitFactory(name="No. 1 Middle", parent=office, unit_class=middle, order=3)
    for username, role, unit in [
        ("director", Role.OFFICE_DIRECTOR, office),
        ("north-officer", Role.LIAISON_OFFICER, north),
        ("north-leader", Role.LEADER_IN_CHARGE, north),
        ("south-officer", Role.LIAISON_OFFICER, south),
    ]:
        RoleAssignmentFactory(user__username=username, role=role, unit=unit)
    return {"north": north, "south": south}


@pytest.fixture
def as_user(browser, live_server, sign_in):
    contexts = []

    def as_user(username):
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username, PASSWORD)
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield as_user
    for context in contexts:
        context.close()


def row(page, unit):
    return page.get_by_test_id("answer-row").filter(has_text=unit)


def test_a_topic_is_posted_answered_and_followed(town, as_user, live_server):
    deadline = timezone.localdate() + timedelta(days=3)

    # the office posts a topic to the primary schools
    director = as_user("director")
    director.get_by_role("link", name="All topics").click()
    director.get_by_test_id("new-topic").click()
    director.get_by_label("Title").fill("秋季运动会")
    director.get_by_label("What is wanted").fill("Items on the autumn sports meetings, with photos.")
    director.get_by_label("One unit class").check()
    director.get_by_label("Unit class", exact=True).select_option(label="Primary schools")
    director.get_by_label("Deadline").fill(deadline.isoformat())
    director.get_by_label("Bonus points").fill("2")
    director.get_by_test_id("post-topic").click()
    expect(director.get_by_text("The topic was posted and the units were told.")).to_be_visible()
    expect(director.get_by_test_id("answer-row")).to_have_count(2)  # not the middle school
    expect(row(director, "North Primary").get_by_test_id("answer-state")).to_have_text("Not answered yet")

    # an officer of the class sees it on the home page, with the days left, and answers it
    officer = as_user("north-officer")
    topic_link = officer.get_by_test_id("home-topic").filter(has_text="秋季运动会")
    expect(topic_link.get_by_test_id("days-left")).to_have_text("3 days left")
    topic_link.click()
    officer.get_by_test_id("start-answer").click()
    expect(officer.get_by_test_id("article-topic")).to_contain_text("秋季运动会")
    officer.get_by_label("Title").fill("North Primary runs its autumn sports day")
    officer.get_by_test_id("body-editor").click()
    officer.keyboard.type("北小举行秋季运动会。Every class ran the relay.")
    officer.get_by_label("Category").select_option(label="News")
    officer.get_by_label("Event date").fill(timezone.localdate().isoformat())
    officer.get_by_role("button", name="Save draft").click()
    expect(officer.get_by_text("Draft saved.")).to_be_visible()
    officer.get_by_role("button", name="Submit for review").click()
    expect(officer.get_by_test_id("checks-ok")).to_be_visible()
    officer.get_by_role("button", name="Submit for review").click()
    expect(officer.get_by_text("Submitted for review.")).to_be_visible()
    expect(officer.get_by_test_id("article-topic")).to_contain_text("秋季运动会")
    article = Article.objects.get(title="North Primary runs its autumn sports day")
    assert article.topic.title == "秋季运动会" and article.status == Status.IN_REVIEW

    # the leader in charge sees the topic on the review page
    leader = as_user("north-leader")
    leader.get_by_role("link", name="Review queue").first.click()
    leader.get_by_test_id("queue").get_by_role(
        "link", name="North Primary runs its autumn sports day"
    ).click()
    expect(leader.get_by_test_id("article-topic")).to_contain_text("秋季运动会")

    # the office sees who answered with which item; after the deadline, who is late, and urges them
    director.reload()
    expect(row(director, "North Primary").get_by_test_id("answer-state")).to_have_text("Answered")
    expect(row(director, "North Primary")).to_contain_text("North Primary runs its autumn sports day")
    Topic.objects.update(deadline=timezone.localdate() - timedelta(days=1))  # the deadline has passed
    director.reload()
    expect(director.get_by_test_id("days-left")).to_have_text("Closed")
    expect(row(director, "South Primary").get_by_test_id("answer-state")).to_have_text("Late")
    expect(director.get_by_test_id("topic-summary")).to_contain_text("1 of 2 units answered")
    row(director, "South Primary").get_by_test_id("urge").click()
    expect(director.get_by_text("South Primary was urged: 1 person told.")).to_be_visible()
    assert TopicReminder.objects.get().unit == town["south"]

"""The office director's desk in Chromium: the item ledger filtered to one unit's adopted items of
last month and exported to Excel; three items signed off in one go, their deliveries seen."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Unit, User
from outlets.models import Adoption, Delivery, Outlet
from reviews import actions
from reviews.models import Decision, ReviewStep
from submissions.models import Status
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def last_month_day(day):
    first_of_this_month = timezone.localdate().replace(day=1)
    return (first_of_this_month - timedelta(days=1)).replace(day=day)


def item(unit, title, *, submitted, adopted_by=None):
    officer = User.objects.get(username="officer")
    article = ArticleFactory(
        unit=unit, author=officer, last_editor=officer, title=title, status=Status.APPROVED
    )
    article.submitted_at = article.signed_off_at = timezone.make_aware(datetime.combine(submitted, time(10)))
    article.save()
    if adopted_by:
        Adoption.objects.create(
            article=article,
            outlet=adopted_by,
            level=adopted_by.level,
            adopted_on=submitted + timedelta(days=2),
            source=Adoption.Source.OFFICE,
        )
    return article


@pytest.fixture
def director_page(browser, live_server, sign_in):
    context = browser.new_context(locale="en-US", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, "director")
    expect(page).to_have_url(f"{live_server.url}/")
    yield page
    context.close()


def test_the_director_filters_the_ledger_and_exports_it(demo, live_server, director_page, tmp_path):
    office = Unit.objects.get(parent=None)
    town = Unit.objects.create(
        name="Ledger Town School", parent=office, unit_class=demo["Shawan No. 1 Middle School"].unit_class
    )
    other = demo["Shawan No. 1 Middle School"]
    daily = Outlet.objects.create(name="Municipal Daily", kind=Outlet.Kind.ATOM, level=Outlet.Level.CITY)
    wanted = [
        item(town, "Town pupils plant 300 trees", submitted=last_month_day(5), adopted_by=daily),
        item(town, "Town choir wins the county prize", submitted=last_month_day(20), adopted_by=daily),
    ]
    item(town, "Town library opens on Sundays", submitted=last_month_day(8))  # not adopted
    item(town, "Town sports day", submitted=timezone.localdate(), adopted_by=daily)  # this month
    item(other, "Middle school science fair", submitted=last_month_day(6), adopted_by=daily)  # another unit
    page = director_page

    page.get_by_role("link", name="Assessment").click()
    page.get_by_test_id("item-ledger-tab").click()
    expect(page.get_by_role("heading", name="Item ledger")).to_be_visible()
    page.get_by_label("Unit", exact=True).select_option(label="Ledger Town School")
    page.get_by_label("Month").fill(last_month_day(1).strftime("%Y-%m"))
    page.get_by_label("Adopted", exact=True).select_option(label="Yes")
    page.get_by_test_id("ledger-filter").click()

    rows = page.get_by_test_id("ledger-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("item-ledger")).to_contain_text("Town pupils plant 300 trees")
    expect(page.get_by_test_id("item-ledger")).to_contain_text("Town choir wins the county prize")
    expect(page.get_by_test_id("item-ledger")).not_to_contain_text("Town library opens on Sundays")

    with page.expect_download() as download:
        page.get_by_test_id("ledger-export").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("Item number", "Title", "Unit")
    assert sorted((line[0], line[1], line[2]) for line in lines[1:]) == sorted(
        (a.pk, a.title, "Ledger Town School") for a in wanted
    )
    assert {line[13] for line in lines[1:]} == {"Municipal Daily"}

    page.get_by_test_id("ledger-row").first.get_by_role("link", name=re.compile("Town")).click()
    expect(page.get_by_test_id("item-number")).to_have_text(re.compile(r"No\. \d+"))
    expect(page.get_by_test_id("way-back").get_by_role("link")).to_have_text("Item ledger")


def test_the_director_signs_off_three_items_in_one_go_and_sees_their_deliveries(
    demo, live_server, director_page
):
    school = demo["Shawan No. 1 Middle School"]
    officer, leader = User.objects.get(username="officer"), User.objects.get(username="leader")
    articles = []
    for title in ("Reading week starts", "New canteen opens", "Teachers visit the museum"):
        article = ArticleFactory(unit=school, author=officer, last_editor=officer, title=title)
        actions.submit_for_review(article, base_version=article.version, by=officer)
        step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
        actions.approve(step, by=leader, revision_id=step.revision_id)
        articles.append(article)
    page = director_page

    page.get_by_role("link", name="Review queue").first.click()
    for article in articles:
        page.get_by_test_id("queue-row").filter(has_text=article.title).get_by_test_id("tick").check()
    outlets = page.get_by_test_id("batch-outlets")
    outlets.get_by_label("District education portal (demo webhook)").uncheck()
    outlets.get_by_label("Campus news feed").check()
    page.get_by_test_id("batch-sign-off").click()

    expect(page.get_by_text("3 items signed off and sent to: Campus news feed.")).to_be_visible()
    for article in articles:
        expect(page.get_by_test_id("queue-row").filter(has_text=article.title)).to_have_count(0)
        article.refresh_from_db()
        assert article.status == Status.APPROVED
        assert list(Delivery.objects.filter(article=article).values_list("outlet__name", flat=True)) == [
            "Campus news feed"
        ]
    for article in articles:
        page.goto(f"{live_server.url}/submissions/{article.pk}/")
        deliveries = page.get_by_test_id("deliveries")
        expect(deliveries).to_contain_text("Campus news feed")
        expect(deliveries.get_by_test_id("delivery-state")).to_have_text("Delivered")

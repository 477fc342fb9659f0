"""Sign-off with outlets, the item's delivery states updating in place, and the Deliveries page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Unit, User
from outlets.credentials import encrypt
from outlets.models import Delivery, Outlet
from outlets.receiver import Receiver
from outlets.tasks import sweep
from reviews import actions
from reviews.models import ReviewStep
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def receiver():
    receiver = Receiver(SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def director_page(browser, live_server, sign_in):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, "director")
    expect(page).to_have_url(f"{live_server.url}/")
    yield page
    context.close()


def waiting_for_director(title):
    officer = User.objects.get(username="officer")
    unit = Unit.objects.get(name_en="Shawan No. 1 Middle School")
    article = ArticleFactory(
        unit=unit,
        author=officer,
        last_editor=officer,
        title=title,
        suggested_outlets="District portal please",
    )
    actions.submit_for_review(article, base_version=article.version, by=officer)
    step = ReviewStep.objects.get(article=article, decision="pending")
    actions.approve(step, by=User.objects.get(username="leader"), revision_id=step.revision_id)
    return article


def test_sign_off_sends_to_the_chosen_outlets_and_the_page_follows(
    demo, live_server, director_page, receiver
):
    Outlet.objects.filter(name__contains="demo webhook").update(is_active=False)  # not running in tests
    portal = Outlet.objects.create(
        name="District portal",
        kind=Outlet.Kind.WEBHOOK,
        endpoint=receiver.url,
        secret_encrypted=encrypt(SECRET),
        preselected=False,
    )
    article = waiting_for_director("Robotics team wins the city final")
    receiver.answers.append((503, {"Retry-After": "1"}, 0))
    page = director_page

    page.get_by_role("link", name="Review queue").first.click()
    page.get_by_role("link", name=re.compile("Robotics team")).click()
    outlets = page.get_by_test_id("sign-off-outlets")
    expect(outlets).to_contain_text("District portal please")
    expect(outlets.get_by_label("Campus news feed")).to_be_checked()  # preselected
    outlets.get_by_label("District portal").check()
    page.get_by_role("button", name="Sign off and send").click()
    expect(page.get_by_text(re.compile("1 item signed off and sent to: .*District portal"))).to_be_visible()

    expect(page).to_have_url(f"{live_server.url}/submissions/{article.pk}/")  # stays with the item
    deliveries = page.get_by_test_id("deliveries")
    expect(deliveries.locator("li", has_text="District portal")).to_contain_text("Retrying at")
    expect(deliveries.locator("li", has_text="Campus news feed")).to_contain_text("Delivered")

    page.wait_for_timeout(1500)  # Retry-After: 1
    assert sweep() == 1  # the retry is due; the page updates without a reload
    expect(deliveries.locator("li", has_text="District portal")).to_contain_text("Delivered", timeout=15_000)
    delivery = Delivery.objects.get(article=article, outlet=portal)
    assert list(receiver.messages) == [str(delivery.uuid)]

    page.get_by_role("link", name="Deliveries").first.click()
    expect(page.get_by_test_id("outlet-health")).to_contain_text("District portal")
    page.get_by_label("Outlet", exact=True).select_option(label="District portal")
    page.get_by_role("button", name="Filter").click()
    page.get_by_test_id("delivery-list").get_by_role("link").first.click()
    attempts = page.get_by_test_id("attempts")
    expect(attempts).to_contain_text("Will retry")
    expect(attempts).to_contain_text("Delivered")
    expect(attempts).not_to_contain_text(SECRET)


def test_a_failed_delivery_is_retried_from_its_page(demo, live_server, director_page, receiver):
    Outlet.objects.filter(name__contains="demo webhook").update(is_active=False)
    portal = Outlet.objects.create(
        name="District portal",
        kind=Outlet.Kind.WEBHOOK,
        endpoint=receiver.url,
        secret_encrypted=encrypt(SECRET),
        preselected=True,
    )
    article = waiting_for_director("Teachers' day concert")
    receiver.answers.append((400, {}, 0))
    step = ReviewStep.objects.get(article=article, decision="pending")
    actions.approve(
        step, by=User.objects.get(username="director"), revision_id=step.revision_id, outlets=[portal]
    )
    delivery = Delivery.objects.get(article=article, outlet=portal)
    assert delivery.state == Delivery.State.FAILED

    director_page.goto(f"{live_server.url}/outlets/deliveries/{delivery.pk}/")
    expect(director_page.get_by_test_id("last-error")).to_contain_text("HTTP 400")
    director_page.get_by_role("button", name="Retry").click()
    expect(director_page.get_by_text("The delivery will be retried now.")).to_be_visible()
    expect(director_page.get_by_test_id("delivery-state")).to_have_text("Delivered")

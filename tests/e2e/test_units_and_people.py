"""The office runs itself in Chromium: the director imports three schools with their officers and
leaders from the template, a new leader signs in with the temporary password and must change it, the
school left without a leader is flagged, and the new leader approves as deputy of an absent leader."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Unit, User
from reviews import actions
from reviews.models import ReviewStep
from submissions.models import Event
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCHOOLS = [
    ("Tongjiang Primary School", "Officer Tong", "tong", "Leader Tong", "tongleader"),
    ("Hengjiang Primary School", "Officer Heng", "heng", "Leader Heng", "hengleader"),
    ("Niuhua Town School", "Officer Niu", "niu", None, None),  # no leader yet
]
OWN = "a-password-of-my-own-2026"


@pytest.fixture
def as_user(browser, live_server, sign_in):
    contexts = []

    def as_user(username, password="publicity-demo", home=True):
        context = browser.new_context(locale="en-US", accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username, password)
        if home:
            expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield as_user
    for context in contexts:
        context.close()


def filled(template_path):
    """The downloaded template, filled as the office would: a row per person and role."""
    book = openpyxl.load_workbook(template_path)
    sheet = book.worksheets[0]
    for school, officer, officer_name, leader, leader_name in SCHOOLS:
        sheet.append(
            [school, "", "Class 2", officer, officer_name, f"{officer_name}@example.org", "Liaison officer"]
        )
        if leader:
            sheet.append([school, "", "", leader, leader_name, "", "Leader in charge"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_office_imports_schools_and_a_deputy_approves_for_an_absent_leader(
    demo, live_server, as_user, tmp_path
):
    director = as_user("director")
    director.get_by_role("link", name="Units and people").click()
    director.get_by_role("link", name="Import from Excel").click()
    with director.expect_download() as download:
        director.get_by_test_id("template-link").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    sheet = tmp_path / "schools.xlsx"
    sheet.write_bytes(filled(template))
    director.get_by_label("Excel sheet (.xlsx)").set_input_files(str(sheet))
    director.get_by_role("button", name="Import").click()

    expect(director.get_by_test_id("import-summary")).to_have_text(
        "3 units added, 5 people added, 5 roles given."
    )
    password = director.get_by_test_id("password-tongleader").inner_text().strip()
    assert Unit.objects.get(name="Niuhua Town School").parent.name == "Shawan District Education Bureau"

    director.get_by_role("link", name="Back to Units and people").click()
    gaps = director.get_by_test_id("unit-gaps")
    expect(gaps).to_contain_text("Niuhua Town School has no leader in charge: its items cannot be reviewed.")
    expect(gaps).not_to_contain_text("Tongjiang Primary School")
    expect(director.get_by_test_id("units")).to_contain_text("Officer Tong")

    # The new leader signs in with the temporary password and must choose their own first.
    new_leader = as_user("tongleader", password, home=False)
    expect(new_leader).to_have_url(f"{live_server.url}{reverse('password_change')}")
    expect(new_leader.get_by_test_id("must-change-password")).to_be_visible()
    new_leader.locator("#id_old_password").fill(password)
    new_leader.locator("#id_new_password1").fill(OWN)
    new_leader.locator("#id_new_password2").fill(OWN)
    new_leader.get_by_role("button", name=re.compile("Change my password|Change password")).click()
    new_leader.goto(f"{live_server.url}/")
    expect(new_leader).to_have_url(f"{live_server.url}/")

    # The leader of Shawan No. 1 Middle School (王芳 in the demo) is away and names the new leader deputy.
    absent = str(User.objects.get(username="leader"))
    leader = as_user("leader")
    leader.get_by_role("link", name="Review queue").first.click()
    leader.get_by_role("link", name="Away? Name a deputy").click()
    leader.get_by_label("Deputy").select_option(label="Leader Tong")
    today = timezone.localdate()
    leader.locator("#id_starts_on").fill(today.isoformat())
    leader.locator("#id_ends_on").fill((today + timedelta(days=7)).isoformat())
    leader.get_by_role("button", name="Name the deputy").click()
    expect(leader.get_by_test_id("delegations")).to_contain_text("Leader Tong")

    officer = User.objects.get(username="officer")
    article = ArticleFactory(
        unit=officer.role_assignments.get().unit,
        author=officer,
        last_editor=officer,
        title="Choir wins the cup",
    )
    actions.submit_for_review(article, base_version=article.version, by=officer)

    new_leader.goto(f"{live_server.url}/reviews/")
    row = new_leader.get_by_test_id("queue-row").filter(has_text="Choir wins the cup")
    expect(row.get_by_test_id("on-behalf")).to_have_text(f"On behalf of {absent}")
    row.get_by_role("link", name="Choir wins the cup").click()
    expect(new_leader.get_by_test_id("on-behalf")).to_contain_text(f"on behalf of {absent}")
    new_leader.get_by_role("button", name="Approve").click()
    expect(new_leader.get_by_text("Approved.")).to_be_visible()

    step = ReviewStep.objects.get(article=article, stage__name__icontains="leader", reviewer__isnull=False)
    assert (step.reviewer.username, step.on_behalf_of.username) == ("tongleader", "leader")
    director.goto(f"{live_server.url}/submissions/{article.pk}/")
    expect(director.get_by_text(f"On behalf of {absent}").first).to_be_visible()
    assert Event.objects.filter(article=article, kind=Event.Kind.APPROVED, actor=step.reviewer).exists()

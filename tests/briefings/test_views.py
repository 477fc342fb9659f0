"""Every briefing page for every role, and the list pages' query counts."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefings import actions
from briefings.models import Briefing, BriefingStep, Status
from tests.factories import UserFactory, officer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(office_people, other_school):
    return office_people | {"stranger": officer_of(other_school), "nobody": UserFactory()}


@pytest.fixture
def draft(series, office_people, signed_off):
    briefing = actions.create_briefing(series, by=office_people["editor"])
    actions.add_piece(briefing, signed_off(), by=office_people["editor"])
    return Briefing.objects.get(pk=briefing.pk)


@pytest.fixture
def issued(draft, office_people, school):
    actions.submit_for_review(draft, by=office_people["editor"])
    actions.approve(draft.steps.get(), by=office_people["director"])
    return actions.issue(draft, units=[school], by=office_people["editor"], issued_on=date(2026, 11, 30))


def status_of(client, user, method, url, data=None):
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data or {})
    return response.status_code


OFFICE_ONLY_ON_A_DRAFT = [
    ("get", "briefings:edit", {}),
    ("post", "briefings:autosave", {}),
    ("post", "briefings:add_piece", {"article": 0}),
    ("post", "briefings:submit", {}),
    ("get", "briefings:approval_sheet", {}),
]


@pytest.mark.parametrize(("method", "name", "data"), OFFICE_ONLY_ON_A_DRAFT)
@pytest.mark.parametrize(("role", "expected"), [("officer", 403), ("leader", 403), ("nobody", 403)])
def test_unit_people_may_not_touch_a_draft(client, people, draft, method, name, data, role, expected):
    assert status_of(client, people[role], method, reverse(name, args=[draft.pk]), data) == expected


@pytest.mark.parametrize(("method", "name"), [("get", "briefings:detail"), ("get", "briefings:edit")])
def test_anonymous_visitors_are_sent_to_sign_in(client, draft, method, name):
    response = client.get(reverse(name, args=[draft.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_draft_is_hidden_from_the_units(client, people, draft):
    for role in ("officer", "leader", "stranger"):
        assert status_of(client, people[role], "get", reverse("briefings:detail", args=[draft.pk])) == 404


@pytest.mark.parametrize("role", ["editor", "director"])
def test_the_office_sees_and_edits_a_draft(client, people, draft, role):
    for name in ("briefings:detail", "briefings:edit", "briefings:approval_sheet"):
        assert status_of(client, people[role], "get", reverse(name, args=[draft.pk])) == 200


def test_an_issue_is_seen_by_the_units_it_was_sent_to_only(client, people, issued):
    url = reverse("briefings:detail", args=[issued.pk])
    assert status_of(client, people["officer"], "get", url) == 200
    assert status_of(client, people["leader"], "get", url) == 200
    assert status_of(client, people["stranger"], "get", url) == 404
    assert status_of(client, people["nobody"], "get", url) == 404


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_the_files_are_for_the_office_and_the_recipients(client, people, issued, kind):
    url = reverse("briefings:download", args=[issued.pk, kind])
    assert status_of(client, people["officer"], "get", url) == 200
    assert status_of(client, people["editor"], "get", url) == 200
    assert status_of(client, people["stranger"], "get", url) == 404


def test_an_unknown_file_kind_is_not_found(client, people, issued):
    assert (
        status_of(client, people["editor"], "get", reverse("briefings:download", args=[issued.pk, "exe"]))
        == 404
    )


def test_only_the_units_people_sign_and_a_page_view_signs_nothing(client, people, issued, school):
    url = reverse("briefings:detail", args=[issued.pk])
    client.force_login(people["officer"])
    client.get(url)
    assert not issued.receipts.get().is_signed
    client.force_login(people["stranger"])
    assert client.post(reverse("briefings:sign", args=[issued.pk]), {"unit": school.pk}).status_code == 404
    client.force_login(people["officer"])
    client.post(reverse("briefings:sign", args=[issued.pk]), {"unit": school.pk})
    assert issued.receipts.get().signed_by == people["officer"]


@pytest.mark.parametrize(
    ("method", "name", "data"),
    [("post", "briefings:urge", {}), ("post", "briefings:issue", {"send_to": "all"})],
)
def test_units_may_not_urge_or_issue(client, people, issued, method, name, data):
    assert status_of(client, people["officer"], method, reverse(name, args=[issued.pk]), data) == 403


def test_the_office_urges_and_sees_signed_by_n_of_m(client, people, issued):
    client.force_login(people["editor"])
    response = client.post(reverse("briefings:urge", args=[issued.pk]), follow=True)
    assert "signed by 0 of 1" in response.content.decode()
    assert issued.receipts.get().urged_at is not None


def test_a_correction_is_for_the_office(client, people, issued):
    piece = issued.pieces.get()
    url = reverse("briefings:remove_piece", args=[issued.pk, piece.pk])
    assert status_of(client, people["officer"], "post", url, {"reason": "x"}) == 403
    assert status_of(client, people["editor"], "post", url, {"reason": "数据有误"}) == 302
    piece.refresh_from_db()
    assert piece.removed_reason == "数据有误"


def test_new_is_for_the_office(client, people, series):
    assert (
        status_of(client, people["officer"], "post", reverse("briefings:new"), {"series": series.pk}) == 403
    )
    assert status_of(client, people["editor"], "post", reverse("briefings:new"), {"series": series.pk}) == 302
    assert Briefing.objects.filter(series=series, status=Status.DRAFT).exists()


def test_add_to_briefing_from_an_item_is_for_the_office(client, people, draft, signed_off):
    article = signed_off(title="另一篇")
    url = reverse("briefings:add_from_item", args=[article.pk])
    assert status_of(client, people["officer"], "get", url) == 403
    assert status_of(client, people["editor"], "get", url) == 200
    assert status_of(client, people["editor"], "post", url, {"briefing": draft.pk}) == 302
    assert draft.pieces.filter(article=article).exists()


def test_the_item_page_offers_add_to_briefing_to_the_office_only(client, people, signed_off):
    article = signed_off()
    url = reverse("submissions:detail", args=[article.pk])
    client.force_login(people["director"])
    assert 'data-testid="add-to-briefing"' in client.get(url).content.decode()
    client.force_login(people["leader"])
    assert 'data-testid="add-to-briefing"' not in client.get(url).content.decode()


def test_the_composer_cannot_decide_and_the_director_can(client, people, draft):
    actions.submit_for_review(draft, by=people["editor"])
    step = draft.steps.get()
    url = reverse("briefings:decide", args=[draft.pk, step.pk])
    client.force_login(people["editor"])
    client.post(url, {"decision": "approve"})
    assert BriefingStep.objects.get(pk=step.pk).decision == "pending"
    client.force_login(people["director"])
    client.post(url, {"decision": "approve"})
    assert Briefing.objects.get(pk=draft.pk).status == Status.APPROVED


def test_a_stale_autosave_gets_409_and_changes_nothing(client, people, draft):
    client.force_login(people["editor"])
    piece = draft.pieces.get()
    data = {
        "version": draft.version - 1,
        "editor_note": "旧版本",
        "report_to": "",
        "copy_to": "",
        "issue_to": "",
        "copies": 30,
        "pieces-TOTAL_FORMS": 1,
        "pieces-INITIAL_FORMS": 1,
        "pieces-0-piece_id": piece.pk,
        "pieces-0-title": "新标题",
        "pieces-0-body": "<p>x</p>",
        "pieces-0-column": "",
        "pieces-0-order": 1,
    }
    response = client.post(reverse("briefings:autosave", args=[draft.pk]), data)
    assert response.status_code == 409 and response.json()["conflict"]
    page = client.post(reverse("briefings:edit", args=[draft.pk]), data)
    assert page.status_code == 409 and "changed this briefing while you were editing" in page.content.decode()
    assert 'value="新标题"' in page.content.decode()  # the editor's own text stays on the page
    data["version"] = draft.version
    assert client.post(reverse("briefings:autosave", args=[draft.pk]), data).status_code == 200
    assert draft.pieces.get().title == "新标题"


def many_issued(series, people, signed_off, school, count):
    for n in range(count):
        briefing = actions.create_briefing(series, by=people["editor"])
        actions.add_piece(briefing, signed_off(title=f"第{n}篇"), by=people["editor"])
        actions.submit_for_review(briefing, by=people["editor"])
        actions.approve(briefing.steps.get(), by=people["director"])
        actions.issue(briefing, units=[school], by=people["editor"])


def list_queries(client, user, **params):
    client.force_login(user)
    client.get(reverse("briefings:list"))  # the session and the user's roles, once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("briefings:list"), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["editor", "officer"])
def test_the_archive_takes_the_same_number_of_queries_for_1_or_25_issues(
    client, people, series, signed_off, school, role
):
    many_issued(series, people, signed_off, school, 1)
    one = list_queries(client, people[role])
    many_issued(series, people, signed_off, school, 24)
    assert list_queries(client, people[role]) == one
    assert list_queries(client, people[role], q="第", year=timezone.localdate().year) == one


def test_the_archive_searches_the_pieces_and_filters_by_year(client, people, series, signed_off, school):
    many_issued(series, people, signed_off, school, 2)
    client.force_login(people["officer"])
    page = client.get(reverse("briefings:list"), {"q": "第1篇"}).content.decode()
    assert len(re.findall(r'href="/briefings/\d+/"', page)) == 1
    page = client.get(reverse("briefings:list"), {"year": 2001}).content.decode()
    assert "No briefings yet." in page


def page_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_compose_page_takes_the_same_number_of_queries_for_1_or_25_pieces_and_items(
    client, people, draft, signed_off
):
    url = reverse("briefings:edit", args=[draft.pk])
    signed_off(title="候选")
    one = page_queries(client, people["editor"], url)
    for n in range(24):
        actions.add_piece(draft, signed_off(title=f"篇{n}"), by=people["editor"])
        signed_off(title=f"候选{n}")
    assert draft.pieces.count() == 25
    assert page_queries(client, people["editor"], url) == one


def test_the_issue_page_takes_the_same_number_of_queries_for_1_or_25_units(
    client, people, series, signed_off, office
):
    from tests.factories import UnitFactory

    def issue_to(units, title):
        briefing = actions.create_briefing(series, by=people["editor"])
        actions.add_piece(briefing, signed_off(title=title), by=people["editor"])
        actions.submit_for_review(briefing, by=people["editor"])
        actions.approve(briefing.steps.get(), by=people["director"])
        return actions.issue(briefing, units=units, by=people["editor"])

    small = issue_to([UnitFactory(parent=office)], "一")
    large = issue_to([UnitFactory(parent=office) for _ in range(25)], "二")
    pages = [reverse("briefings:detail", args=[b.pk]) for b in (small, large)]
    assert page_queries(client, people["editor"], pages[0]) == page_queries(
        client, people["editor"], pages[1]
    )


def test_a_units_archive_says_which_issues_wait_for_its_signature(client, people, issued, school):
    client.force_login(people["officer"])
    page = client.get(reverse("briefings:list")).content.decode()
    assert 'data-testid="to-sign"' in page and "signed by" not in page
    actions.sign_for(issued.receipts.get(unit=school), by=people["officer"])
    assert 'data-testid="to-sign"' not in client.get(reverse("briefings:list")).content.decode()


def test_the_approval_sheet_names_the_reviewer_and_downloads_as_pdf(client, people, issued):
    client.force_login(people["editor"])
    url = reverse("briefings:approval_sheet", args=[issued.pk])
    assert people["director"].display_name in client.get(url).content.decode()
    response = client.get(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_office_issues_to_chosen_units_and_choosing_none_issues_nothing(
    client, people, draft, school, other_school
):
    actions.submit_for_review(draft, by=people["editor"])
    actions.approve(draft.steps.get(), by=people["director"])
    client.force_login(people["director"])
    url = reverse("briefings:issue", args=[draft.pk])
    response = client.post(url, {"send_to": "chosen"}, follow=True)
    assert "Choose at least one unit" in response.content.decode()
    assert Briefing.objects.get(pk=draft.pk).status == Status.APPROVED
    client.post(url, {"send_to": "chosen", "units": [other_school.pk]})
    issued = Briefing.objects.get(pk=draft.pk)
    assert issued.status == Status.ISSUED
    assert [r.unit for r in issued.receipts.all()] == [other_school]


def test_add_to_briefing_tells_the_drafts_apart(client, people, draft, signed_off):
    client.force_login(people["director"])
    page = client.get(
        reverse("briefings:add_from_item", args=[signed_off(title="另一篇").pk])
    ).content.decode()
    assert f"(not yet numbered) · {timezone.localdate():%m/%d/%Y} · {people['editor']}" in page


EVERY_PAGE = [
    ("get", "briefings:list", False),
    ("post", "briefings:new", False),
    ("get", "briefings:detail", True),
    ("get", "briefings:edit", True),
    ("post", "briefings:autosave", True),
    ("post", "briefings:add_piece", True),
    ("post", "briefings:submit", True),
    ("post", "briefings:issue", True),
    ("post", "briefings:sign", True),
    ("post", "briefings:urge", True),
    ("get", "briefings:approval_sheet", True),
]


@pytest.mark.parametrize(("method", "name", "takes_pk"), EVERY_PAGE)
def test_every_page_sends_anonymous_visitors_to_sign_in(client, issued, method, name, takes_pk):
    response = getattr(client, method)(reverse(name, args=[issued.pk] if takes_pk else []))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_without_a_role_has_no_archive(client, people, issued):
    assert status_of(client, people["nobody"], "get", reverse("briefings:list")) == 404
    assert (
        status_of(client, people["nobody"], "get", reverse("briefings:download", args=[issued.pk, "pdf"]))
        == 404
    )


def test_the_archive_tells_a_reviewer_what_waits_for_them(client, people, draft):
    actions.submit_for_review(draft, by=people["editor"])
    client.force_login(people["director"])
    assert 'data-testid="waits-for-you"' in client.get(reverse("briefings:list")).content.decode()
    client.force_login(people["editor"])
    assert 'data-testid="waits-for-you"' not in client.get(reverse("briefings:list")).content.decode()

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit, User
from reviews import actions
from reviews.models import Decision, ReviewStep
from submissions.models import Article, Event, Status
from tests.factories import ArticleFactory, PhotoFactory
from tests.pdfs import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def submitted(article):
    actions.submit_for_review(article, base_version=article.version, by=article.author)
    return ReviewStep.objects.get(article=article, decision=Decision.PENDING)


# --- Submitting ----------------------------------------------------------------------------


def test_submit_from_the_form_goes_to_the_checks(client, article, people):
    client.force_login(people["officer"])
    data = {
        "title": article.title,
        "body": article.body,
        "category": article.category_id,
        "event_date": article.event_date.isoformat(),
        "version": article.version,
        "action": "submit",
    }
    response = client.post(reverse("submissions:edit", args=[article.pk]), data)
    assert response["Location"] == reverse("reviews:submit", args=[article.pk])
    assert "All checks passed" in client.get(response["Location"]).content.decode()


def test_final_submit_twice_submits_once(client, article, people):
    client.force_login(people["officer"])
    url = reverse("reviews:submit", args=[article.pk])
    client.post(url, {"version": article.version})
    client.post(url, {"version": article.version})
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert article.events.filter(kind=Event.Kind.SUBMITTED).count() == 1


def test_a_unit_without_a_leader_sees_why_the_item_was_not_submitted(client, article, people, school):
    from accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=people["leader"]).delete()
    client.force_login(people["officer"])

    response = client.post(
        reverse("reviews:submit", args=[article.pk]), {"version": article.version}, follow=True
    )

    page = response.content.decode()
    assert "nobody holds the role “Leader in charge” for" in page and str(school) in page
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_the_checks_page_says_before_the_click_that_a_stage_has_nobody(client, article, people, school):
    from accounts.models import RoleAssignment
    from notifications.models import Notification

    RoleAssignment.objects.filter(user=people["director"]).delete()
    client.force_login(people["officer"])

    page = client.get(reverse("reviews:submit", args=[article.pk])).content.decode()

    assert f"Nobody holds the role “Office director” for {school}" in page
    assert f'action="/reviews/items/{article.pk}/submit/"' not in page
    assert not Notification.objects.exists()  # only a real submission tells the office


def test_blocking_checks_hide_the_submit_button(client, article, people):
    PhotoFactory(article=article, caption="", original_name="IMG_7.heic")
    client.force_login(people["officer"])
    page = client.get(reverse("reviews:submit", args=[article.pk])).content.decode()
    assert "Photo “IMG_7.heic” has no caption." in page
    assert f'action="/reviews/items/{article.pk}/submit/"' not in page


def test_withdraw(client, article, people):
    submitted(article)
    client.force_login(people["officer"])
    client.post(reverse("reviews:withdraw", args=[article.pk]))
    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN


# --- Deciding ------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 25])
def test_queue_uses_a_fixed_number_of_queries(client, chain, school, people, rows):
    for _ in range(rows):
        submitted(ArticleFactory(unit=school, author=people["officer"], last_editor=people["officer"]))
    client.force_login(people["leader"])
    client.get(reverse("reviews:queue"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reviews:queue"))

    assert len(response.context["steps"]) == rows
    # 5, the items' units, the filters' units and categories, the delegations in force
    assert len(queries) == 9, [q["sql"] for q in queries]
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in queries)


def test_the_queue_pages_by_cursor_overdue_first_each_step_once(client, chain, school, people):
    steps = [
        submitted(ArticleFactory(unit=school, author=people["officer"], last_editor=people["officer"]))
        for _ in range(30)
    ]
    now = timezone.now()
    for n, step in enumerate(steps):  # every third one overdue; two steps share each waiting time
        due = now - timedelta(days=1) if n % 3 == 0 else now + timedelta(days=1)
        ReviewStep.objects.filter(pk=step.pk).update(due_at=due, created_at=now - timedelta(hours=n // 2))
    expected = [s.pk for s in sorted(ReviewStep.objects.filter(pk__in=[s.pk for s in steps]),
                                     key=lambda s: (s.due_at > now, s.created_at, s.pk))]  # fmt: skip
    client.force_login(people["leader"])

    first = client.get(reverse("reviews:queue"))
    second = client.get(f"{reverse('reviews:queue')}?{first.context['next_query']}")

    assert "cursor=" in first.context["next_query"]
    assert [s.pk for s in [*first.context["steps"], *second.context["steps"]]] == expected
    assert not second.context["has_next"]


def test_overdue_steps_stand_out_in_the_queue(client, article, people):
    step = submitted(article)
    ReviewStep.objects.filter(pk=step.pk).update(due_at=step.created_at)
    client.force_login(people["leader"])
    assert 'data-testid="overdue"' in client.get(reverse("reviews:queue")).content.decode()


def test_the_queue_shows_what_changed_since_its_rows_were_drawn(client, article, people, school):
    """The rows are kept in the cache under a key made of what they show (publicity.drawn): a queue
    drawn again after any one change shows it, never the rows drawn before it."""
    step = submitted(article)
    items, steps = Article.objects.filter(pk=article.pk), ReviewStep.objects.filter(pk=step.pk)
    changes = [
        (lambda: items.update(title="A new title"), "A new title"),
        (lambda: items.update(important=True), '<span class="badge text-bg-danger">Important</span>'),
        (lambda: steps.update(due_at=step.created_at), 'data-testid="overdue"'),
        (lambda: steps.update(created_at=step.created_at - timedelta(days=3)), "waiting 3\xa0days"),
        (lambda: Unit.objects.filter(pk=school.pk).update(name="Renamed School"), "Renamed School"),
        (lambda: User.objects.filter(pk=article.author_id).update(display_name="Ann Author"), "Ann Author"),
    ]
    client.force_login(people["leader"])
    client.get(reverse("reviews:queue"))

    for change, shown in changes:
        change()
        assert shown in client.get(reverse("reviews:queue")).content.decode(), shown


def test_officers_have_no_queue(client, people, db):
    client.force_login(people["officer"])
    assert client.get(reverse("reviews:queue")).status_code == 404


def test_approve_from_the_review_page(client, article, people):
    step = submitted(article)
    client.force_login(people["leader"])
    page = client.get(reverse("reviews:step", args=[step.pk]))
    revision = page.context["form"].initial["revision"]

    response = client.post(
        reverse("reviews:decide", args=[step.pk]), {"decision": "approve", "revision": revision}
    )

    assert response["Location"] == reverse("reviews:queue")
    step.refresh_from_db()
    assert step.decision == Decision.APPROVED and step.reviewer == people["leader"]


def test_return_without_a_comment_is_refused_with_a_message(client, article, people):
    step = submitted(article)
    client.force_login(people["leader"])
    response = client.post(
        reverse("reviews:decide", args=[step.pk]),
        {"decision": "return", "revision": step.revision_id, "comment": ""},
    )
    assert response.status_code == 400
    assert "Write a comment" in response.content.decode()
    step.refresh_from_db()
    assert step.is_pending


def test_a_decided_step_tells_the_late_reviewer_who_decided(client, article, people, school):
    from accounts.models import Role
    from tests.factories import RoleAssignmentFactory

    step = submitted(article)
    actions.approve(step, by=people["leader"], revision_id=step.revision_id)
    late = RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=school).user
    client.force_login(late)

    response = client.post(
        reverse("reviews:decide", args=[step.pk]),
        {"decision": "approve", "revision": step.revision_id},
        follow=True,
    )

    assert f"Already decided by {people['leader']}" in response.content.decode()


def test_the_director_sees_what_changed_since_returning_it(client, article, people):
    step = submitted(article)
    actions.approve(step, by=people["leader"], revision_id=step.revision_id)
    director_step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
    actions.return_for_revision(
        director_step, by=people["director"], revision_id=step.revision_id, comment="Date?"
    )
    article.refresh_from_db()
    article.body = "<p>Pupils ran on 20 November.</p>"
    article.version += 1
    article.save()
    again = submitted(article)
    client.force_login(people["director"])

    page = client.get(reverse("reviews:step", args=[again.pk])).content.decode()

    assert 'data-testid="changed-since"' in page
    assert "<ins>" in page and "20" in page


def test_reviewer_edit_page_saves_a_revision(client, article, people):
    step = submitted(article)
    client.force_login(people["leader"])
    response = client.post(
        reverse("reviews:edit", args=[step.pk]),
        {"title": "Tightened title", "body": "<p>Shorter.</p>", "version": article.version},
    )
    assert response.status_code == 302
    assert article.revisions.order_by("-number").first().created_by == people["leader"]


def test_others_cannot_open_the_edit_page(client, article, people):
    step = submitted(article)
    client.force_login(people["director"])  # not their stage yet
    assert client.get(reverse("reviews:edit", args=[step.pk])).status_code == 403


# --- Approval sheet ------------------------------------------------------------------------


def test_approval_sheet_lists_each_decision_and_downloads_as_pdf(client, article, people):
    step = submitted(article)
    actions.approve(step, by=people["leader"], revision_id=step.revision_id, comment="Fine")
    client.force_login(people["officer"])

    page = client.get(reverse("reviews:approval_sheet", args=[article.pk])).content.decode()
    assert "Leader in charge" in page and str(people["leader"]) in page and "Fine" in page

    pdf = client.get(reverse("reviews:approval_sheet", args=[article.pk]), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_chinese_approval_sheet_pdf_draws_its_chinese_in_the_font_it_embeds(client, article, people):
    article.title = "沙湾区第一中学举行秋季运动会"
    article.save(update_fields=["title"])
    step = submitted(article)
    actions.approve(step, by=people["leader"], revision_id=step.revision_id, comment="同意报送")
    client.force_login(people["officer"])

    url = reverse("reviews:approval_sheet", args=[article.pk])
    pdf = client.get(url, {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    fonts = pdf_fonts(pdf.content)
    assert fonts and all(font.is_ours and font.embedded for font in fonts), fonts  # none from the machine
    text = pdf_text(pdf.content)
    assert "审批单" in text and "沙湾区第一中学举行秋季运动会" in text and "同意报送" in text

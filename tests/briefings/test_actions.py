"""Composing, reviewing, issuing, signing for and correcting a briefing."""

import threading
from datetime import date

import pytest
from django.db import connection

from briefings import actions
from briefings.actions import PieceChange
from briefings.models import Briefing, BriefingEvent, Decision, Status
from notifications.models import Notification
from outlets.models import Adoption
from submissions.actions import ActionRefused

pytestmark = pytest.mark.django_db


def composed(series, people, articles):
    briefing = actions.create_briefing(series, by=people["editor"])
    for article in articles:
        actions.add_piece(briefing, article, by=people["editor"])
    return Briefing.objects.get(pk=briefing.pk)


def approved(series, people, articles):
    briefing = composed(series, people, articles)
    actions.submit_for_review(briefing, by=people["editor"])
    actions.approve(briefing.steps.get(), by=people["director"])
    return Briefing.objects.get(pk=briefing.pk)


def test_a_piece_copies_the_item_and_editing_it_leaves_the_item_as_signed_off(
    series, office_people, signed_off
):
    article = signed_off()
    briefing = composed(series, office_people, [article])
    piece = briefing.pieces.get()
    assert (piece.title, piece.body, piece.source, piece.column.name) == (
        article.title, article.body, "Test School", "工作动态"
    )  # fmt: skip
    actions.save_briefing(
        briefing,
        fields={
            "editor_note": "本期编者按",
            "report_to": "区委",
            "copy_to": "",
            "issue_to": "各校",
            "copies": 40,
        },
        pieces=[PieceChange(piece.pk, "改写的标题", "<p>压缩后的正文</p>", piece.column_id, 1)],
        base_version=briefing.version,
        by=office_people["editor"],
    )
    piece.refresh_from_db()
    article.refresh_from_db()
    assert piece.title == "改写的标题" and article.title == "沙湾一中秋季运动会"
    assert "秋季田径运动会" in article.body


def test_only_signed_off_items_can_be_added(series, office_people, signed_off):
    from submissions.models import Status as ArticleStatus

    draft = signed_off(status=ArticleStatus.IN_REVIEW)
    briefing = actions.create_briefing(series, by=office_people["editor"])
    with pytest.raises(ActionRefused):
        actions.add_piece(briefing, draft, by=office_people["editor"])


def test_a_stale_save_is_refused_and_the_same_save_twice_is_not(series, office_people, signed_off):
    briefing = composed(series, office_people, [signed_off()])
    base = briefing.version
    fields = {"editor_note": "甲", "report_to": "", "copy_to": "", "issue_to": "", "copies": 30}
    actions.save_briefing(briefing, fields=fields, pieces=[], base_version=base, by=office_people["editor"])
    actions.save_briefing(briefing, fields=fields, pieces=[], base_version=base, by=office_people["editor"])
    with pytest.raises(actions.StaleBriefing):
        actions.save_briefing(
            briefing,
            fields=fields | {"editor_note": "乙"},
            pieces=[],
            base_version=base,
            by=office_people["director"],
        )
    assert Briefing.objects.get(pk=briefing.pk).editor_note == "甲"


def test_the_editor_cannot_approve_their_own_briefing(series, office, office_people, signed_off):
    from accounts.models import Role
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=office_people["editor"], role=Role.OFFICE_DIRECTOR, unit=office)
    briefing = composed(series, office_people, [signed_off()])
    actions.submit_for_review(briefing, by=office_people["editor"])
    with pytest.raises(ActionRefused):
        actions.approve(briefing.steps.get(), by=office_people["editor"])


def test_a_return_needs_a_comment_and_resubmission_resumes_at_that_stage(series, office_people, signed_off):
    briefing = composed(series, office_people, [signed_off()])
    actions.submit_for_review(briefing, by=office_people["editor"])
    step = briefing.steps.get()
    asked = Notification.objects.filter(kind=Notification.Kind.BRIEFING_REVIEW)
    assert [n.recipient for n in asked] == [office_people["director"]]
    with pytest.raises(ActionRefused):
        actions.return_for_revision(step, by=office_people["director"], comment="  ")
    actions.return_for_revision(step, by=office_people["director"], comment="标题太长")
    assert Briefing.objects.get(pk=briefing.pk).status == Status.RETURNED
    assert Notification.objects.filter(
        recipient=office_people["editor"], kind=Notification.Kind.BRIEFING_RETURNED
    ).exists()
    actions.submit_for_review(briefing, by=office_people["editor"])
    assert briefing.steps.filter(decision=Decision.PENDING).get().stage == step.stage


def test_a_second_decision_on_the_same_step_is_refused(series, office_people, signed_off):
    briefing = composed(series, office_people, [signed_off()])
    actions.submit_for_review(briefing, by=office_people["editor"])
    step = briefing.steps.get()
    actions.approve(step, by=office_people["director"])
    with pytest.raises(ActionRefused, match="already decided"):
        actions.return_for_revision(step, by=office_people["director"], comment="晚了")


def test_issuing_numbers_the_issue_and_counts_each_piece_as_adopted(
    series, office_people, signed_off, school, other_school
):
    articles = [signed_off(title=f"第{n}条") for n in range(3)]
    briefing = approved(series, office_people, articles)
    actions.issue(
        briefing, units=[school, other_school], by=office_people["editor"], issued_on=date(2026, 11, 30)
    )
    briefing.refresh_from_db()
    assert (briefing.status, briefing.year, briefing.number, briefing.total_number) == (
        Status.ISSUED,
        2026,
        1,
        137,
    )
    assert "2026, No. 1 (total No. 137)" in briefing.heading()
    adoptions = Adoption.objects.filter(outlet=series.outlet)
    assert sorted(a.article_id for a in adoptions) == sorted(a.pk for a in articles)
    assert {a.level for a in adoptions} == {"county"} and {a.adopted_on for a in adoptions} == {
        date(2026, 11, 30)
    }
    assert briefing.receipts.count() == 2
    assert Notification.objects.filter(
        recipient=office_people["officer"], kind=Notification.Kind.BRIEFING_ISSUED
    ).exists()


def test_numbers_restart_each_year_and_the_running_total_does_not(series, office_people, signed_off, school):
    days = [date(2025, 12, 20), date(2026, 1, 5), date(2026, 1, 20)]
    numbers = []
    for day in days:
        briefing = approved(series, office_people, [signed_off(title=str(day))])
        briefing = actions.issue(briefing, units=[school], by=office_people["editor"], issued_on=day)
        numbers.append((briefing.year, briefing.number, briefing.total_number))
    assert numbers == [(2025, 1, 137), (2026, 1, 138), (2026, 2, 139)]


def test_removing_a_piece_before_issue_removes_nothing_else(series, office_people, signed_off):
    briefing = composed(series, office_people, [signed_off()])
    actions.remove_piece(briefing.pieces.get(), by=office_people["editor"])
    assert not briefing.pieces.exists() and not Adoption.objects.exists()


def test_a_correction_after_issue_needs_a_reason_and_removes_the_adoption(
    series, office_people, signed_off, school
):
    article = signed_off()
    briefing = approved(series, office_people, [article, signed_off(title="另一条")])
    actions.issue(briefing, units=[school], by=office_people["editor"])
    piece = briefing.pieces.get(article=article)
    with pytest.raises(ActionRefused):
        actions.remove_piece(piece, by=office_people["editor"], reason="")
    actions.remove_piece(piece, by=office_people["editor"], reason="数据有误")
    assert not Adoption.objects.filter(article=article).exists()
    assert Adoption.objects.filter(outlet=series.outlet).count() == 1
    assert briefing.events.filter(kind=BriefingEvent.Kind.CORRECTED, note__contains="数据有误").exists()
    assert article.events.filter(kind="adoption_removed").exists()


def test_signing_is_for_the_units_people_and_counts_once(
    series, office_people, signed_off, school, other_school
):
    briefing = approved(series, office_people, [signed_off()])
    actions.issue(briefing, units=[school, other_school], by=office_people["editor"])
    receipt = briefing.receipts.get(unit=school)
    with pytest.raises(ActionRefused):
        actions.sign_for(briefing.receipts.get(unit=other_school), by=office_people["officer"])
    actions.sign_for(receipt, by=office_people["leader"])
    actions.sign_for(receipt, by=office_people["officer"])
    receipt.refresh_from_db()
    assert receipt.signed_by == office_people["leader"]


def test_urging_reminds_only_units_that_have_not_signed_and_not_twice_at_once(
    series, office_people, signed_off, school, other_school
):
    from tests.factories import officer_of

    other_officer = officer_of(other_school)
    briefing = approved(series, office_people, [signed_off()])
    actions.issue(briefing, units=[school, other_school], by=office_people["editor"])
    actions.sign_for(briefing.receipts.get(unit=school), by=office_people["officer"])
    assert actions.urge_unsigned(briefing, by=office_people["editor"]) == [other_school]
    assert actions.urge_unsigned(briefing, by=office_people["editor"]) == []
    urged = Notification.objects.filter(kind=Notification.Kind.BRIEFING_URGED)
    assert [n.recipient for n in urged] == [other_officer]


@pytest.mark.django_db(transaction=True)
def test_two_issues_at_once_get_consecutive_numbers(series, office_people, signed_off, school):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock is tested on PostgreSQL")
    briefings = [approved(series, office_people, [signed_off(title=f"并发{n}")]) for n in range(2)]
    barrier, errors = threading.Barrier(2), []

    def run(briefing):
        try:
            barrier.wait()
            actions.issue(briefing, units=[school], by=office_people["editor"])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(b,)) for b in briefings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Briefing.objects.values_list("number", flat=True)) == [1, 2]


def test_the_pieces_of_an_issue_earn_points_like_any_adoption(
    series, office_people, signed_off, school, django_capture_on_commit_callbacks
):
    from reports.models import Score, ScoreRule

    ScoreRule.objects.create(level="county", main_points=2, co_points=1)
    briefing = approved(series, office_people, [signed_off(), signed_off(title="第二篇")])
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue(briefing, units=[school], by=office_people["editor"])
    assert Score.objects.filter(unit=school, kind=Score.Kind.ADOPTION, points=2).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_piece(briefing.pieces.first(), by=office_people["editor"], reason="重复")
    assert Score.objects.filter(unit=school, kind=Score.Kind.ADOPTION).count() == 1


def test_correcting_a_later_issue_keeps_the_adoption_an_earlier_issue_gave(
    series, office_people, signed_off, school
):
    article = signed_off()
    first = approved(series, office_people, [article])
    actions.issue(first, units=[school], by=office_people["editor"])
    second = approved(series, office_people, [article])
    actions.issue(second, units=[school], by=office_people["editor"])
    actions.remove_piece(second.pieces.get(), by=office_people["editor"], reason="重复刊登")
    assert Adoption.objects.filter(article=article, outlet=series.outlet).exists()
    actions.remove_piece(first.pieces.get(), by=office_people["editor"], reason="有误")
    assert not Adoption.objects.filter(article=article).exists()


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_record_one_decision(series, office, office_people, signed_off):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock is tested on PostgreSQL")
    from accounts.models import Role
    from tests.factories import RoleAssignmentFactory

    second = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    briefing = composed(series, office_people, [signed_off()])
    actions.submit_for_review(briefing, by=office_people["editor"])
    step = briefing.steps.get()
    barrier, refused = threading.Barrier(2), []

    def decide(reviewer, decide_with):
        try:
            barrier.wait()
            decide_with(step, by=reviewer)
        except ActionRefused as error:
            refused.append(error.message)
        finally:
            connection.close()

    def send_back(step, *, by):
        actions.return_for_revision(step, by=by, comment="再改改")

    threads = [
        threading.Thread(target=decide, args=(office_people["director"], actions.approve)),
        threading.Thread(target=decide, args=(second, send_back)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 1 and "already decided" in refused[0]
    assert briefing.steps.exclude(decision=Decision.PENDING).count() == 1


def test_stored_text_uses_the_sites_language_not_the_actors(
    series, office_people, signed_off, school, settings
):
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    briefing = approved(series, office_people, [signed_off()])
    with translation.override("en"):
        actions.issue(briefing, units=[school], by=office_people["editor"], issued_on=date(2026, 11, 30))
    assert Adoption.objects.get().issue == "沙湾区教育信息 2026年第1期（总第137期）"
    assert Notification.objects.filter(note="沙湾区教育信息 2026年第1期（总第137期）").exists()

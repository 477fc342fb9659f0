from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import Role
from reviews import actions
from reviews.models import Decision, ReviewRun, ReviewStage, ReviewStep
from submissions.models import Event, Status
from tests.factories import CategoryFactory, RoleAssignmentFactory, UnitFactory

pytestmark = pytest.mark.django_db


def submit(article, by=None):
    article.refresh_from_db()
    return actions.submit_for_review(article, base_version=article.version, by=by or article.author)


def pending(article):
    return ReviewStep.objects.select_related("stage").get(article=article, decision=Decision.PENDING)


def latest_revision(article):
    return article.revisions.order_by("-number").first().pk


def approve(article, by, comment=""):
    return actions.approve(pending(article), by=by, revision_id=latest_revision(article), comment=comment)


def stages(article):
    run = ReviewRun.objects.get(article=article)
    return [ReviewStage.objects.get(pk=pk).name for pk in run.route]


def test_the_route_is_fixed_at_submission(article):
    submit(article)

    assert stages(article) == ["Leader in charge", "Office director"]
    assert pending(article).stage.name == "Leader in charge"
    ReviewStage.objects.filter(name="Leadership group").update(applies=ReviewStage.Applies.ALWAYS)
    assert stages(article) == ["Leader in charge", "Office director"]


def test_important_items_get_the_leadership_stage(article):
    article.important = True
    article.save()
    submit(article)
    assert stages(article) == ["Leader in charge", "Office director", "Leadership group"]


def test_a_stage_can_apply_to_some_categories_only(article, chain):
    policy = CategoryFactory(name="Policy")
    stage = ReviewStage.objects.create(
        chain=chain, order=4, name="Policy desk", reviewer_role=Role.LEADERSHIP,
        applies=ReviewStage.Applies.CATEGORIES,
    )  # fmt: skip
    stage.categories.add(policy)
    submit(article)
    assert "Policy desk" not in stages(article)


def test_a_unit_uses_the_chain_that_names_it(article, school, people):
    own = ReviewStage.objects.create(
        chain=__import__("reviews.models").models.ReviewChain.objects.create(name="Own"),
        name="Director only", reviewer_role=Role.OFFICE_DIRECTOR,
    )  # fmt: skip
    own.chain.units.add(school)
    submit(article)
    assert stages(article) == ["Director only"]


def test_no_chain_means_no_submission(article, chain):
    chain.delete()
    with pytest.raises(actions.ActionRefused, match="No review chain"):
        submit(article)
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_layer_by_layer_to_sign_off(article, people):
    submit(article)
    approve(article, people["leader"])
    assert pending(article).stage.name == "Office director"

    approve(article, people["director"], comment="Good")

    article.refresh_from_db()
    assert article.status == Status.APPROVED
    assert ReviewRun.objects.get(article=article).state == ReviewRun.State.SIGNED_OFF
    kinds = list(article.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "approved", "approved", "signed_off"]


def test_stages_cannot_be_skipped(article, people):
    submit(article)
    with pytest.raises(actions.ActionRefused):
        approve(article, people["director"])  # the leader's stage waits
    assert pending(article).stage.name == "Leader in charge"


def test_only_the_units_own_leader_decides(article, office, people):
    other_leader = RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=UnitFactory(parent=office)).user
    submit(article)
    with pytest.raises(actions.ActionRefused):
        approve(article, other_leader)


def test_nobody_decides_their_own_item_whatever_roles_they_hold(article, school, office, people):
    author = people["officer"]
    RoleAssignmentFactory(user=author, role=Role.LEADER_IN_CHARGE, unit=school)
    RoleAssignmentFactory(user=author, role=Role.OFFICE_DIRECTOR, unit=office)
    submit(article)
    with pytest.raises(actions.ActionRefused):
        approve(article, author)


def test_return_requires_a_comment(article, people):
    submit(article)
    with pytest.raises(actions.ActionRefused, match="Write a comment"):
        actions.return_for_revision(
            pending(article), by=people["leader"], revision_id=latest_revision(article), comment=" "
        )


def test_resubmission_goes_back_to_the_stage_that_returned_it(article, people):
    submit(article)
    approve(article, people["leader"])
    actions.return_for_revision(
        pending(article), by=people["director"], revision_id=latest_revision(article), comment="Add the date"
    )
    article.refresh_from_db()
    assert article.status == Status.RETURNED
    assert article.events.get(kind=Event.Kind.RETURNED).note == "Add the date"

    article.title = "Sports day on 20 November"
    article.version += 1
    article.save()
    submit(article)

    step = pending(article)
    assert step.stage.name == "Office director"
    assert article.revisions.count() == 2 and step.revision.title == "Sports day on 20 November"


def return_it(article, by, comment="Needs another look"):
    return actions.return_for_revision(
        pending(article), by=by, revision_id=latest_revision(article), comment=comment
    )


def resubmit(article, **changes):
    article.refresh_from_db()
    for name, value in changes.items():
        setattr(article, name, value)
    article.version += 1
    article.save()
    return submit(article)


def test_the_timelines_notes_are_in_the_offices_language_not_the_actors(article, people, settings, chain):
    settings.LANGUAGE_CODE = "zh-hans"  # the office's; the people act in English:
    translation.activate("en")  # (a change of LANGUAGE_CODE leaves no language active)
    chain.stages.filter(order=1).update(name_zh_hans="分管领导")
    submit(article)
    approve(article, people["leader"], comment="Fine")
    return_it(article, people["director"])

    resubmit(article)

    notes = list(article.events.order_by("pk").values_list("kind", "note"))
    assert (Event.Kind.APPROVED, "分管领导：Fine") in notes  # what a person typed stays as typed
    # The stage without a Chinese name reads in English.
    assert notes[-1] == (Event.Kind.SUBMITTED, "重新提交至Office director")


def test_marking_an_item_important_on_resubmission_adds_the_leadership_stage(article, people):
    submit(article)
    approve(article, people["leader"])
    return_it(article, people["director"], "This is a policy item: mark it important")

    resubmit(article, important=True)

    assert stages(article) == ["Leader in charge", "Office director", "Leadership group"]
    assert pending(article).stage.name == "Office director"
    assert article.events.filter(kind=Event.Kind.SUBMITTED).last().note == (
        "Resubmitted to Office director; added to its route: Leadership group"
    )
    approve(article, people["director"])
    assert pending(article).stage.name == "Leadership group"
    approve(article, people["leadership"])
    article.refresh_from_db()
    assert article.status == Status.APPROVED


def test_unticking_important_after_a_leadership_return_keeps_the_leadership_stage(article, people):
    article.important = True
    article.save()
    submit(article)
    approve(article, people["leader"])
    approve(article, people["director"])
    return_it(article, people["leadership"])

    resubmit(article, important=False)

    assert stages(article) == ["Leader in charge", "Office director", "Leadership group"]
    assert pending(article).stage.name == "Leadership group"


def test_a_stage_added_before_the_one_that_returned_it_is_not_skipped(article, chain, people):
    ReviewStage.objects.create(
        chain=chain, order=0, name="Secretary", reviewer_role=Role.LEADERSHIP,
        applies=ReviewStage.Applies.IMPORTANT,
    )  # fmt: skip
    submit(article)
    approve(article, people["leader"])
    return_it(article, people["director"])

    resubmit(article, important=True)

    assert stages(article) == ["Secretary", "Leader in charge", "Office director", "Leadership group"]
    assert pending(article).stage.name == "Secretary"


def test_reject_is_final(article, people):
    submit(article)
    actions.reject(
        pending(article), by=people["leader"], revision_id=latest_revision(article), comment="Not news"
    )
    article.refresh_from_db()
    assert article.status == Status.REJECTED
    with pytest.raises(actions.ActionRefused):
        submit(article)


def test_each_decision_records_the_revision_it_judged(article, people):
    submit(article)
    first = latest_revision(article)
    step = approve(article, people["leader"])
    assert step.revision_id == first


def test_a_decision_on_an_outdated_revision_is_refused(article, people):
    submit(article)
    step = pending(article)
    actions.edit_as_reviewer(
        step, by=people["leader"], title="Edited", body="<p>x</p>", base_version=article.version
    )
    with pytest.raises(actions.ActionRefused, match="changed while you were reviewing"):
        actions.approve(step, by=people["leader"], revision_id=step.revision_id)


def test_a_reviewer_edit_loses_characters_xml_cannot_hold(article, people):
    submit(article)
    actions.edit_as_reviewer(
        pending(article),
        by=people["leader"],
        title="Better\ufffe title",
        body="<p>Better\x07 body</p>",
        base_version=article.version,
    )
    article.refresh_from_db()
    assert (article.title, article.body) == ("Better title", "<p>Better body</p>")


def test_replayed_approval_changes_nothing_twice(article, people):
    submit(article)
    step = pending(article)
    revision = latest_revision(article)
    actions.approve(step, by=people["leader"], revision_id=revision)
    actions.approve(step, by=people["leader"], revision_id=revision)

    assert article.events.filter(kind=Event.Kind.APPROVED).count() == 1
    assert ReviewStep.objects.filter(article=article).count() == 2


def test_a_second_reviewer_hears_who_decided_first(article, school, people):
    other = RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=school).user
    submit(article)
    step = pending(article)
    actions.approve(step, by=people["leader"], revision_id=latest_revision(article))

    with pytest.raises(actions.AlreadyDecided, match=f"Already decided by {people['leader']}"):
        actions.return_for_revision(step, by=other, revision_id=latest_revision(article), comment="No")


def test_a_reviewer_edit_is_a_new_revision_and_keeps_the_original(article, people):
    submit(article)
    original = article.revisions.get()
    step = pending(article)

    actions.edit_as_reviewer(
        step,
        by=people["leader"],
        title="Better title",
        body="<p>Better body</p>",
        base_version=article.version + 0,
    )

    article.refresh_from_db()
    assert article.title == "Better title"
    edited = article.revisions.order_by("-number").first()
    assert (edited.number, edited.created_by) == (2, people["leader"])
    original.refresh_from_db()
    assert original.title != "Better title"
    assert article.events.filter(kind=Event.Kind.EDITED, actor=people["leader"]).exists()


def test_withdrawing_cancels_the_waiting_step(article, people):
    submit(article)
    actions.withdraw(article, by=people["officer"])
    assert not ReviewStep.objects.filter(article=article, decision=Decision.PENDING).exists()
    assert ReviewRun.objects.get(article=article).state == ReviewRun.State.WITHDRAWN


def test_overdue_steps_are_reminded_once_then_escalated(article, people):
    from notifications.models import Notification

    submit(article)
    step = pending(article)
    later = step.due_at + timedelta(minutes=1)

    assert actions.remind_overdue_steps(now=later) == (1, 0)
    assert actions.remind_overdue_steps(now=later) == (0, 0)
    assert (
        Notification.objects.filter(recipient=people["leader"], kind=Notification.Kind.OVERDUE).count() == 1
    )

    much_later = step.due_at + timedelta(hours=step.stage.time_limit_hours, minutes=1)
    assert actions.remind_overdue_steps(now=much_later) == (0, 1)
    assert Notification.objects.filter(
        recipient=people["director"], kind=Notification.Kind.ESCALATED
    ).exists()


def test_the_timeline_cannot_be_changed_or_deleted(article):
    submit(article)
    event = article.events.first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        article.events.update(note="rewritten")
    with pytest.raises(TypeError):
        article.events.all().delete()


def test_the_queue_is_oldest_first_and_only_mine(article, people, school):
    from reviews.permissions import queue_filter
    from tests.factories import ArticleFactory

    submit(article)
    newer = ArticleFactory(unit=school, author=people["officer"], last_editor=people["officer"])
    submit(newer)
    ReviewStep.objects.filter(article=newer).update(created_at=timezone.now() + timedelta(minutes=5))

    mine = ReviewStep.objects.for_queue().filter(queue_filter(people["leader"]))
    assert [s.article_id for s in mine] == [article.pk, newer.pk]
    assert not ReviewStep.objects.for_queue().filter(queue_filter(people["director"])).exists()


def test_every_step_keeps_its_items_unit_for_the_queue(article, people, school):
    """The queue finds a unit's waiting steps by the unit kept on each step: each step of the way
    (submitted, approved on, returned and resubmitted) must carry the item's unit."""
    from reviews.permissions import queue_filter

    submit(article)
    approve(article, people["leader"])
    return_it(article, people["director"])
    article.refresh_from_db()
    submit(article)

    steps = ReviewStep.objects.filter(article=article)
    assert steps.count() == 3 and {s.unit_id for s in steps} == {school.pk}
    assert [
        s.article_id for s in ReviewStep.objects.for_queue().filter(queue_filter(people["director"]))
    ] == [article.pk]


def test_submit_snapshots_a_revision(article):
    from tests.factories import PhotoFactory

    PhotoFactory(article=article, caption="Start line", is_cover=True)
    submit(article)

    revision = article.revisions.get()
    assert (revision.number, revision.title, revision.photos[0]["caption"]) == (
        1,
        article.title,
        "Start line",
    )
    assert article.events.get(kind=Event.Kind.SUBMITTED).revision == revision


def test_submitting_twice_records_it_once(article):
    submit(article)
    submit(article)
    assert article.revisions.count() == 1
    assert article.events.filter(kind=Event.Kind.SUBMITTED).count() == 1
    assert ReviewStep.objects.filter(article=article).count() == 1


def test_submit_refuses_a_stale_version(article):
    with pytest.raises(actions.StaleEdit):
        actions.submit_for_review(article, base_version=article.version - 1, by=article.author)


def test_blocking_checks_stop_the_submission(article):
    from tests.factories import PhotoFactory

    PhotoFactory(article=article, caption="")
    with pytest.raises(actions.ChecksFailed) as failed:
        submit(article)
    assert "has no caption" in failed.value.checks[0].message
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_withdraw_once_and_only_before_sign_off(article, people):
    submit(article)
    actions.withdraw(article, by=people["officer"])
    actions.withdraw(article, by=people["officer"])
    assert article.events.filter(kind=Event.Kind.WITHDRAWN).count() == 1

    from tests.factories import ArticleFactory

    signed_off = ArticleFactory(unit=article.unit, status=Status.APPROVED)
    with pytest.raises(actions.ActionRefused):
        actions.withdraw(signed_off, by=people["officer"])


# --- A stage nobody holds: the submission is refused and the office is told ------------------


def told(kind_holder):
    from notifications.models import Notification

    return Notification.objects.filter(recipient=kind_holder, kind=Notification.Kind.REVIEWER_MISSING)


def test_a_unit_without_a_leader_in_charge_cannot_submit_and_the_office_is_told(
    article, school, people, smtp_server, django_capture_on_commit_callbacks
):
    from accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=people["leader"]).delete()
    people["director"].email = "director@office.example"
    people["director"].save()
    article.title = "Sports day"
    article.save()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(actions.NobodyToReview) as refused:
        submit(article)

    assert refused.value.message == (
        f"Not submitted: nobody holds the role “Leader in charge” for {school}, so nobody could review "
        "it. The office has been told; your item is kept as it is."
    )
    article.refresh_from_db()
    assert (article.status, article.title) == (Status.DRAFT, "Sports day")
    assert not ReviewRun.objects.filter(article=article).exists()
    [notification] = told(people["director"])
    assert notification.article == article
    assert "“Leader in charge”" in notification.note and str(school) in notification.note
    assert notification.note.endswith("Name someone on the Units and people page.")  # not the raw admin
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "director@office.example"
    assert "Sports day" in message["Subject"]


def test_trying_again_does_not_tell_the_office_twice(article, people):
    from accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=people["leader"]).delete()
    for _ in range(2):
        with pytest.raises(actions.NobodyToReview):
            submit(article)

    assert told(people["director"]).count() == 1


def test_a_later_stage_nobody_holds_refuses_the_submission_and_tells_the_admins(article, people):
    from accounts.models import RoleAssignment
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True)
    RoleAssignment.objects.filter(user=people["director"]).delete()

    with pytest.raises(actions.NobodyToReview, match="“Office director”"):
        submit(article)

    assert pending_steps(article) == []
    assert told(admin).count() == 1


def test_an_author_who_alone_holds_the_stage_cannot_submit(article, school, people):
    from accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=people["leader"]).delete()
    RoleAssignmentFactory(user=people["officer"], role=Role.LEADER_IN_CHARGE, unit=school)

    with pytest.raises(actions.NobodyToReview) as refused:
        submit(article)

    assert refused.value.message.startswith(
        f"Not submitted: you are the only “Leader in charge” for {school}, and nobody decides on an item "
        "they wrote."
    )
    assert told(people["director"]).count() == 1


def test_a_resubmission_to_a_stage_nobody_holds_any_more_is_refused(article, people):
    from accounts.models import RoleAssignment

    submit(article)
    approve(article, people["leader"])
    return_it(article, people["director"])
    RoleAssignment.objects.filter(user=people["director"]).delete()

    with pytest.raises(actions.NobodyToReview, match="“Office director”"):
        resubmit(article, title="Sports day, with the date")
    article.refresh_from_db()
    assert (article.status, article.title) == (Status.RETURNED, "Sports day, with the date")


def test_a_stage_whose_holder_left_during_review_waits_and_the_office_is_told_at_once(article, people):
    from accounts.models import RoleAssignment

    article.important = True
    article.save()
    submit(article)
    RoleAssignment.objects.filter(user=people["leadership"]).delete()
    approve(article, people["leader"])
    approve(article, people["director"])

    assert pending(article).stage.name == "Leadership group"
    [notification] = told(people["director"])
    assert "“Leadership group”" in notification.note and "waits" in notification.note


def pending_steps(article):
    return list(ReviewStep.objects.filter(article=article, decision=Decision.PENDING))

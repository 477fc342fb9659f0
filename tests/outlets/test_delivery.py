"""Deliveries to a real webhook receiver on loopback, an SMTP server and the Atom feed."""

import json
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone, translation

from accounts.models import Role, RoleAssignment
from notifications.models import Notification
from outlets import actions
from outlets.credentials import encrypt
from outlets.models import Adoption, Delivery, Outlet
from outlets.tasks import deliver, sweep
from reviews.models import ReviewStep
from submissions.models import Event, Status
from tests.factories import PhotoFactory, UserFactory
from tests.outlets.conftest import SECRET
from tests.outlets.test_promises import free_port

pytestmark = pytest.mark.django_db


def only_delivery(article):
    return Delivery.objects.get(article=article)


def test_sign_off_delivers_a_signed_message_with_photo_links(
    article, webhook, receiver, sign_off, live_server, settings
):
    settings.SITE_URL = live_server.url
    from django.core.files.base import ContentFile

    from tests.submissions import corpus

    photo = PhotoFactory(article=article, caption="Prize giving", is_cover=True)
    photo.display.save("d.jpg", ContentFile(corpus.jpeg()), save=True)

    sign_off(article)

    [message] = receiver.wait_for(1)
    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.DELIVERED
    assert message["delivery"] == str(delivery.uuid) and message["article"]["title"] == article.title
    assert list(receiver.messages) == [str(delivery.uuid)]  # webhook-id is the delivery's key
    fetched = httpx.get(message["photos"][0]["url"])
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/jpeg"
    assert article.events.filter(kind=Event.Kind.DELIVERED).exists()


@pytest.mark.django_db(transaction=True)
def test_deliveries_are_created_with_the_sign_off_or_not_at_all(article, people, webhook):
    from reviews import actions as review_actions

    review_actions.submit_for_review(article, base_version=article.version, by=article.author)
    step = ReviewStep.objects.get(article=article)
    review_actions.approve(step, by=people["leader"], revision_id=step.revision_id)
    step = ReviewStep.objects.get(article=article, decision="pending")
    ghost = Outlet(pk=987654, name="Deleted meanwhile", kind=Outlet.Kind.WEBHOOK, is_active=True)

    with pytest.raises(Exception):  # noqa: B017 — the database refuses the delivery's outlet
        review_actions.approve(step, by=people["director"], revision_id=step.revision_id, outlets=[ghost])

    article.refresh_from_db()
    step.refresh_from_db()
    assert article.status == Status.IN_REVIEW and step.is_pending
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("answer", "expected_delay"),
    [
        ((500, {}, 0), timedelta(seconds=30)),
        ((503, {}, 0), timedelta(seconds=30)),
        ((429, {"Retry-After": "120"}, 0), timedelta(seconds=120)),
    ],
)
def test_server_errors_and_rate_limits_back_off_on_schedule(
    article, webhook, receiver, sign_off, answer, expected_delay
):
    receiver.answers.append(answer)
    before = timezone.now()
    sign_off(article)

    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.RETRYING
    delay = delivery.next_attempt_at - before
    if answer[0] == 429:
        assert expected_delay <= delay < expected_delay + timedelta(seconds=5)
    else:
        assert expected_delay * 0.8 <= delay <= expected_delay * 1.2 + timedelta(seconds=5)
    assert delivery.attempts_log.get().outcome == "retry"


def test_backoff_grows_exponentially_with_jitter():
    delays = [actions.backoff(n).total_seconds() for n in (1, 2, 3, 4)]
    for n, delay in enumerate(delays):
        assert 30 * 2**n * 0.8 <= delay <= 30 * 2**n * 1.2
    assert actions.backoff(50) <= actions.BACKOFF_MAX * 1.2


def test_backoff_starts_from_the_configured_base(settings):
    settings.OUTLETS_RETRY_BASE_SECONDS = 5
    delays = [actions.backoff(n).total_seconds() for n in (1, 2, 3)]
    for n, delay in enumerate(delays):
        assert 5 * 2**n * 0.8 <= delay <= 5 * 2**n * 1.2


def test_a_timeout_is_retried(article, webhook, receiver, sign_off, settings):
    settings.OUTLETS_HTTP_TIMEOUT = 0.5
    receiver.answers.append((200, {}, 1.5))
    sign_off(article)
    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.RETRYING and "Timeout" in delivery.last_error


def test_a_400_fails_at_once_and_tells_the_admins(article, webhook, receiver, sign_off):
    admin = UserFactory(is_staff=True)
    receiver.answers.append((400, {}, 0))
    sign_off(article)
    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == 1
    assert Notification.objects.filter(recipient=admin, kind=Notification.Kind.DELIVERY_FAILED).exists()


def test_a_401_pauses_the_outlet_and_tells_the_admins(
    article, webhook, receiver, sign_off, django_capture_on_commit_callbacks
):
    admin = UserFactory(is_staff=True)
    receiver.answers.append((401, {}, 0))
    sign_off(article)

    webhook.refresh_from_db()
    assert not webhook.is_active and "401" in webhook.paused_reason
    assert Notification.objects.filter(recipient=admin, kind=Notification.Kind.OUTLET_PAUSED).exists()
    assert only_delivery(article).state == Delivery.State.RETRYING
    assert sweep() == 0  # paused outlets wait

    with django_capture_on_commit_callbacks(execute=True):
        actions.resume_outlet(webhook, by=admin)
    assert only_delivery(article).state == Delivery.State.DELIVERED


def test_running_the_task_twice_posts_once(article, webhook, receiver, sign_off):
    sign_off(article)
    delivery = only_delivery(article)
    deliver(delivery.pk)
    deliver(delivery.pk)
    assert receiver.requests == 1 and len(receiver.messages) == 1


def test_an_expired_lease_is_resent_with_the_same_key(article, webhook, receiver, sign_off, settings):
    receiver.answers.append((503, {}, 0))
    sign_off(article)
    delivery = only_delivery(article)
    # A worker took it and died: sending, with a lease that has run out.
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", lease_until=timezone.now() - timedelta(seconds=1)
    )

    assert sweep() == 1

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert list(receiver.messages) == [str(delivery.uuid)]


def test_retry_rearms_the_same_delivery_and_resend_makes_a_new_one(
    article, webhook, receiver, sign_off, people, django_capture_on_commit_callbacks
):
    receiver.answers.append((400, {}, 0))
    sign_off(article)
    failed = only_delivery(article)

    with django_capture_on_commit_callbacks(execute=True):
        actions.retry(failed, by=people["director"])
    failed.refresh_from_db()
    assert failed.state == Delivery.State.DELIVERED and list(receiver.messages) == [str(failed.uuid)]

    with django_capture_on_commit_callbacks(execute=True):
        again = actions.resend_as_new(failed, by=people["director"])
    assert again.uuid != failed.uuid
    assert set(receiver.messages) == {str(failed.uuid), str(again.uuid)}


def test_cancel(article, webhook, receiver, sign_off, people):
    receiver.answers.append((503, {}, 0))
    sign_off(article)
    delivery = actions.cancel(only_delivery(article), by=people["director"])
    assert delivery.state == Delivery.State.CANCELLED
    assert sweep() == 0


def test_private_addresses_are_refused(article, db, sign_off, settings):
    Outlet.objects.create(
        name="Intranet",
        kind=Outlet.Kind.WEBHOOK,
        endpoint="http://10.1.2.3/hook",
        secret_encrypted=encrypt(SECRET),
        preselected=True,
    )
    sign_off(article)
    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.FAILED and "may not reach" in delivery.last_error


def test_loopback_is_refused_unless_allowed(article, webhook, sign_off, settings):
    settings.OUTLETS_ALLOW_LOOPBACK = False
    sign_off(article)
    assert only_delivery(article).state == Delivery.State.FAILED


def test_credentials_are_encrypted_and_never_logged(article, webhook, receiver, sign_off):
    sign_off(article)
    webhook.refresh_from_db()
    assert SECRET not in webhook.secret_encrypted
    delivery = only_delivery(article)
    logged = json.dumps([a.requests for a in delivery.attempts_log.all()]) + delivery.last_error
    assert SECRET not in logged and SECRET.removeprefix("whsec_") not in logged


def test_a_signed_callback_records_the_adoption(client, article, webhook, receiver, sign_off):
    from outlets.adapters.webhook import sign

    sign_off(article)
    delivery = only_delivery(article)
    body = json.dumps(
        {"type": "published", "delivery": str(delivery.uuid), "url": "https://portal.example/a/1"}
    ).encode()
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        "webhook-id": "cb-1",
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(SECRET, "cb-1", timestamp, body),
    }
    url = f"/outlets/callbacks/webhook/{webhook.pk}/"

    forged = client.post(
        url, body, content_type="application/json", headers=headers | {"webhook-signature": "v1,AAAA"}
    )
    assert forged.status_code == 401
    assert client.post(url, body, content_type="application/json", headers=headers).status_code == 200

    delivery.refresh_from_db()
    assert (
        delivery.adoption == Delivery.Adoption.ADOPTED
        and delivery.adopted_url == "https://portal.example/a/1"
    )
    assert article.events.filter(kind=Event.Kind.ADOPTED).count() == 1
    adoption = Adoption.objects.get(article=article)
    assert (adoption.outlet, adoption.delivery, adoption.url) == (
        webhook,
        delivery,
        "https://portal.example/a/1",
    )
    assert adoption.source == Adoption.Source.OUTLET and adoption.level == webhook.level
    # the same callback again (the outlet retries) records nothing more
    assert client.post(url, body, content_type="application/json", headers=headers).status_code == 200
    assert Adoption.objects.count() == 1 and article.events.filter(kind=Event.Kind.ADOPTED).count() == 1


def test_an_adoption_reported_by_an_outlet_earns_points_within_a_sweep(article, webhook, receiver, sign_off):
    from reports.models import Score, ScoreRule
    from reports.scoring import score_pending

    ScoreRule.objects.create(level=webhook.level, main_points=2, co_points=1)
    sign_off(article)
    actions.record_adoption(only_delivery(article), url="https://portal.example/a/2")
    assert not Score.objects.exists()  # scored by the beat's sweeper, not inside the outlet's request
    assert score_pending() == 1
    line = Score.objects.get()
    assert (line.unit, line.officer, line.points) == (article.unit, article.author, 2)


def test_email_outlet_sends_with_a_stable_message_id(article, sign_off, smtp_server, db):
    from django.core.files.base import ContentFile

    from tests.submissions import corpus

    photo = PhotoFactory(article=article, caption="Start")
    photo.display.save("d.jpg", ContentFile(corpus.jpeg()), save=True)
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )

    sign_off(article)

    delivery = only_delivery(article)
    mails = [
        m for m in smtp_server.wait_for(2, timeout=10) if m["To"] == "desk@daily.example"
    ]  # + the author's
    assert delivery.state == Delivery.State.DELIVERED
    assert mails[0]["Message-ID"] == f"<{delivery.uuid}@publicity-desk>"
    assert [part.get_content_type() for part in mails[0].iter_attachments()] == ["image/jpeg"]


def test_an_interrupted_email_waits_for_a_person(article, sign_off, smtp_server, db):
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )
    sign_off(article)
    delivery = only_delivery(article)
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", lease_until=timezone.now() - timedelta(seconds=1)
    )

    sweep()

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.NEEDS_REVIEW


def test_an_email_the_server_did_not_confirm_waits_for_a_person(article, sign_off, smtp_server, settings, db):
    director = UserFactory(email="director@office.example")
    RoleAssignment.objects.create(user=director, role=Role.OFFICE_DIRECTOR, unit=article.unit)
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )
    settings.EMAIL_TIMEOUT = 1
    smtp_server.stall["desk@daily.example"] = 3  # takes the message, confirms it after our timeout

    sign_off(article)

    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.NEEDS_REVIEW, delivery.last_error
    assert sweep() == 0
    assert Notification.objects.filter(recipient=director, kind=Notification.Kind.DELIVERY_FAILED).exists()
    desk = [m for m in smtp_server.messages if m["To"] == "desk@daily.example"]
    assert len(desk) == 1  # it did arrive; a blind retry would have sent a second copy


def test_an_email_desk_is_given_no_longer_than_any_outlet_request(
    article, sign_off, smtp_server, settings, db
):
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )
    settings.EMAIL_TIMEOUT = None  # Django's default: wait for ever
    settings.OUTLETS_HTTP_TIMEOUT = 1  # what the delivery's lease is made for
    smtp_server.stall["desk@daily.example"] = 3

    sign_off(article)

    assert only_delivery(article).state == Delivery.State.NEEDS_REVIEW


def test_a_person_who_checked_can_send_a_needs_review_email_again(
    article, sign_off, smtp_server, settings, people, django_capture_on_commit_callbacks, db
):
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )
    settings.EMAIL_TIMEOUT = 1
    smtp_server.stall["desk@daily.example"] = 3
    sign_off(article)
    assert only_delivery(article).state == Delivery.State.NEEDS_REVIEW
    smtp_server.stall.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.retry(only_delivery(article), by=people["director"])

    assert only_delivery(article).state == Delivery.State.DELIVERED


def test_an_email_server_that_cannot_be_reached_is_retried(article, sign_off, smtp_server, settings, db):
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )
    settings.EMAIL_PORT = free_port()  # nothing listens: the message cannot have gone out

    sign_off(article)

    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.RETRYING and not delivery.maybe_sent


def test_a_refused_desk_address_fails_with_a_reason_in_the_offices_language(
    article, sign_off, smtp_server, db
):
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )
    smtp_server.refuse.add("desk@daily.example")

    with translation.override("zh-hans"):  # a worker of an office whose LANGUAGE_CODE is zh-hans
        sign_off(article)

    delivery = only_delivery(article)
    assert delivery.state == Delivery.State.FAILED
    assert delivery.last_error.startswith("邮件服务器拒收 desk@daily.example：")
    assert "No such mailbox here" in delivery.last_error


def test_atom_feed_lists_delivered_items_with_stable_ids(client, article, sign_off, db):
    feed_outlet = Outlet.objects.create(name="Campus feed", kind=Outlet.Kind.ATOM, preselected=True)
    sign_off(article)
    delivery = only_delivery(article)

    feed = client.get(f"/outlets/feeds/{feed_outlet.feed_token}/")

    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert f"<id>urn:uuid:{delivery.uuid}</id>" in feed.content.decode()
    assert client.get("/outlets/feeds/not-the-token/").status_code == 404


def test_test_connection_reports_the_outlets_exact_error(webhook, receiver):
    receiver.answers.append((403, {}, 0))
    ok, message = actions.test_connection(webhook)
    assert not ok and "HTTP 403" in message
    ok, message = actions.test_connection(webhook)
    assert ok


def test_the_email_desk_gets_the_title_and_captions_as_text_not_markup(article, sign_off, smtp_server, db):
    from django.core.files.base import ContentFile

    from tests.submissions import corpus

    hostile = '<script>alert(1)</script> & "x"'
    article.title = hostile
    article.save()
    photo = PhotoFactory(
        article=article, caption=f"<img src=x onerror=alert(2)> {hostile}", credit="<b>Li</b>"
    )
    photo.display.save("d.jpg", ContentFile(corpus.jpeg()), save=True)
    Outlet.objects.create(
        name="City Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@daily.example", preselected=True
    )

    sign_off(article)

    [mail] = [m for m in smtp_server.wait_for(2, timeout=10) if m["To"] == "desk@daily.example"]
    html = mail.get_body(("html",)).get_content()
    assert "<script" not in html and "<img src=x" not in html and "<b>Li" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in html  # nothing lost
    assert mail["Subject"] == hostile  # a header is plain text


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


@pytest.mark.django_db(transaction=True)  # real transactions, as in a worker: no test savepoints
def test_one_webhook_delivery_takes_at_most_six_sql_statements_in_two_transactions(
    article, people, webhook, receiver
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from submissions.models import Revision

    revision = Revision.objects.create(
        article=article, number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    delivery = Delivery.objects.create(
        article=article, revision=revision, outlet=webhook, created_by=people["director"]
    )
    PhotoFactory(article=article, caption="Prize giving")

    with CaptureQueriesContext(connection) as queries:
        actions.run_delivery(delivery.pk)

    statements = [q["sql"] for q in queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert len(statements) <= 6, "\n".join(statements)
    if connection.vendor == "sqlite":  # PostgreSQL's BEGIN and COMMIT do not show as queries
        assert sum(q["sql"].startswith("BEGIN") for q in queries) == 2

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 1
    assert [a.outcome for a in delivery.attempts_log.all()] == ["delivered"]
    assert Event.objects.filter(article=article, kind=Event.Kind.DELIVERED).count() == 1
    assert list(receiver.messages) == [str(delivery.uuid)]


def test_the_payload_names_the_units_the_item_credits(article, people, webhook, receiver):
    from submissions.models import Revision
    from tests.factories import UnitFactory

    article.co_units.add(UnitFactory(name="Second school"))
    revision = Revision.objects.create(
        article=article, number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    delivery = Delivery.objects.create(
        article=article, revision=revision, outlet=webhook, created_by=people["director"]
    )

    actions.run_delivery(delivery.pk)

    assert receiver.messages[str(delivery.uuid)]["article"]["co_units"] == ["Second school"]


def test_the_payload_lists_the_photos_in_their_order_and_an_item_without_a_category(
    article, people, webhook, receiver
):
    from submissions.models import Revision

    article.category = None
    article.save()
    PhotoFactory(article=article, caption="Second", order=2, display="photos/2.jpg")
    PhotoFactory(article=article, caption="First", order=1, display="photos/1.jpg")
    PhotoFactory(article=article, caption="No display rendition yet", order=0)
    revision = Revision.objects.create(
        article=article, number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    delivery = Delivery.objects.create(
        article=article, revision=revision, outlet=webhook, created_by=people["director"]
    )

    actions.run_delivery(delivery.pk)

    [message] = receiver.messages.values()
    assert message["article"]["category"] is None
    assert [photo["caption"] for photo in message["photos"]] == ["First", "Second"]


@pytest.mark.django_db(transaction=True)  # the claim commits on its own, as in a worker
def test_only_a_delivered_outcome_commits_without_waiting_for_the_disk(article, people, webhook):
    """On PostgreSQL; lost to a database crash, a delivered outcome is recovered as a dead worker's send."""
    from django.db import connection, transaction

    from outlets import statements
    from submissions.models import Revision

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    revision = Revision.objects.create(
        article=article, number=1, title="t", body="b", content_hash="x", created_by=article.author
    )

    def commit_waits_for_disk(durable):
        delivery = Delivery.objects.create(
            article=article, revision=revision, outlet=webhook, created_by=people["director"]
        )
        delivery, _ = actions.claim(delivery.pk)
        with transaction.atomic(), connection.cursor() as cursor:
            fields = {"state": Delivery.State.DELIVERED, "lease_until": None}
            assert statements.settle(delivery, fields, now=timezone.now(), durable=durable)[0]
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0] != "off"

    assert commit_waits_for_disk(durable=True)
    assert not commit_waits_for_disk(durable=False)


def test_a_claim_waits_for_the_disk_unless_its_outlet_drops_repeats(article, people, webhook):
    """On PostgreSQL. A webhook receiver drops a message it has (webhook-id): a claim lost to a
    database crash only sends the same message again. An e-mail desk cannot tell: its claim must last."""
    from django.db import connection

    from submissions.models import Revision

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    revision = Revision.objects.create(
        article=article, number=1, title="t", body="b", content_hash="x", created_by=article.author
    )
    desk = Outlet.objects.create(name="Daily desk", kind=Outlet.Kind.EMAIL, endpoint="desk@example.com")

    def claim_waits_for_disk(outlet):
        delivery = Delivery.objects.create(
            article=article, revision=revision, outlet=outlet, created_by=people["director"]
        )
        # Inside the test's transaction: what the claim set for its commit is still in force here.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO DEFAULT")
            assert actions.claim(delivery.pk) is not None
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0] != "off"

    assert not claim_waits_for_disk(webhook)
    assert claim_waits_for_disk(desk)

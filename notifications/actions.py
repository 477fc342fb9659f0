"""Every change to notifications and e-mail preferences. Other apps call `notify`; views and the
e-mail task call the rest."""

import logging
import smtplib
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation

from .emails import build_email, language_of
from .models import EmailOptOut, Notification

logger = logging.getLogger(__name__)

EMAIL_BATCH = 10  # e-mails one task sends over one connection to the mail server


def notify(recipients, kind, *, article=None, actor=None, note="", link=""):
    """Tell each recipient (once, never the actor, never an inactive account) about `article`.

    `note` is text as it was written (a comment, a title), or a function that writes it: called once
    per recipient in their language, so that an office working in Chinese reads a note the system
    wrote in Chinese whoever caused it (an English-speaking admin, a worker).

    Returns the new notifications. Their e-mails are queued after the surrounding transaction
    commits (queue_emails), so a rolled-back decision sends nothing.
    """
    kind = Notification.Kind(kind)
    actor_id = actor.pk if actor is not None else None
    by_id = {user.pk: user for user in recipients if user.is_active and user.pk != actor_id}
    created = Notification.objects.bulk_create(
        Notification(
            recipient=user, kind=kind, article=article, actor=actor, note=_written_for(user, note), link=link
        )
        for user in by_id.values()
    )
    if created:
        transaction.on_commit(partial(queue_emails, [notification.pk for notification in created]))
    return created


def _written_for(user, note):
    if not callable(note):
        return note
    with translation.override(language_of(user)):
        return str(note())


def queue_emails(notification_ids):
    """Queue the notifications' e-mails, a task for every EMAIL_BATCH: a task sends its e-mails over
    one connection to the mail server (a bulletin to a hundred units, or the sweeper's backlog, is not
    a hundred log-ins, which mail services limit)."""
    from .tasks import send_notification_email

    for start in range(0, len(notification_ids), EMAIL_BATCH):
        batch = notification_ids[start : start + EMAIL_BATCH]
        try:
            send_notification_email.delay(*batch)
        except Exception:  # the broker is down: the notifications are stored and shown in the app anyway
            logger.warning("Could not queue the e-mails for notifications %s.", batch, exc_info=True)


def mark_read(notification, *, by):
    """The recipient has seen it. Repeating it keeps the first time."""
    if notification.recipient_id != by.pk:
        raise PermissionDenied
    now = timezone.now()
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
    return notification


def mark_all_read(*, by):
    """Everything `by` has not read yet is read now. Returns how many that was."""
    return Notification.objects.filter(recipient=by).unread().update(read_at=timezone.now())


@transaction.atomic
def set_email_opt_outs(user, kinds, *, by):
    """`kinds` are the notification kinds `user` does not want by e-mail; the others they get."""
    if by.pk != user.pk:
        raise PermissionDenied
    kinds = {Notification.Kind(kind) for kind in kinds}
    EmailOptOut.objects.filter(user=user).exclude(kind__in=kinds).delete()
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, kind=kind) for kind in kinds], ignore_conflicts=True
    )


def send_email(notification, connection=None):
    """E-mail the notification to its recipient unless they have no address, opted out of its
    kind, or it was e-mailed already. Returns whether it sent. `connection`: an open connection to
    the mail server, for several e-mails in turn (else one is opened for this one).

    It records the sending after the SMTP server accepted the message: a crash in between sends the
    e-mail twice rather than not at all.
    """
    recipient = notification.recipient
    if notification.emailed_at is not None or not recipient.email or not recipient.is_active:
        return False
    if EmailOptOut.objects.filter(user=recipient, kind=notification.kind).exists():
        return False
    try:
        message = build_email(notification)
        if connection is not None:
            connection.open()  # once: it stays open for the next e-mail
        message.connection = connection
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        if any(code < 500 for code, _message in refused.recipients.values()):
            raise  # greylisted or mailbox busy: the task tries again later
        logger.warning("The mail server refused %s for notification %s.", recipient.email, notification.pk)
        return False
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True

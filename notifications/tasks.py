import smtplib
from datetime import timedelta

from celery import shared_task
from django.core import mail
from django.utils import timezone

from . import actions
from .models import Notification


@shared_task(
    name="notifications.send_email",
    autoretry_for=(smtplib.SMTPException, OSError),
    max_retries=6,
    retry_backoff=30,
    retry_backoff_max=3600,
    time_limit=300,  # for EMAIL_BATCH e-mails
    soft_time_limit=240,
)
def send_notification_email(*notification_ids):
    """Send the notifications' e-mails in turn over one connection to the mail server, opened for
    the first that is to be sent. A recipient the server turns away for now (greylisting, a full
    mailbox) does not hold up the others: the first such refusal is raised once they are done, and
    the task tries again later (those sent are not sent twice: actions.send_email). A connection
    that fails stops the task, which tries again."""
    related = Notification.objects.select_related("recipient", "article", "actor")
    found = {n.pk: n for n in related.filter(pk__in=notification_ids)}  # an item deleted meanwhile: gone
    refused, connection = None, mail.get_connection(fail_silently=False)
    try:
        for notification_id in notification_ids:
            if (notification := found.get(notification_id)) is None:
                continue
            try:
                actions.send_email(notification, connection=connection)
            except smtplib.SMTPRecipientsRefused as error:
                refused = refused or error
    finally:
        connection.close()
    if refused is not None:
        raise refused


@shared_task(name="notifications.sweep_unsent_emails", time_limit=300, soft_time_limit=240)
def sweep_unsent_emails():
    """Beat: queue again the e-mails whose task was lost (broker down when the notification was made)."""
    now = timezone.now()
    stale = Notification.objects.filter(
        emailed_at__isnull=True,
        created_at__lt=now - timedelta(minutes=10),
        created_at__gt=now - timedelta(days=2),
    ).exclude(recipient__email="")
    actions.queue_emails(list(stale.values_list("pk", flat=True)[:500]))

import smtplib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import actions
from .models import Notification


@shared_task(
    name="notifications.send_email",
    autoretry_for=(smtplib.SMTPException, OSError),
    max_retries=6,
    retry_backoff=30,
    retry_backoff_max=3600,
    time_limit=90,
    soft_time_limit=60,
)
def send_notification_email(notification_id):
    related = Notification.objects.select_related("recipient", "article", "actor")
    notification = related.filter(pk=notification_id).first()
    if notification is not None:  # its item was deleted before the worker got to it
        actions.send_email(notification)


@shared_task(name="notifications.sweep_unsent_emails", time_limit=300, soft_time_limit=240)
def sweep_unsent_emails():
    """Beat: queue again the e-mails whose task was lost (broker down when the notification was made)."""
    now = timezone.now()
    stale = Notification.objects.filter(
        emailed_at__isnull=True,
        created_at__lt=now - timedelta(minutes=10),
        created_at__gt=now - timedelta(days=2),
    ).exclude(recipient__email="")
    for notification_id in stale.values_list("pk", flat=True)[:500]:
        send_notification_email.delay(notification_id)

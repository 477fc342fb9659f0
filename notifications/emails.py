"""The e-mail for one notification, written in its recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Notification

NOTE_LABELS = {Notification.Kind.ADOPTED: gettext_lazy("Where it was published:")}


def language_of(user):
    return user.language or settings.LANGUAGE_CODE


def build_email(notification):
    recipient = notification.recipient
    with translation.override(language_of(recipient)):
        sentence = notification.describe()
        context = {
            "recipient": recipient,
            "sentence": sentence,
            "note": notification.note,
            "note_label": NOTE_LABELS.get(notification.kind) or _("Comment:"),
            "quoted_note": "\n".join(f"> {line}" for line in notification.note.splitlines()),
            "item_url": _absolute(_item_path(notification)),
            "settings_url": _absolute(reverse("notifications:settings")),
        }
        body = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(
        # A title may hold a line break; a header may not.
        subject=" ".join(sentence.split()),
        body=body,
        to=[recipient.email],
        # RFC 3834: out-of-office replies should not answer a machine.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _item_path(notification):
    if notification.link:
        return notification.link
    if notification.article_id is None:
        return reverse("notifications:list")
    return reverse("submissions:detail", args=[notification.article_id])


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path

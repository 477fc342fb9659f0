"""E-mail desk: the item to the outlet's submission address, display photos attached.

An e-mail cannot be recalled or looked up: if a worker died while sending, the delivery waits for
a person ("needs review") instead of sending a second copy.
"""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from .base import Adapter, DeliveryError, Sent


class EmailAdapter(Adapter):
    can_find = False

    def message(self, delivery):
        revision, article = delivery.revision, delivery.article
        text = f"{revision.title}\n\n{strip_tags(revision.body)}\n\n— {article.unit} · {article.author}"
        message = EmailMultiAlternatives(
            subject=revision.title,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.outlet.endpoint],
            headers={
                "Message-ID": f"<{delivery.uuid}@publicity-desk>",
                "X-Publicity-Delivery": str(delivery.uuid),
            },
        )
        photos = [photo for photo in article.photos.all() if photo.display]
        context = {"revision": revision, "article": article, "photos": photos}
        message.attach_alternative(render_to_string("outlets/email_article.html", context), "text/html")
        for photo in photos:
            with photo.display.open("rb") as file:
                message.attach(f"photo-{photo.pk}.jpg", file.read(), "image/jpeg")
        return message

    def send(self, delivery, recorder):
        message = self.message(delivery)
        entry = {
            "method": "SMTP",
            "url": f"mailto:{self.outlet.endpoint}",
            "sent": {
                "subject": message.subject,
                "attachments": len(message.attachments),
                "message_id": message.extra_headers["Message-ID"],
            },
        }
        try:
            get_connection(fail_silently=False).send_messages([message])
        except smtplib.SMTPRecipientsRefused as exc:
            recorder.log(entry | {"error": str(exc)})
            raise DeliveryError(
                f"The mail server refused {self.outlet.endpoint}: {exc}", permanent=True
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            recorder.log(entry | {"error": str(exc)})
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from None
        recorder.log(entry | {"status": 250})
        return Sent(remote_id=message.extra_headers["Message-ID"])

    def test_connection(self, recorder):
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
            connection.close()
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from None
        return "The mail server accepts connections."

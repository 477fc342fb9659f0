"""E-mail desk: the item to the outlet's submission address, display photos attached.

An e-mail cannot be recalled or looked up: if a worker died while sending, or the server took the
message but its confirmation never came, the delivery waits for a person ("needs review") instead of
sending a second copy. A server that could not be reached or answered with a refusal is retried.
"""

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

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
        # Bounded like every outlet request, so the attempt's lease outlives it (EMAIL_TIMEOUT may be unset).
        timeout = min(settings.EMAIL_TIMEOUT or settings.OUTLETS_HTTP_TIMEOUT, settings.OUTLETS_HTTP_TIMEOUT)
        connection = get_connection(fail_silently=False, timeout=timeout)
        recorder.before_request()
        try:
            connection.open()
        except (smtplib.SMTPException, OSError) as exc:  # not connected: nothing went out
            recorder.log(entry | {"error": str(exc)})
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from None
        try:
            connection.send_messages([message])
        except smtplib.SMTPRecipientsRefused as exc:
            recorder.log(entry | {"error": str(exc)})
            refused = _("The mail server refused %(address)s: %(error)s") % {
                "address": self.outlet.endpoint,
                "error": exc,
            }
            raise DeliveryError(refused, permanent=True) from None
        except smtplib.SMTPResponseException as exc:  # the server answered: it did not take the message
            recorder.log(entry | {"error": str(exc)})
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from None
        except (smtplib.SMTPException, OSError) as exc:  # no answer after sending: it may have taken it
            recorder.log(entry | {"error": str(exc)})
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}", maybe_sent=True) from None
        finally:
            _close(connection)
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


def _close(connection):
    with contextlib.suppress(smtplib.SMTPException, OSError):  # a broken line cannot say goodbye
        connection.close()

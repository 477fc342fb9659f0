"""The office's language (settings.LANGUAGE_CODE; Chinese unless the office says otherwise).

Text the system writes once for everyone to read later (a timeline's note, a briefing's stored
heading) is written in it, not in the language of whoever happened to act; text written for one
person (a notification, an e-mail) is in theirs (notifications.actions.notify)."""

from django.conf import settings
from django.utils import translation


def office_language():
    """A context in which gettext and translated names give the office's language."""
    return translation.override(settings.LANGUAGE_CODE)

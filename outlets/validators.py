"""Checks on what outlets and the office give us, shared by forms, imports and actions."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ["http", "https"]


def validate_web_address(value):
    """An address we may show as a link: http(s) only (never javascript:, data:, ftp:…)."""
    message = _("Enter a web address starting with http:// or https://.")
    # Its own code, so that a form field's "invalid" message does not replace this one.
    URLValidator(schemes=WEB_SCHEMES, message=message, code="web_address")(value)


def is_web_address(value):
    try:
        validate_web_address(value)
    except ValidationError:
        return False
    return True

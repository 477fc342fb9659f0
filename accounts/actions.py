"""Changes to people's accounts: a temporary password from the office, and a password the person
chose themselves (after an e-mailed reset link or at the forced change). Each is logged in the
admin's history of the user (who, whom, when)."""

import secrets

from axes.utils import reset as clear_sign_in_failures
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import User
from .permissions import may_reset_password

# No 0/O, 1/l/I: a temporary password is read out or copied by hand.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12


@transaction.atomic
def reset_password(person, *, by):
    """Give `person` a new temporary password and return it (shown once, to `by` only).

    Their other sessions end (the password hash changed), a sign-in lockout is lifted, and the next
    sign-in sends them to the password change form until they choose their own."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_reset_password(by, person):
        raise PermissionDenied
    password = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_LENGTH))
    person.set_password(password)
    person.must_change_password = True
    person.save(update_fields=["password", "must_change_password"])
    clear_sign_in_failures(username=person.get_username())
    _log(person, by=by, message="Temporary password set; it must be changed at the next sign-in.")
    return password


@transaction.atomic
def set_own_password(password, *, by, how):
    """`by` chose their own new password (`how`: "changed" in the app, or "reset by e-mail"); it
    also lifts a sign-in lockout, so that a person locked out can get back in through the e-mail."""
    person = User.objects.select_for_update().get(pk=by.pk)
    person.set_password(password)
    person.must_change_password = False
    person.save(update_fields=["password", "must_change_password"])
    clear_sign_in_failures(username=person.get_username())
    _log(person, by=person, message=f"Password {how} by the user.")
    return person


def _log(person, *, by, message):
    # The admin's history of the user; the message is in English, as the admin's own entries are.
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=User.objects.filter(pk=person.pk),
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )

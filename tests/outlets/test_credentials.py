"""Outlet credentials: encrypted at rest, decrypted once per process and ciphertext."""

import base64

import pytest

from outlets import actions, credentials
from outlets.credentials import decrypt, encrypt
from outlets.models import Outlet

pytestmark = pytest.mark.django_db


def test_a_changed_secret_signs_the_very_next_message(webhook, receiver):
    assert actions.test_connection(webhook) == (True, "The receiver accepted a signed test message.")
    new = "whsec_" + base64.b64encode(b"a new secret, given by the admin").decode()
    receiver.secret = new
    Outlet.objects.filter(pk=webhook.pk).update(secret_encrypted=encrypt(new))

    ok, message = actions.test_connection(Outlet.objects.get(pk=webhook.pk))

    assert ok, message


def test_a_secret_is_decrypted_once_per_process(webhook, receiver, monkeypatch):
    decrypted = []
    fernet = credentials._fernet
    monkeypatch.setattr(credentials, "_fernet", lambda: decrypted.append(1) or fernet())
    outlet = Outlet.objects.get(pk=webhook.pk)

    for _ in range(3):
        assert actions.test_connection(outlet)[0]

    assert len(decrypted) <= 1  # none if an earlier test in this process decrypted it already


def test_other_keys_do_not_read_a_secret_decrypted_with_the_old_ones(settings):
    settings.OUTLET_CREDENTIAL_KEYS = [base64.urlsafe_b64encode(b"k" * 32).decode()]
    token = encrypt("the secret")
    assert decrypt(token) == "the secret"

    settings.OUTLET_CREDENTIAL_KEYS = [base64.urlsafe_b64encode(b"j" * 32).decode()]

    with pytest.raises(Exception, match="cannot be decrypted"):
        decrypt(token)

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_language_switch_remembers_a_signed_in_users_choice(client):
    user = UserFactory(language="")
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(pk=user.pk).language == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"


def test_the_language_switch_ignores_a_language_we_do_not_offer(client):
    user = UserFactory(language="en")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    assert User.objects.get(pk=user.pk).language == "en"


def test_the_language_switch_still_works_signed_out(client):
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"

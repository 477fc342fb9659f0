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


def test_a_note_the_system_writes_is_written_in_each_recipients_language():
    from django.utils import translation
    from django.utils.translation import gettext as _

    from notifications.actions import notify
    from notifications.models import Notification

    chinese, english = UserFactory(language="zh-hans"), UserFactory(language="en")

    with translation.override("en"):  # the person (or worker) who caused it works in English
        sent = notify([chinese, english], Notification.Kind.URGED, note=lambda: _("Review queue"))

    notes = {n.recipient_id: n.note for n in sent}
    assert notes == {chinese.pk: "待审核", english.pk: "Review queue"}
    assert Notification.objects.get(recipient=chinese).note == "待审核"


def test_a_unit_urged_by_an_english_speaking_director_reads_the_reminder_in_chinese(office):
    from datetime import date

    from django.utils import translation

    from accounts.models import Role
    from notifications.models import Notification
    from reports import actions
    from reports.models import Quota
    from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory

    unit_class = UnitClassFactory()
    Quota.objects.create(unit_class=unit_class, min_submitted=2)
    behind = UnitFactory(parent=office, unit_class=unit_class, name_en="North school", name_zh_hans="北校")
    officer = RoleAssignmentFactory(role=Role.LIAISON_OFFICER, unit=behind, user__language="zh-hans").user
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office, user__language="en").user

    with translation.override("en"):
        actions.urge(behind, by=director, today=date(2026, 3, 20))

    note = Notification.objects.get(recipient=officer, kind=Notification.Kind.URGED).note
    assert note.startswith("北校，2026年3月：已报送 0 条（最低 2 条）"), note

import pytest
from django.core.management import call_command

from accounts.models import Unit
from tests.factories import UnitFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per password; the tests check behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo office, units and people, as `make run` loads them; units by name."""
    call_command("seed_demo", verbosity=0)
    return {unit.name: unit for unit in Unit.objects.all()}


@pytest.fixture
def office(db):
    return UnitFactory(name="Test Office", unit_class=None)


@pytest.fixture
def school(office):
    return UnitFactory(name="Test School", parent=office)

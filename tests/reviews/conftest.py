import pytest

from accounts.models import Role
from reviews.models import ReviewChain, ReviewStage
from tests.factories import ArticleFactory, RoleAssignmentFactory, officer_of


@pytest.fixture
def chain(db):
    chain = ReviewChain.objects.create(name="Standard", is_default=True)
    for order, name, role, applies in [
        (1, "Leader in charge", Role.LEADER_IN_CHARGE, ReviewStage.Applies.ALWAYS),
        (2, "Office director", Role.OFFICE_DIRECTOR, ReviewStage.Applies.ALWAYS),
        (3, "Leadership group", Role.LEADERSHIP, ReviewStage.Applies.IMPORTANT),
    ]:
        ReviewStage.objects.create(chain=chain, order=order, name=name, reviewer_role=role, applies=applies)
    return chain


@pytest.fixture
def people(office, school):
    return {
        "officer": officer_of(school),
        "leader": RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=school).user,
        "director": RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user,
        "leadership": RoleAssignmentFactory(role=Role.LEADERSHIP, unit=office).user,
    }


@pytest.fixture
def article(chain, school, people):
    officer = people["officer"]
    return ArticleFactory(unit=school, author=officer, last_editor=officer)

import pytest
from django.utils import timezone

from accounts.models import Role
from briefings.models import BriefingColumn, BriefingSeries, BriefingStage
from outlets.models import Outlet
from submissions.models import Status
from tests.factories import ArticleFactory, RoleAssignmentFactory, UnitFactory, leader_of, officer_of


@pytest.fixture
def office_people(office, school):
    return {
        "editor": RoleAssignmentFactory(role=Role.LEADERSHIP, unit=office).user,
        "director": RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user,
        "officer": officer_of(school),
        "leader": leader_of(school),
    }


@pytest.fixture
def series(db):
    outlet = Outlet.objects.create(
        name="Office briefing", kind=Outlet.Kind.BRIEFING, level=Outlet.Level.COUNTY
    )
    series = BriefingSeries.objects.create(
        name="沙湾区教育信息",
        issuing_office="沙湾区教育局办公室",
        signer="王主任",
        total_before=136,
        outlet=outlet,
        report_to="区委办、区政府办",
        copy_to="市教育局",
        issue_to="各中小学",
    )
    for order, name in enumerate(["工作动态", "经验交流", "基层信息"], start=1):
        BriefingColumn.objects.create(series=series, name=name, order=order)
    BriefingStage.objects.create(
        series=series, order=1, name="Office director", reviewer_role=Role.OFFICE_DIRECTOR
    )
    return series


@pytest.fixture
def signed_off(school, office_people):
    def make(title="沙湾一中秋季运动会", **kwargs):
        officer = office_people["officer"]
        values = {"status": Status.APPROVED, "signed_off_at": timezone.now()} | kwargs
        return ArticleFactory(
            unit=school,
            author=officer,
            last_editor=officer,
            title=title,
            body="<p>沙湾一中第二十届秋季田径运动会圆满落幕。</p>",
            **values,
        )

    return make


@pytest.fixture
def other_school(office):
    return UnitFactory(name="Other School", parent=office)

import pytest
from django.core.management import call_command

from briefings.models import Briefing, BriefingSeries, Status
from outlets.models import Adoption

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_series_with_issued_numbers_counted_and_partly_signed():
    call_command("seed_demo", verbosity=0)
    series = BriefingSeries.objects.get(name="沙湾区教育信息")
    issues = list(Briefing.objects.filter(series=series).order_by("total_number"))
    assert [b.status for b in issues] == [Status.ISSUED] * 3
    assert [b.total_number for b in issues] == [137, 138, 139]
    assert Adoption.objects.filter(outlet=series.outlet).count() == 9
    receipts = issues[-1].receipts
    assert 0 < receipts.filter(signed_at__isnull=False).count() < receipts.count()

    call_command("seed_demo", verbosity=0)
    assert Briefing.objects.filter(series=series).count() == 3

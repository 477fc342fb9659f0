"""Year-end figures: numbers computed by hand for a small office, the summary sentence, and the pages."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook

from accounts.models import Role
from outlets.models import Adoption, Outlet
from reports import tallies
from reports.models import AnnualTarget, Quota, Score
from reports.yearend import MonthMet, OutletAdoptions, summary_sentence, year_end_figures
from submissions.models import Article, Category, Status
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    RoleAssignmentFactory,
    UnitClassFactory,
    UnitFactory,
    UserFactory,
    leader_of,
    officer_of,
)

pytestmark = pytest.mark.django_db

AFTER_THE_YEAR = date(2026, 1, 15)
HOSTILE = "<script>alert(1)</script> & Co"


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime(year, month, day, hour))


def item(unit, *, event=None, submitted=None, signed_off=None, status=Status.APPROVED, category="News"):
    return ArticleFactory(
        unit=unit,
        event_date=event,
        submitted_at=submitted,
        signed_off_at=signed_off,
        status=status,
        category=CategoryFactory(name=category),
    )


def adopt(article, outlet, day):
    return Adoption.objects.create(
        article=article, outlet=outlet, level=outlet.level, adopted_on=day, source=Adoption.Source.OFFICE
    )


@pytest.fixture
def outlets(db):
    return {
        "daily": Outlet.objects.create(
            name="Municipal Daily", kind=Outlet.Kind.EMAIL, level=Outlet.Level.CITY
        ),
        "portal": Outlet.objects.create(name="District portal", kind=Outlet.Kind.WEBHOOK),
        "campus": Outlet.objects.create(
            name="Campus network", kind=Outlet.Kind.ATOM, level=Outlet.Level.SCHOOL
        ),
    }


@pytest.fixture
def units(office):
    first, second = UnitClassFactory(name="Class 1"), UnitClassFactory(name="Class 2")
    Quota.objects.create(unit_class=first, min_submitted=1, min_adopted=1)
    Quota.objects.create(unit_class=first, month=9, min_submitted=0, min_adopted=0)  # September off
    Quota.objects.create(unit_class=second, min_submitted=1, min_adopted=0)
    return {
        "school": UnitFactory(name="Test School", parent=office, unit_class=first),
        "second": UnitFactory(name="Second School", parent=office, unit_class=second),
        "office": office,
    }


@pytest.fixture
def year_2025(units, outlets):
    """Test School's 2025, worked out by hand:

    item  event   submitted        signed off       status      adoptions (2025)
    A1    03-08   03-10 09:00 (2)  03-10 15:00 (6h) approved    Daily 03-12, Portal 03-13
    A2    03-01   03-05 10:00 (4)  03-07 10:00 (48h) approved   Daily 03-20
    A3    05-20   05-21 08:00 (1)  05-22 08:00 (24h) approved   Portal 06-01 (Campus in 2026)
    A4    07-01   07-11 09:00 (10) —                in review
    A5    07-30   08-01 09:00      —                withdrawn
    A6    12-28   2024-12-30 10:00 2025-01-02 10:00 (72h) approved, not adopted
    A7    09-01   09-02 09:00 (1)  09-02 21:00 (12h) approved   Daily 09-05
    """
    school, daily, portal = units["school"], outlets["daily"], outlets["portal"]
    a1 = item(school, event=date(2025, 3, 8), submitted=at(2025, 3, 10), signed_off=at(2025, 3, 10, 15))
    a2 = item(school, event=date(2025, 3, 1), submitted=at(2025, 3, 5, 10), signed_off=at(2025, 3, 7, 10))
    a3 = item(
        school,
        event=date(2025, 5, 20),
        submitted=at(2025, 5, 21, 8),
        signed_off=at(2025, 5, 22, 8),
        category="Culture",
    )
    item(
        school, event=date(2025, 7, 1), submitted=at(2025, 7, 11), status=Status.IN_REVIEW, category="Culture"
    )
    item(school, event=date(2025, 7, 30), submitted=at(2025, 8, 1), status=Status.WITHDRAWN)
    item(school, event=date(2024, 12, 28), submitted=at(2024, 12, 30, 10), signed_off=at(2025, 1, 2, 10))
    a7 = item(
        school,
        event=date(2025, 9, 1),
        submitted=at(2025, 9, 2),
        signed_off=at(2025, 9, 2, 21),
        category="Sports",
    )
    adopt(a1, daily, date(2025, 3, 12))
    adopt(a1, portal, date(2025, 3, 13))
    adopt(a2, daily, date(2025, 3, 20))
    adopt(a3, portal, date(2025, 6, 1))
    adopt(a3, outlets["campus"], date(2026, 1, 3))
    adopt(a7, daily, date(2025, 9, 5))
    for month, points in [(date(2025, 3, 1), "10"), (date(2025, 9, 1), "2.5"), (date(2024, 12, 1), "100")]:
        Score.objects.create(unit=school, month=month, kind=Score.Kind.ADOPTION, points=Decimal(points))
    return units


@pytest.fixture
def office_2025(year_2025, outlets):
    """Second School adds B1 (event 03-03, submitted 03-03 09:00 (0 days), signed off 3 hours later,
    adopted by the portal); the office's own item is not assessed and counts nowhere."""
    second, office = year_2025["second"], year_2025["office"]
    b1 = item(second, event=date(2025, 3, 3), submitted=at(2025, 3, 3), signed_off=at(2025, 3, 3, 12))
    adopt(b1, outlets["portal"], date(2025, 3, 4))
    own = item(office, event=date(2025, 4, 1), submitted=at(2025, 4, 1), signed_off=at(2025, 4, 2))
    adopt(own, outlets["daily"], date(2025, 4, 3))
    Score.objects.create(unit=second, month=date(2025, 3, 1), kind=Score.Kind.ADOPTION, points=Decimal(5))
    Score.objects.create(unit=office, month=date(2025, 4, 1), kind=Score.Kind.ADOPTION, points=Decimal(50))
    return year_2025


# --- Figures ----------------------------------------------------------------------------------------


def test_a_units_year_in_figures(year_2025):
    figures = year_end_figures(2025, year_2025["school"], today=AFTER_THE_YEAR)

    assert (figures.reported, figures.signed_off, figures.adopted) == (5, 5, 4)
    assert figures.rate == pytest.approx(0.8)  # A1, A2, A3, A7 of the five signed off
    assert figures.points == Decimal("12.50")
    assert figures.median_days_to_submit == 2  # 1, 1, 2, 4, 10
    assert figures.median_hours_to_sign_off == 24  # 6, 12, 24, 48, 72
    assert figures.categories == [("Culture", 2), ("News", 2), ("Sports", 1)]


def test_outlets_are_listed_by_items_adopted_then_by_name(year_2025):
    figures = year_end_figures(2025, year_2025["school"], today=AFTER_THE_YEAR)

    assert figures.by_outlet == [
        OutletAdoptions("Municipal Daily", Outlet.Level.CITY, 3),
        OutletAdoptions("District portal", Outlet.Level.COUNTY, 2),
    ]
    assert figures.by_outlet[0].level_label == "City"


def test_outlets_and_categories_are_named_in_the_pages_language(year_2025, outlets):
    Outlet.objects.filter(pk=outlets["daily"].pk).update(name_zh_hans="市日报")
    Category.objects.filter(name_en="News").update(name_zh_hans="工作动态")

    with translation.override("zh-hans"):
        figures = year_end_figures(2025, year_2025["school"], today=AFTER_THE_YEAR)

    assert figures.by_outlet[0].outlet == "市日报"
    assert figures.by_outlet[1].outlet == "District portal"  # no Chinese name: the English one
    assert ("工作动态", 2) in figures.categories


def test_months_met_count_finished_months_with_a_minimum(year_2025):
    figures = year_end_figures(2025, year_2025["school"], today=AFTER_THE_YEAR)

    # March: 2 submitted, 2 adopted. May and July: submitted, nothing adopted; June: adopted, nothing
    # submitted. September has no minimum.
    assert (figures.months_met, figures.months_assessed) == (1, 11)
    assert MonthMet(date(2025, 3, 1), 1, 1) in figures.months
    assert date(2025, 9, 1) not in [m.month for m in figures.months]


def test_months_not_over_yet_are_not_assessed(year_2025):
    figures = year_end_figures(2025, year_2025["school"], today=date(2025, 7, 15))

    assert (figures.months_met, figures.months_assessed) == (1, 6)


def test_the_office_counts_every_assessed_unit_and_only_those(office_2025):
    figures = year_end_figures(2025, today=AFTER_THE_YEAR)

    assert figures.is_office and figures.units == 2
    assert (figures.reported, figures.signed_off, figures.adopted) == (6, 6, 5)
    assert figures.points == Decimal("17.50")
    assert figures.median_days_to_submit == 1.5  # 0, 1, 1, 2, 4, 10
    assert figures.median_hours_to_sign_off == 18  # 3, 6, 12, 24, 48, 72
    assert figures.by_outlet == [
        OutletAdoptions("District portal", Outlet.Level.COUNTY, 3),
        OutletAdoptions("Municipal Daily", Outlet.Level.CITY, 3),
    ]


def test_the_office_counts_unit_months_met(office_2025):
    figures = year_end_figures(2025, today=AFTER_THE_YEAR)

    # Test School: March of 11 months; Second School (no adoption minimum): March of 12.
    assert (figures.months_met, figures.months_assessed) == (2, 23)
    assert MonthMet(date(2025, 3, 1), 2, 2) in figures.months
    assert MonthMet(date(2025, 9, 1), 0, 1) in figures.months


def test_the_annual_target_shows_how_far_it_is_met(year_2025):
    AnnualTarget.objects.create(unit=year_2025["school"], year=2025, submitted=10, adopted=4)
    figures = year_end_figures(2025, year_2025["school"], today=AFTER_THE_YEAR)

    from reports.yearend import target_lines

    assert [(line.label, line.text) for line in target_lines(figures)] == [
        ("Annual target: items submitted", "5 of 10 (50.0%)"),
        ("Annual target: items adopted", "4 of 4 (100.0%)"),
    ]  # no points goal: not shown


def test_medians_are_kept_and_counted_again_by_the_sweeper_once_items_move(year_2025, outlets):
    from reports.models import YearMedians
    from reports.tasks import score_pending

    school = year_2025["school"]
    assert year_end_figures(2025, school, today=AFTER_THE_YEAR).median_days_to_submit == 2  # counted, kept
    assert year_end_figures(2025, today=AFTER_THE_YEAR).median_days_to_submit == 2
    assert not YearMedians.objects.filter(stale=True).exists()

    # A late item of the school: 30 days from the event, signed off 240 hours after submission.
    item(school, event=date(2025, 11, 1), submitted=at(2025, 12, 1), signed_off=at(2025, 12, 11))
    tallies.recount_due()  # as the change's commit does

    assert YearMedians.objects.filter(stale=True).count() == 2  # the school's year and the office's
    assert year_end_figures(2025, school, today=AFTER_THE_YEAR).median_days_to_submit == 2  # until swept
    score_pending()  # the beat's sweeper
    figures = year_end_figures(2025, school, today=AFTER_THE_YEAR)
    assert (figures.median_days_to_submit, figures.median_hours_to_sign_off) == (3, 36)  # 1,1,2,4,10,30
    assert not YearMedians.objects.filter(stale=True).exists()


def test_a_year_without_items_has_no_medians(units):
    figures = year_end_figures(2025, units["school"], today=AFTER_THE_YEAR)

    assert figures.median_days_to_submit is None and figures.median_hours_to_sign_off is None
    assert figures.rate is None and figures.by_outlet == []


def _add_items(units, outlets, count):
    for n in range(count):
        unit = units["school"] if n % 2 else units["second"]
        article = item(
            unit,
            event=date(2025, 1 + n % 12, 1),
            submitted=at(2025, 1 + n % 12, 2),
            signed_off=at(2025, 1 + n % 12, 3),
            category=f"Category {n % 7}",
        )
        adopt(article, outlets["daily" if n % 3 else "portal"], date(2025, 1 + n % 12, 5))


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("whole_office", [False, True])
def test_a_fixed_number_of_queries(units, outlets, django_assert_num_queries, count, whole_office):
    _add_items(units, outlets, count)
    for n in range(count):
        extra = UnitFactory(name=f"Extra {n}", parent=units["office"], unit_class=units["school"].unit_class)
        Article.objects.order_by("pk")[n].co_units.add(extra, units["school"])
    unit = None if whole_office else units["school"]
    tallies.recount_due()  # as each change's commit does
    year_end_figures(2025, unit, today=AFTER_THE_YEAR)  # the first view counts the medians and keeps them

    with django_assert_num_queries(9):
        year_end_figures(2025, unit, today=AFTER_THE_YEAR)


# --- The sentence -------------------------------------------------------------------------------------


def test_the_summary_sentence(year_2025):
    figures = year_end_figures(2025, year_2025["school"], today=AFTER_THE_YEAR)

    assert (
        summary_sentence(figures) == "5 items reported, 3 adopted by Municipal Daily, 2 by District portal."
    )


def test_the_summary_sentence_with_one_item_and_no_adoption(units):
    item(units["school"], submitted=at(2025, 4, 1), signed_off=None, status=Status.IN_REVIEW)
    figures = year_end_figures(2025, units["school"], today=AFTER_THE_YEAR)

    assert summary_sentence(figures) == "1 item reported, none adopted."


# --- Pages ----------------------------------------------------------------------------------------------


def director(units):
    return RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=units["office"]).user


def page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("reports:year_end"), query)


def test_the_office_sees_the_whole_office_by_default(client, office_2025):
    response = page(client, director(office_2025), year=2025)

    assert response.status_code == 200
    assert response.context["figures"].is_office
    html = response.content.decode()
    assert "6 items reported, 3 adopted by District portal, 3 by Municipal Daily." in html
    assert '<option value="" selected>Whole office</option>' in html


def test_the_office_may_pick_any_assessed_unit(client, office_2025):
    user = director(office_2025)
    second = office_2025["second"]

    response = page(client, user, year=2025, unit=second.pk)

    assert response.context["figures"].unit == second
    assert page(client, user, year=2025, unit=office_2025["office"].pk).status_code == 404  # not assessed


def test_the_unit_choices_follow_renamed_units_and_the_choice(client, office_2025):
    """The unit choices are kept in the cache under a key made of what they show."""
    user, second = director(office_2025), office_2025["second"]
    before = page(client, user, year=2025).content.decode()
    assert f'<option value="{second.pk}">{second}</option>' in before

    second.name = "Renamed School"
    second.save()
    after = page(client, user, year=2025).content.decode()
    chosen = page(client, user, year=2025, unit=second.pk).content.decode()

    assert f'<option value="{second.pk}">Renamed School</option>' in after
    assert f'<option value="{second.pk}" selected>Renamed School</option>' in chosen


def test_a_units_people_see_their_own_unit_only(client, year_2025):
    school, second = year_2025["school"], year_2025["second"]
    for user in (officer_of(school), leader_of(school)):
        response = page(client, user, year=2025)
        assert response.context["figures"].unit == school
        assert "Whole office" not in response.content.decode()
        assert page(client, user, year=2025, unit=second.pk).status_code == 404
        assert client.get(reverse("reports:year_end_docx"), {"unit": second.pk}).status_code == 404
        assert client.get(reverse("reports:year_end_xlsx"), {"unit": second.pk}).status_code == 404


def test_someone_without_a_unit_gets_404(client, units):
    assert page(client, UserFactory()).status_code == 404


@pytest.mark.parametrize("name", ["reports:year_end", "reports:year_end_docx", "reports:year_end_xlsx"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_bad_year_means_this_year(client, units):
    response = page(client, director(units), year="nonsense")

    assert response.context["scope"].year == timezone.localdate().year


def test_the_word_document_download(client, year_2025):
    school = year_2025["school"]
    client.force_login(officer_of(school))

    response = client.get(reverse("reports:year_end_docx"), {"year": 2025})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert response["Content-Disposition"] == 'attachment; filename="Year-end figures 2025 Test School.docx"'
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert any("5 items reported" in p.text for p in document.paragraphs)


def test_the_excel_download(client, year_2025):
    client.force_login(officer_of(year_2025["school"]))

    response = client.get(reverse("reports:year_end_xlsx"), {"year": 2025})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {(row[1], row[2]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ("Items reported", 5) in rows
    assert ("Municipal Daily (City)", 3) in rows
    assert ("Adoption rate", 0.8) in rows


def test_a_hostile_unit_name_is_shown_as_text(client, year_2025):
    school = year_2025["school"]
    school.name = HOSTILE
    school.save()

    html = page(client, director(year_2025), year=2025, unit=school.pk).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_a_hostile_unit_name_makes_a_safe_file_name(client, year_2025):
    school = year_2025["school"]
    school.name = 'A/B "C" <D>'
    school.save()
    client.force_login(officer_of(school))

    response = client.get(reverse("reports:year_end_docx"), {"year": 2025})

    assert response["Content-Disposition"] == 'attachment; filename="Year-end figures 2025 A B C D.docx"'

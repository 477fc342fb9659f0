"""The office's pages: what they show, who may see them, and a fixed number of queries."""

from datetime import timedelta

import httpx
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from notifications.models import Notification
from outlets.models import Adoption
from reports.models import (
    AnnualTarget,
    Bulletin,
    BulletinReceipt,
    BulletinRegeneration,
    Quota,
    Reminder,
    ScoreRule,
)
from reports.periods import Period
from submissions.models import Article
from tests.factories import RoleAssignmentFactory, UnitClassFactory, UnitFactory, officer_of
from tests.pdfs import pdf_fonts, pdf_text

from .conftest import adopt, signed_off_item


@pytest.fixture
def office_setup(office, outlets):
    class_1 = UnitClassFactory(name="Class 1")
    Quota.objects.create(unit_class=class_1, min_submitted=2, min_adopted=1)
    ScoreRule.objects.create(level="city", main_points=4, co_points=2)
    ScoreRule.objects.create(level="county", main_points=2, co_points=1)
    units = [UnitFactory(name=f"School {n}", parent=office, unit_class=class_1, order=n) for n in range(3)]
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    return {"units": units, "director": director, "officers": [officer_of(u) for u in units]}


def _fill(units, outlets, today):
    for n, unit in enumerate(units):
        item = signed_off_item(unit, submitted=today)
        if n % 2 == 0:
            adopt(item, outlets["city"], today)


def test_the_dashboard_shows_each_unit_with_its_figures(client, office_setup, outlets):
    today = timezone.localdate()
    _fill(office_setup["units"], outlets, today)
    from reports import scoring

    scoring.score_pending()
    client.force_login(office_setup["director"])
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="unit-row"') == 3
    assert 'data-testid="total-adopted">2<' in html
    assert 'data-testid="total-points">8<' in html
    assert "1 submitted (minimum 2), 1 adopted (minimum 1)" in html  # School 0; never "1/2 submitted"
    assert "<svg" in html and "style=" not in html.split("<main")[1].split("</main>")[0].replace(
        "stylesheet", ""
    )


def test_the_year_on_the_dashboard_says_each_count_against_its_target_in_words(client, office_setup, outlets):
    today = timezone.localdate()
    _fill(office_setup["units"], outlets, today)
    AnnualTarget.objects.create(unit=office_setup["units"][0], year=today.year, submitted=12, adopted=6)
    client.force_login(office_setup["director"])

    html = client.get(reverse("reports:dashboard"), {"period": str(today.year)}).content.decode()

    assert "This year: 1 submitted (target 12), 1 adopted (target 6)" in html


def _figure(html, name):
    return html.split(f'data-testid="chart-{name}"')[1].split("</figure>")[0]


def test_the_dashboard_charts_have_a_caption_a_summary_and_a_table_in_the_pages_language(
    client, office_setup, outlets
):
    today = timezone.localdate()
    _fill(office_setup["units"], outlets, today)
    client.force_login(office_setup["director"])

    english = client.get(reverse("reports:dashboard")).content.decode()
    chinese = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    submitted = _figure(english, "submitted")
    assert "<figcaption" in submitted and "Items submitted per month" in submitted
    assert '<desc id="' in submitted and "Total: 3." in submitted
    assert ">Jan</text>" in submitted and '<th scope="row">Jan</th>' in submitted  # axis and table
    rate = _figure(english, "rate")
    assert '<th scope="row">School 0</th><td class="text-end">100.0%</td>' in rate
    submitted = _figure(chinese, "submitted")
    assert "每月报送数" in submitted and "合计：3。" in submitted
    assert ">一月</text>" in submitted and '<th scope="row">一月</th>' in submitted
    assert "以表格查看数据" in submitted
    assert all(f'data-testid="chart-{name}"' in chinese for name in ("adopted", "points", "rate"))


def _row(html, unit):
    return html.split(f'data-unit="{unit.pk}"')[1].split("</tr>")[0]


def test_the_dashboard_shows_figures_names_and_reminders_changed_since_its_rows_and_charts_were_drawn(
    client, office_setup, outlets
):
    """The unit rows and the charts are kept in the cache under a key made of what they show: a page
    drawn again after a change shows the change, never the rows or charts drawn before it."""
    today = timezone.localdate()
    school = office_setup["units"][1]
    _fill(office_setup["units"], outlets, today)
    client.force_login(office_setup["director"])
    before = client.get(reverse("reports:dashboard")).content.decode()
    assert '<td class="text-end" data-testid="submitted">1</td>' in _row(before, school)
    assert "Total: 3." in _figure(before, "submitted")

    signed_off_item(school, submitted=today)  # counted again when the page reads the figures
    school.name = "Renamed School"
    school.save()
    client.post(reverse("reports:urge", args=[school.pk]))
    after = client.get(reverse("reports:dashboard")).content.decode()

    row = _row(after, school)
    assert '<td class="text-end" data-testid="submitted">2</td>' in row
    assert "Renamed School" in row and "urged" in row and "urged" not in _row(before, school)
    assert "Total: 4." in _figure(after, "submitted")
    assert '<th scope="row">Renamed School</th>' in _figure(after, "rate")
    chinese = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已催报" in _row(chinese, school) and "合计：4。" in _figure(chinese, "submitted")


def test_the_rankings_show_figures_changed_since_their_rows_were_drawn(client, office_setup, outlets):
    today = timezone.localdate()
    a, b, _c = office_setup["units"]
    signed_off_item(a, submitted=today)
    client.force_login(office_setup["director"])
    query = {"of": "units", "measure": "adopted"}
    before = client.get(reverse("reports:rankings"), query).content.decode()
    assert before.index("School 0") < before.index("School 1")

    adopt(signed_off_item(b, submitted=today), outlets["city"], today)
    after = client.get(reverse("reports:rankings"), query).content.decode()

    assert after.index("School 1") < after.index("School 0")


@pytest.mark.parametrize("count", [1, 25])
def test_the_dashboard_and_rankings_use_a_fixed_number_of_queries(
    client, office, outlets, django_assert_num_queries, count
):
    class_1 = UnitClassFactory(name="Class 1")
    units = [UnitFactory(parent=office, unit_class=class_1) for _ in range(count)]
    _fill(units, outlets, timezone.localdate())
    for n, item in enumerate(Article.objects.order_by("pk")):  # each credits the next unit too
        item.co_units.add(units[(n + 1) % count])
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    client.force_login(director)
    client.get(reverse("reports:dashboard"))  # warm the session
    # session, user, roles and unit tree, unread badge; units, figures to recount (none), kept
    # figures, quotas for the month; kept figures for the year (recounted with the month's);
    # reminders; the months' sums and the top units' points for the charts; adoptions waiting to be
    # scored
    with django_assert_num_queries(13):
        assert client.get(reverse("reports:dashboard")).status_code == 200
    with django_assert_num_queries(8):
        assert client.get(reverse("reports:rankings"), {"of": "units"}).status_code == 200
    with django_assert_num_queries(8):
        assert client.get(reverse("reports:rankings"), {"of": "officers"}).status_code == 200


def test_rankings_order_units_and_share_a_rank_on_a_full_tie(client, office_setup, outlets):
    today = timezone.localdate()
    a, b, c = office_setup["units"]
    adopt(signed_off_item(c, submitted=today), outlets["city"], today)
    signed_off_item(a, submitted=today)
    signed_off_item(b, submitted=today)
    from reports import scoring

    scoring.score_pending()
    client.force_login(office_setup["director"])
    html = client.get(reverse("reports:rankings"), {"measure": "points"}).content.decode()
    names = [chunk.split("<")[0].strip() for chunk in html.split('data-testid="name">')[1:]]
    ranks = [chunk.split("<")[0] for chunk in html.split('data-testid="rank">')[1:]]
    assert names == ["School 2", "School 0", "School 1"]
    assert ranks == ["1", "2", "2"]


def test_officers_cannot_see_the_office_pages(client, office_setup):
    client.force_login(office_setup["officers"][0])
    for name in ("reports:dashboard", "reports:rankings", "reports:adoptions"):
        assert client.get(reverse(name)).status_code == 404
    other = office_setup["units"][1]
    assert client.get(reverse("reports:unit_points", args=[other.pk])).status_code == 404
    own = office_setup["units"][0]
    assert client.get(reverse("reports:unit_points", args=[own.pk])).status_code == 200
    assert client.get(reverse("reports:record_adoption")).status_code == 403
    assert client.post(reverse("reports:urge", args=[other.pk])).status_code == 403


def test_recording_an_adoption_changes_the_points_at_once(client, office_setup, outlets):
    item = signed_off_item(office_setup["units"][0], submitted=timezone.localdate())
    client.force_login(office_setup["director"])
    form = {
        "article": item.pk,
        "outlet": outlets["city"].pk,
        "adopted_on": timezone.localdate().isoformat(),
        "issue": "No. 1234, p. 3",
        "instruction_level": "",
    }
    response = client.post(reverse("reports:record_adoption"), form)
    assert response.status_code == 302
    again = client.post(reverse("reports:record_adoption"), form)  # a double click
    assert again.status_code == 302
    assert Adoption.objects.filter(article=item).count() == 1
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert 'data-testid="total-points">4<' in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"article": 999999}, "There is no item number 999999."),
        ({"adopted_on": "2999-01-01"}, "The publication date cannot be in the future."),
        ({"url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"url": "ftp://files.example/a"}, "Enter a web address starting with http:// or https://."),
        ({"instruction_leader": "Mayor Li"}, "Say the level of the leader who wrote the instruction."),
    ],
)
def test_a_bad_adoption_is_refused_with_a_message(client, office_setup, outlets, change, message):
    item = signed_off_item(office_setup["units"][0], submitted=timezone.localdate())
    client.force_login(office_setup["director"])
    form = {"article": item.pk, "outlet": outlets["city"].pk, "adopted_on": timezone.localdate().isoformat()}
    response = client.post(reverse("reports:record_adoption"), {**form, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Adoption.objects.exists()


def test_an_adoption_address_that_is_not_a_web_address_is_refused(client, office_setup, outlets):
    from outlets.actions import record_office_adoption
    from submissions.actions import ActionRefused

    item = signed_off_item(office_setup["units"][0], submitted=timezone.localdate())
    director = office_setup["director"]
    with pytest.raises(ActionRefused, match="http:// or https://"):
        record_office_adoption(
            item, outlets["city"], adopted_on=timezone.localdate(), by=director, url="javascript:alert(1)"
        )
    assert not Adoption.objects.exists()
    adopt(item, outlets["city"], timezone.localdate())
    client.force_login(director)
    assert "javascript:" not in client.get(reverse("reports:adoptions")).content.decode()


def test_an_item_not_signed_off_cannot_be_adopted(client, office_setup, outlets):
    item = signed_off_item(office_setup["units"][0], submitted=timezone.localdate(), status="in_review")
    client.force_login(office_setup["director"])
    form = {"article": item.pk, "outlet": outlets["city"].pk, "adopted_on": timezone.localdate().isoformat()}
    response = client.post(reverse("reports:record_adoption"), form)
    assert "Only signed-off items can be adopted." in response.content.decode()


def test_a_different_second_entry_for_the_same_outlet_is_refused(client, office_setup, outlets):
    item = signed_off_item(office_setup["units"][0], submitted=timezone.localdate())
    adopt(item, outlets["city"], timezone.localdate() - timedelta(days=1))
    client.force_login(office_setup["director"])
    form = {"article": item.pk, "outlet": outlets["city"].pk, "adopted_on": timezone.localdate().isoformat()}
    response = client.post(reverse("reports:record_adoption"), form)
    assert "was already recorded" in response.content.decode()


def test_urge_tells_the_unit_once_per_click(
    client, office_setup, mailoutbox, django_capture_on_commit_callbacks
):
    unit = office_setup["units"][1]
    client.force_login(office_setup["director"])
    url = reverse("reports:urge", args=[unit.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": "https://evil.example/"})
        client.post(url)  # a double click
    assert response.url == reverse("reports:dashboard")  # never off-site
    assert [m.to for m in mailoutbox] == [[office_setup["officers"][1].email]]
    assert "/reports/my-unit/" in mailoutbox[0].body
    assert Reminder.objects.filter(unit=unit).count() == 1
    told = Notification.objects.filter(kind=Notification.Kind.URGED)
    assert [n.recipient for n in told] == [office_setup["officers"][1]]
    assert "0 submitted (minimum 2), 0 adopted (minimum 1)" in told[0].note


def test_the_month_end_job_urges_units_below_their_minimum_once(office_setup, outlets):
    from reports import actions

    today = timezone.localdate()
    last_day = Period.containing("month", today).end - timedelta(days=1)
    for _n in range(2):
        signed_off_item(office_setup["units"][0], submitted=last_day.replace(day=1))
    first = last_day.replace(day=1)
    adopt(signed_off_item(office_setup["units"][0], submitted=first), outlets["city"], first)
    assert actions.remind_units_behind(today=last_day.replace(day=1), days_before_end=3) == []
    urged = actions.remind_units_behind(today=last_day, days_before_end=3)
    assert [u.name for u in urged] == ["School 1", "School 2"]
    assert actions.remind_units_behind(today=last_day, days_before_end=3) == []


def test_the_bulletin_is_generated_edited_published_and_read(client, office_setup, outlets):
    today = timezone.localdate()
    adopt(signed_off_item(office_setup["units"][0], submitted=today), outlets["city"], today)
    client.force_login(office_setup["director"])
    period = Period.containing("month", today)
    response = client.post(reverse("reports:generate_bulletin"), {"period": str(period)})
    bulletin = Bulletin.objects.get()
    assert response.url == reverse("reports:bulletin", args=[bulletin.pk])
    assert bulletin.figures["zero"] == ["School 1", "School 2"]
    edit = {"title": "November bulletin", "body": "<p>Well done.</p><script>x</script>", "version": 1}
    client.post(reverse("reports:bulletin", args=[bulletin.pk]), edit)
    stale = client.post(reverse("reports:bulletin", args=[bulletin.pk]), {**edit, "body": "<p>Other</p>"})
    assert "Someone else changed this bulletin" in stale.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.body == "<p>Well done.</p>"
    client.post(reverse("reports:publish_bulletin", args=[bulletin.pk]))
    client.post(reverse("reports:publish_bulletin", args=[bulletin.pk]))  # a double click
    bulletin.refresh_from_db()
    assert bulletin.is_published and bulletin.pdf and bulletin.docx
    officers = RoleAssignment.objects.filter(role=Role.LIAISON_OFFICER).values_list("user", flat=True)
    told = Notification.objects.filter(kind=Notification.Kind.BULLETIN).values_list("recipient", flat=True)
    assert sorted(told) == sorted(officers) and len(told) == 4  # three officers, and the item's author
    officer = office_setup["officers"][0]
    client.force_login(officer)
    assert client.get(reverse("reports:bulletin", args=[bulletin.pk])).status_code == 200
    pdf = client.get(reverse("reports:bulletin_file", args=[bulletin.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert list(BulletinReceipt.objects.values_list("unit__name", flat=True)) == ["School 0"]
    client.force_login(office_setup["director"])
    html = client.get(reverse("reports:bulletin", args=[bulletin.pk])).content.decode()
    assert "Read by 1 of 3 units" in html


def _published_with_broken_files(office_setup):
    bulletin = Bulletin.objects.create(
        period="month",
        year=2026,
        number=2,
        title="关于2026年2月信息宣传工作的通报",
        body="<p>沙湾区第一中学报送及时。</p>",
        created_by=office_setup["director"],
    )
    published_at = timezone.now() - timedelta(days=30)
    bulletin.state, bulletin.published_at = Bulletin.State.PUBLISHED, published_at
    bulletin.pdf.save("bulletin.pdf", ContentFile(b"%PDF drawn in boxes"), save=False)
    bulletin.docx.save("bulletin.docx", ContentFile(b"old"), save=False)
    bulletin.save()
    return bulletin


def test_the_director_makes_a_published_bulletins_files_again(
    client, office_setup, django_capture_on_commit_callbacks
):
    bulletin = _published_with_broken_files(office_setup)
    published_at, old_pdf = bulletin.published_at, bulletin.pdf.name
    client.force_login(office_setup["director"])

    url = reverse("reports:regenerate_bulletin", args=[bulletin.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True).content.decode()

    bulletin.refresh_from_db()
    pdf = bulletin.pdf.read()
    assert all(font.is_ours for font in pdf_fonts(pdf)) and "沙湾区第一中学报送及时" in pdf_text(pdf)
    assert bulletin.docx.read().startswith(b"PK")  # a Word file (a zip), no longer "old"
    assert bulletin.published_at == published_at  # the same bulletin, issued on the same day
    assert not bulletin.pdf.storage.exists(old_pdf)
    made = BulletinRegeneration.objects.get()
    assert (made.bulletin, made.by) == (bulletin, office_setup["director"])
    assert "PDF 和 Word 文件已重新生成" in page
    assert f'action="{url}"' in page and "重新生成了文件" in page  # the button, and the log line


def test_only_the_office_director_makes_a_bulletins_files_again(client, office_setup):
    bulletin = _published_with_broken_files(office_setup)
    client.force_login(office_setup["officers"][0])

    response = client.post(reverse("reports:regenerate_bulletin", args=[bulletin.pk]))

    assert response.status_code == 403
    assert not BulletinRegeneration.objects.exists()
    page = client.get(reverse("reports:bulletin", args=[bulletin.pk])).content.decode()
    assert reverse("reports:regenerate_bulletin", args=[bulletin.pk]) not in page


def test_a_draft_has_no_files_to_make_again(client, office_setup):
    draft = Bulletin.objects.create(
        period="month",
        year=2026,
        number=3,
        title="Draft",
        body="<p>x</p>",
        created_by=office_setup["director"],
    )
    client.force_login(office_setup["director"])

    page = client.post(reverse("reports:regenerate_bulletin", args=[draft.pk]), follow=True).content.decode()

    draft.refresh_from_db()
    assert not draft.pdf and not BulletinRegeneration.objects.exists()
    assert "Only a published bulletin has files to make again." in page


def test_a_draft_bulletin_is_for_the_office_only(client, office_setup):
    bulletin = Bulletin.objects.create(
        period="month",
        year=2026,
        number=1,
        title="Draft",
        body="<p>x</p>",
        created_by=office_setup["director"],
    )
    client.force_login(office_setup["officers"][0])
    assert client.get(reverse("reports:bulletin", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("reports:bulletin_file", args=[bulletin.pk, "pdf"])).status_code == 404


def test_an_officer_sees_the_unit_progress_and_own_points(client, office_setup, outlets):
    today = timezone.localdate()
    unit, officer = office_setup["units"][0], office_setup["officers"][0]
    adopt(signed_off_item(unit, submitted=today, author=officer), outlets["city"], today)
    from reports import scoring

    scoring.score_pending()
    client.force_login(officer)
    html = client.get(reverse("reports:my_unit")).content.decode()
    assert "1 submitted (minimum 2), 1 adopted (minimum 1)" in html
    assert "1 item I wrote was adopted; points earned: 4." in html
    html = client.get(reverse("reports:my_unit"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "本月：已报送 1 条（最低 2 条），已采用 1 条（最低 1 条）。" in html
    assert "我撰写的信息被采用 1 条，积分 4。" in html


def test_the_dashboard_says_while_points_are_being_recomputed(client, office_setup, outlets):
    today = timezone.localdate()
    _fill(office_setup["units"], outlets, today)  # two adoptions, not scored yet
    client.force_login(office_setup["director"])
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "Points are being recomputed: 2 adoptions still to score." in html
    from reports import scoring

    scoring.score_pending()
    assert 'data-testid="recomputing"' not in client.get(reverse("reports:dashboard")).content.decode()


def test_changing_a_rule_in_the_admin_recomputes_the_points(
    client, office_setup, outlets, admin_user, django_capture_on_commit_callbacks
):
    from reports import scoring
    from reports.models import Score

    today = timezone.localdate()
    _fill(office_setup["units"], outlets, today)
    scoring.score_pending()
    assert sum(line.points for line in Score.objects.all()) == 8
    rule = ScoreRule.objects.get(level="city")
    client.force_login(admin_user)
    change = {"level": "city", "outlet": "", "category": "", "main_points": "10", "co_points": "2"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:reports_scorerule_change", args=[rule.pk]), change, follow=True)
    assert "Points are being recomputed" in response.content.decode()
    # the task ran after the commit (eagerly in the tests)
    assert sum(line.points for line in Score.objects.all()) == 20


def test_a_hostile_sheet_is_refused_and_nothing_is_imported(client, office_setup):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(office_setup["director"])
    fake = SimpleUploadedFile("adoptions.xlsx", b"<html><script>alert(1)</script></html>", "text/html")
    response = client.post(reverse("reports:import_adoptions"), {"sheet": fake})
    html = response.content.decode()
    assert response.status_code == 200 and "not an Excel workbook" in html and "<script>alert" not in html
    assert not Adoption.objects.exists()
    big = SimpleUploadedFile("big.xlsx", b"0" * (3 * 1024 * 1024))
    html = client.post(reverse("reports:import_adoptions"), {"sheet": big}).content.decode()
    assert "at most 2048 KB can be imported" in html


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [
        list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]


def test_every_table_exports_to_excel(client, office_setup, outlets):
    from reports import actions, scoring

    today = timezone.localdate()
    _fill(office_setup["units"], outlets, today)
    scoring.score_pending()
    client.force_login(office_setup["director"])
    dashboard = _sheet(client.get(reverse("reports:dashboard"), {"format": "xlsx"}))
    assert dashboard[0][:2] == ["Unit", "Submitted"] and [r[0] for r in dashboard[1:]] == [
        "School 0",
        "School 1",
        "School 2",
    ]
    ranking = _sheet(client.get(reverse("reports:rankings"), {"format": "xlsx", "of": "officers"}))
    assert ranking[0][:2] == ["Rank", "Liaison officer"] and len(ranking) > 3
    adoptions = _sheet(client.get(reverse("reports:adoptions"), {"format": "xlsx"}))
    assert len(adoptions) == 3 and adoptions[1][4] == "City paper"
    unit = office_setup["units"][0]
    ledger = _sheet(client.get(reverse("reports:unit_points", args=[unit.pk]), {"format": "xlsx"}))
    assert ledger[1][1] == "Adoption, main unit" and ledger[1][-1] == 4
    bulletin = actions.generate_bulletin(Period.containing("month", today), by=office_setup["director"])
    table = _sheet(client.get(reverse("reports:bulletin_file", args=[bulletin.pk, "xlsx"])))
    assert [row[1] for row in table[1:]] == ["School 0", "School 2", "School 1"]  # ranked by points


def test_an_adoption_recorded_by_mistake_is_removed_with_a_reason(client, office_setup, outlets):
    from reports import scoring
    from reports.models import Score
    from submissions.models import Event

    today = timezone.localdate()
    item = signed_off_item(office_setup["units"][0], submitted=today)
    adoption = adopt(item, outlets["city"], today)
    scoring.score_pending()
    url = reverse("reports:remove_adoption", args=[adoption.pk])
    client.force_login(office_setup["officers"][0])
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(office_setup["director"])
    refused = client.post(url, {"reason": "  "}, follow=True)
    assert "Say why the adoption is removed." in refused.content.decode() and Adoption.objects.exists()
    client.post(url, {"reason": "Wrong outlet"})
    again = client.post(url, {"reason": "Wrong outlet"}, follow=True)  # a second click
    assert "already removed" in again.content.decode()
    assert not Adoption.objects.exists() and not Score.objects.exists()
    removed = Event.objects.get(article=item, kind=Event.Kind.ADOPTION_REMOVED)
    assert removed.note == "City paper: Wrong outlet" and removed.actor == office_setup["director"]


@pytest.mark.parametrize("count", [1, 25])
def test_the_other_lists_use_a_fixed_number_of_queries(
    client, office_setup, outlets, django_assert_num_queries, count
):
    from reports import scoring

    today = timezone.localdate()
    unit, director = office_setup["units"][0], office_setup["director"]
    for n in range(count):
        adopt(signed_off_item(unit, submitted=today), outlets["city"], today)
        Bulletin.objects.create(
            period="month", year=2000 + n, number=1, title="B", body="<p>x</p>", created_by=director
        )
    scoring.score_pending()
    client.force_login(director)
    client.get(reverse("reports:adoptions"))  # warm the session
    # session, user, roles and unit tree, unread badge, then the page's own queries
    with django_assert_num_queries(6):
        assert client.get(reverse("reports:adoptions")).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(reverse("reports:unit_points", args=[unit.pk])).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(reverse("reports:bulletins")).status_code == 200


def test_an_adoption_dated_before_2000_is_refused_in_the_form(client, office_setup, outlets):
    item = signed_off_item(office_setup["units"][0], submitted=timezone.localdate())
    client.force_login(office_setup["director"])
    form = {"article": item.pk, "outlet": outlets["city"].pk, "adopted_on": "1999-12-31"}
    response = client.post(reverse("reports:record_adoption"), form)
    assert response.status_code == 200
    assert "The publication date cannot be before the year 2000." in response.content.decode()
    assert not Adoption.objects.exists()


def test_the_bulletin_page_says_what_each_figure_counts(client, office_setup):
    bulletin = _published_with_broken_files(office_setup)
    bulletin.figures = {"label": "February 2026", "rows": []}
    bulletin.save()
    client.force_login(office_setup["director"])

    page = client.get(reverse("reports:bulletin", args=[bulletin.pk])).content.decode()

    assert "of the items signed off in February 2026, the share adopted by an outlet so far" in page


def test_the_bulletin_page_says_each_count_against_its_minimum_in_words(client, office_setup):
    bulletin = _published_with_broken_files(office_setup)
    bulletin.figures = {"label": "February 2026", "rows": [row_of("School 0", submitted=8, adopted=1)]}
    bulletin.save()
    client.force_login(office_setup["director"])

    page = client.get(reverse("reports:bulletin", args=[bulletin.pk])).content.decode()

    assert "8 submitted (minimum 2), 1 adopted (minimum 1)" in page


def row_of(unit, **figures):
    return {"rank": 1, "unit": unit, "signed_off": 1, "rate": "1", "points": "4.00", "min_submitted": 2,
            "min_adopted": 1, "progress": "met"} | figures  # fmt: skip


def test_a_published_bulletin_on_s3_is_private_and_served_to_its_readers(client, office_setup, s3_media):
    from reports import actions

    s3, bucket, endpoint = s3_media
    bulletin = Bulletin.objects.create(
        period="month",
        year=2026,
        number=3,
        title="March",
        body="<p>x</p>",
        created_by=office_setup["director"],
    )
    actions.publish_bulletin(bulletin, by=office_setup["director"])
    bulletin.refresh_from_db()

    stored = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert stored == {bulletin.pdf.name, bulletin.docx.name}
    client.force_login(office_setup["officers"][0])
    pdf = client.get(reverse("reports:bulletin_file", args=[bulletin.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert httpx.get(f"{endpoint}/{bucket}/{bulletin.pdf.name}").status_code == 403


def test_the_adoption_list_pages_by_cursor_each_adoption_once(client, office_setup, outlets):
    from tests.factories import ArticleFactory

    today, outlet = timezone.localdate(), outlets["city"]
    made = [
        Adoption.objects.create(
            article=item, outlet=outlet, level=outlet.level, adopted_on=today, source=Adoption.Source.OFFICE
        )
        for item in ArticleFactory.create_batch(27, unit=office_setup["units"][0])
    ]
    client.force_login(office_setup["director"])

    first = client.get(reverse("reports:adoptions"), {"outlet": outlet.pk})
    second = client.get(f"{reverse('reports:adoptions')}?{first.context['next_query']}")

    assert "cursor=" in first.context["next_query"]
    shown = [a.pk for a in [*first.context["adoptions"], *second.context["adoptions"]]]
    assert shown == sorted((a.pk for a in made), reverse=True)

"""Every page in Chinese, as each role sees it, has no English left in it.

The demo is loaded, then each role GETs every URL of the URLconf it may open (the admin's changelists,
add and change forms for the admin) with Accept-Language: zh-hans. The visible text and the words
people read in tooltips and labels are searched for Latin words that are not a name, a number or data.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from accounts.models import Unit, User
from outlets.models import Delivery
from reports import actions as report_actions
from reports.periods import Period
from reviews.models import Decision, ReviewStep
from submissions.models import Article

pytestmark = pytest.mark.django_db

ROLES = ["officer", "leader", "director", "admin"]
OUR_APPS = {"accounts", "submissions", "reviews", "outlets", "reports", "notifications", "axes"}
# URLs that are not pages: files, feeds, JSON, actions that only take a POST.
NOT_PAGES = {"logout", "set_language", "healthz", "autosave_new", "mark_all_read", "adoption_template"}

# Words that stay as they are in a Chinese page: product and format names, the demo's usernames.
ALLOWED = {
    "WordPress", "Atom", "Excel", "PDF", "Word", "HTML", "URL", "CSV", "XLSX", "DOCX", "JPEG", "PNG",
    "HEIC", "ID", "English", "Webhook", "webhook", "HMAC", "SHA", "SMTP", "REST", "API", "JSON", "UUID",
    "Retry-After", "Application", "Passwords", "Publicity", "Desk", "IP", "WebP", "LDAP", "whsec",
    "Ctrl", "Command", "Control", "Mac", "Shift", "Enter", "xlsx", "Axes",
    # Django's admin writes its boolean and search icons' alt text untranslated; django-axes its log's
    # title.
    "True", "False", "Search", "Access", "Log", "for", "HTTP", "Accept", "unknown",
}  # fmt: skip
USERNAMES = re.compile(r"^(officer|leader|director|leadership|admin)\d*$")
DATA = re.compile(
    "|".join(
        [
            r"\S*\*{3,}\S*",  # a masked secret or password hash
            r"https?://\S+",
            r"[\w.+-]+@[\w-]+(\.[\w-]+)+",  # an e-mail address
            r"\b[\w-]*\d[\w-]*\b",  # anything with a digit: ids, keys, dates, sizes
            r"/[\w./?=&%-]+",  # a path
            r"\b[\w-]+\.(jpg|jpeg|png|pdf|docx|xlsx|html)\b",  # a file name
        ]
    ),
    re.IGNORECASE,
)
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z](?:[ \t]+[A-Za-z][A-Za-z'\u2019-]*[A-Za-z])*")
PERMISSIONS = {"user_permissions", "user_permissions_old", "permissions", "permissions_old"}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


class Reader(HTMLParser):
    """What a person reads on the page: text outside scripts and styles, and tooltips and labels.
    Not data: what a text area holds, and Django's permission names (stored in English by migrate)."""

    SKIPPED = {"script", "style", "template", "textarea"}

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED or (tag == "select" and dict(attrs).get("name") in PERMISSIONS):
            self.skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and dict(attrs).get("type") in {"submit", "button"}:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIPPED or (tag == "select" and self.skipping):
            self.skipping = max(0, self.skipping - 1)

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def english_on(html):
    reader = Reader()
    reader.feed(html)
    found = []
    for part in reader.parts:
        if part.strip().startswith(("{", "[")):
            continue  # JSON: data (a bulletin's figures)
        for run in LATIN_RUN.findall(DATA.sub(" ", part)):
            words = [w for w in run.split() if w not in ALLOWED and not USERNAMES.match(w)]
            if words:
                found.append(run)
    return found


@pytest.fixture
def pages(demo, django_capture_on_commit_callbacks):
    """The URLs each role can open, with the demo's objects filled in."""
    director = User.objects.get(username="director")
    with django_capture_on_commit_callbacks(execute=True), translation.override("zh-hans"):
        bulletin = report_actions.generate_bulletin(Period("month", 2026, 1), by=director)
    article = Article.objects.filter(author__username="officer").order_by("-pk").first()
    pending = ReviewStep.objects.filter(decision=Decision.PENDING)
    samples = {
        "submissions": {"pk": article.pk},
        "reviews": {"pk": article.pk},
        "reviews:step": {"pk": pending.filter(article__unit=article.unit).first().pk},
        "reviews:edit": {"pk": pending.filter(article__unit=article.unit).first().pk},
        "outlets:delivery": {"pk": Delivery.objects.order_by("pk").first().pk},
        "outlets:article_deliveries": {"pk": Delivery.objects.order_by("pk").first().article_id},
        "reports": {"unit_id": Unit.objects.get(name_en="Shawan No. 1 Middle School").pk, "pk": bulletin.pk},
    }
    return list(_urls(get_resolver().url_patterns, samples))


def _urls(patterns, samples, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _urls(pattern.url_patterns, samples, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in NOT_PAGES:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            wanted = pattern.pattern.regex.groupindex
            values = samples.get(name) or samples.get(namespace) or {}
            if set(wanted) <= set(values):
                yield reverse(name, kwargs={key: values[key] for key in wanted})


def admin_urls():
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        info = model._meta.app_label, model._meta.model_name
        yield f"/admin/{info[0]}/{info[1]}/"
        yield f"/admin/{info[0]}/{info[1]}/add/"
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield f"/admin/{info[0]}/{info[1]}/{first.pk}/change/"


def test_no_english_is_left_on_chinese_pages(client, pages):
    seen, english = {}, {}
    for role in ROLES:  # one test, so the demo is loaded once
        client.force_login(User.objects.get(username=role))
        for url in [*pages, "/admin/", *admin_urls()] if role == "admin" else pages:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            seen[role] = seen.get(role, 0) + 1
            if found := english_on(response.content.decode()):
                english[role, url] = sorted(set(found))
    assert english == {}
    assert min(seen.values()) >= 10 and len(seen) == len(ROLES)

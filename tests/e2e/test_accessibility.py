"""axe-core on every key page, at desktop and phone size, in English and Chinese: no serious or
critical violation. axe-core comes from the npm registry into tests/e2e/node (see .ci/run); it is
injected into the test browser only and never served to users."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from reports import actions as report_actions
from reports.periods import Period
from submissions.models import Article

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "node/node_modules/axe-core/axe.min.js"
SIZES = {"desktop": {"viewport": {"width": 1366, "height": 768}}, "phone": PHONE}
LOCALES = {"en": "en-US", "zh": "zh-CN"}
ROLES = ["officer", "leader", "director", "leadership", "admin"]


def key_pages(live_server):
    """(role, path) for every key page; None for the sign-in page."""
    article = Article.objects.filter(author__username="officer").order_by("pk").first()
    director = User.objects.get(username="director")
    bulletin = report_actions.generate_bulletin(Period.containing("month", timezone.localdate()), by=director)
    return [
        (None, "/accounts/login/"),
        *[(role, "/") for role in ROLES],
        ("officer", "/submissions/new/"),
        ("officer", f"/submissions/{article.pk}/"),
        ("director", "/reviews/"),
        ("director", "queue-first"),
        ("director", "/outlets/deliveries/"),
        ("director", "/reports/"),
        ("director", "/reports/rankings/"),
        ("director", f"/reports/bulletins/{bulletin.pk}/"),
    ]


def settled(page):
    """The page as a person sees it once it has loaded: the body editor's toolbar drawn (a module draws
    it) and its icons' font in. Until the font is in, an icon is the word of its ligature ("undo"),
    which axe checks as text: with the font's request held back, the editor page shows exactly the
    violations one CI rehearsal of this session failed on (contrast of Undo/Redo, label mismatch)."""
    page.wait_for_load_state("load")
    if page.locator('link[href*="django_prose_editor"]').count():
        page.locator(".prose-menubar").first.wait_for(state="visible")
        fonts_in = "async (font) => { await document.fonts.load(font); await document.fonts.ready; }"
        page.evaluate(fonts_in, "24px 'Material Icons'")


def serious_violations(page):
    assert AXE.exists(), "axe-core is missing: `make test` installs it (npm ci --prefix tests/e2e/node)"
    settled(page)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"
    )
    return found


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_key_pages_have_no_serious_accessibility_violations(
    demo, live_server, browser, sign_in, size, language
):
    contexts = {}

    def page_for(role):
        if role not in contexts:
            # bypass_csp lets the test inject axe; the pages themselves allow no inline script.
            context = browser.new_context(locale=LOCALES[language], bypass_csp=True, **SIZES[size])
            context.set_default_timeout(10_000)
            page = context.new_page()
            if role:
                sign_in(page, role)
                expect(page).to_have_url(f"{live_server.url}/")
            contexts[role] = page
        return contexts[role]

    problems = []
    for role, path in key_pages(live_server):
        page = page_for(role)
        if path == "queue-first":
            page.goto(f"{live_server.url}/reviews/")
            page.get_by_test_id("queue-row").first.click()
            page.wait_for_load_state()
        else:
            page.goto(live_server.url + path)
        problems += [f"{role or 'anonymous'} {page.url}: {v}" for v in serious_violations(page)]
    for page in contexts.values():
        page.context.close()

    assert problems == [], "\n".join(problems)

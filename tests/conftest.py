import os
import threading
import time

import factory.random
import pytest
from _pytest.nodeid import NodeId
from django.conf import settings as django_settings

from accounts.models import Role, Unit
from reviews.models import ReviewChain, ReviewStage
from tests import demo_snapshot
from tests.factories import ArticleFactory, RoleAssignmentFactory, UnitFactory, officer_of

pytest_plugins = ["tests.smtp", "tests.peers.wordpress_fixture", "tests.s3"]

# `make test` runs the suite in two processes (pytest-xdist). Each has its own test database
# (pytest-django names it) and its own keys in a shared Redis cache; the tests that use the one
# WordPress, or the shared Redis as a broker, run in one process, one after another.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER:
    django_settings.CACHES["default"]["KEY_PREFIX"] = WORKER
SHARED_FIXTURES = {"wordpress", "wordpress_peer"}
SHARED_MODULES = {
    f"tests/{name}.py"
    for name in (
        "accounts/test_password_reset",
        "outlets/test_promises",
        "outlets/test_wordpress",
        "peers/test_wordpress_peer",
        "submissions/test_actions",
        "submissions/test_storage",
        "test_beat",
        "test_broker",
        "test_broker_timeouts",
        "test_celery_worker",
        "test_health",
        "test_scale_out",
        "test_settings",
    )
}
SHARED_GROUP = "shared-services"


def shared(item) -> bool:
    """Whether a test uses the one WordPress or the shared broker."""
    return bool(SHARED_FIXTURES & set(getattr(item, "fixturenames", ()))) or (
        item.nodeid.split("::")[0] in SHARED_MODULES
    )


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Put the tests that share a service in one pytest-xdist group, and make the group stick.

    pytest-xdist 3.8 marks a grouped test by writing `nodeid@group` to `item._nodeid`, which pytest 9 no
    longer reads (the id lives in `item._id`); left so, every test is scheduled on its own and the
    WordPress tests of two processes delete each other's posts."""
    grouping = config.pluginmanager.hasplugin("xdist")  # `-p no:xdist` knows no such mark
    for item in items:
        if grouping and shared(item):
            item.add_marker(pytest.mark.xdist_group(SHARED_GROUP))
    result = yield  # pytest-xdist's worker names the groups here
    if getattr(config.option, "loadgroup", False):
        for item in items:
            grouped = item.__dict__.get("_nodeid")
            if grouped and str(item.nodeid) != grouped:
                item._id = NodeId.parse(grouped)
    return result


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete():
    """Empty the tables after a test that commits with DELETE, not TRUNCATE, on PostgreSQL.

    TRUNCATE gives every table (and index) a new file and costs ~0.8 s for our 64 tables, after each of
    the ~150 tests that commit; DELETE of the few rows a test leaves costs ~20 ms. The tables are locked
    first in one statement, as TRUNCATE locks them (a lock taken table by table in turn: a request
    still holding one of them would deadlock it, so a live server's requests are finished first, see
    _live_server_finishes_before_the_flush). The foreign keys are deferred, so the order of
    the statements does not matter inside flush's transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        names = [self.quote_name(table) for table in tables]
        return [f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE;"] + [
            f"DELETE FROM {name};" for name in names
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


class _Requests:
    """The requests the live server is serving: counted from the call of the application until the
    server closes its response, which is when Django's request_finished gives back the database
    connection. (Not by connection: a client may keep one open, idle, between tests.)"""

    def __init__(self, httpd):
        self.open = 0
        self.changed = threading.Condition()
        app = httpd.get_app()

        def counted(environ, start_response):
            with self.changed:
                self.open += 1
            try:
                return _Closing(app(environ, start_response), self.done)
            except BaseException:
                self.done()
                raise

        httpd.set_app(counted)

    def done(self):
        with self.changed:
            self.open -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout: float, settle: float = 0.05) -> bool:
        """True once no request has been open for `settle` seconds (one the browser sent just before
        it closed may reach the application a moment later), False after `timeout`."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                left = deadline - time.monotonic()
                if not self.changed.wait_for(lambda: self.open == 0, max(left, 0)):
                    return False
                if not self.changed.wait(min(settle, max(left, 0))) and self.open == 0:
                    return True


class _Closing:
    def __init__(self, result, done):
        self.result, self.done = result, done

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.done()


def live_server_requests(live_server) -> _Requests:
    httpd = live_server.thread.httpd
    if not hasattr(httpd, "requests_in_flight"):
        httpd.requests_in_flight = _Requests(httpd)
    return httpd.requests_in_flight


@pytest.fixture(autouse=True)
def _live_server_finishes_before_the_flush(request):
    """After a test with the live server, wait for the requests it is still serving before the tables
    are emptied. A page keeps asking after the test's last check (an autosave, a thumbnail, a poll);
    such a request holding one table while the flush locks them all in turn deadlocks the two (one CI
    run lost to it). The browser is closed first (its fixture was set up after this one), so no new
    request comes."""
    if "live_server" not in request.fixturenames:
        yield
        return
    requests = live_server_requests(request.getfixturevalue("live_server"))
    yield
    assert requests.wait_until_idle(30), "the live server was still serving a request 30 s after the test"


@pytest.fixture(autouse=True)
def _same_fake_data_every_run(request):
    """Seed Faker and factory_boy by the test's name: the made-up names and dates a test gets (an
    event date somewhere in the last 60 days, say) are the same on every run, in any process and
    order, so a failure they cause can be repeated."""
    factory.random.reseed_random(f"{request.node.path.name}::{request.node.name}")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per password; the tests check behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo office, units and people, as `make run` loads them; units by name."""
    demo_snapshot.seed()
    return {unit.name: unit for unit in Unit.objects.all()}


@pytest.fixture
def office(db):
    return UnitFactory(name="Test Office", unit_class=None)


@pytest.fixture
def school(office):
    return UnitFactory(name="Test School", parent=office)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    # Tasks queued by actions run in-process after commit. The real worker and broker have their
    # own test (tests/test_celery_worker.py).
    from publicity.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _our_celery_app_stays_current():
    """A test that makes a Celery app of its own must not leave it current: shared tasks resolve through
    the current app, so every later test's queued tasks would go to its broker instead of running."""
    from celery import current_app

    from publicity.celery import app

    yield
    if current_app._get_current_object() is not app:
        app.set_current()
        pytest.fail("This test left another Celery app current; make it with set_as_current=False.")


@pytest.fixture(autouse=True)
def _default_language():
    # A request with Accept-Language: zh leaves Chinese active in this thread; start each test in English.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


# --- Review chain and the people of a small office (reviews, outlets) -------------------------


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

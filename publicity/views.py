import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role, Unit
from outlets.models import Adoption
from reports.figures import own_year, unit_figures
from reports.periods import Period
from reviews.models import ReviewStep
from reviews.permissions import has_queue, queue_filter
from submissions.models import Article
from submissions.permissions import credited_unit_ids

from .celery import app as celery_app
from .paging import first_rows

HOME_RECENT = 5


@login_required
def home(request):
    """Each role's landing page; a person with several roles sees a section for each."""
    units = list(
        Unit.objects.active().filter(
            role_assignments__user=request.user, role_assignments__role=Role.LIAISON_OFFICER
        )
    )
    context = {"month": timezone.localdate()}
    if units:
        this_month = Period.containing("month", context["month"])
        summary = Article.objects.month_summary([u.pk for u in units], *this_month.bounds())
        assessed = [unit for unit in units if unit.unit_class_id]
        standing = {row.subject.pk: row.figures for row in unit_figures(this_month, units=assessed)}
        context["officer_units"] = [(unit, summary.get(unit.pk, {}), standing.get(unit.pk)) for unit in units]
        context["my_year"] = own_year(request.user, context["month"], healed=True)  # by unit_figures
        # a scalar subquery, not EXISTS: PostgreSQL may answer an EXISTS by hashing every adoption
        # ever recorded (a whole-table scan for six rows); this one asks the index for each row
        found = Adoption.objects.filter(article=OuterRef("pk")).order_by().annotate(one=Value(True))
        adopted = Coalesce(Subquery(found.values("one")[:1]), False)
        recent = Article.objects.for_list().annotate(adopted=adopted).per_unit([u.pk for u in units])
        context["recent"] = first_rows(recent, HOME_RECENT)
    if credited := credited_unit_ids(request.user):
        context["credited"] = list(Article.objects.for_list().crediting(credited)[:HOME_RECENT])
    if has_queue(request.user):
        waiting = ReviewStep.objects.for_queue().filter(queue_filter(request.user)).overdue_first()
        context["waiting"] = list(waiting[: HOME_RECENT + 1])
    return render(request, "home.html", context)


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer; 503 naming the one that does not."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    down = sorted(name for name, status in checks.items() if status != "ok")
    body = {"status": "ok" if not down else "down", "checks": checks}
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_status():
    url = settings.CELERY_BROKER_URL
    if urlsplit(url).scheme == "filesystem":
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        return "ok" if os.access(folder, os.W_OK) else f"error: {folder} is not writable"
    timeout = settings.BROKER_TIMEOUT
    # The timeouts are passed here, not only taken from the app's options: a broker that accepts
    # connections and never answers must make this answer 503, not hang.
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        with celery_app.connection_for_write(url, connect_timeout=timeout, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception as exc:  # kombu and redis-py raise the transport's own errors
        return f"error: {exc.__class__.__name__}"
    return "ok"


def server_error(request):
    """handler500. An error that is the database not answering (restarting, a failover, too many
    connections) says so and asks for a reload — 503 with Retry-After — rather than a bare 500.
    Drawn without the database (templates/error.html)."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):  # not a bug: the connection
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())

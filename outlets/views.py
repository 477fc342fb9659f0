import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from publicity.drawn import shown_key
from publicity.paging import page_of
from submissions import permissions as item_permissions
from submissions.actions import ActionRefused
from submissions.models import Photo

from . import actions
from .adapters.webhook import verify
from .credentials import decrypt
from .forms import DeliveryFilterForm
from .models import Delivery, DeliveryAttempt, Outlet
from .permissions import may_manage_deliveries, may_see_feed_address, require_office
from .templatetags.deliveries import delivery_state

PHOTO_LINK_AGE = timedelta(days=14)


def photo(request, token):
    """A photo's display rendition behind an expiring signed address: what outlets fetch."""
    try:
        data = signing.loads(token, salt="outlets.photo", max_age=PHOTO_LINK_AGE)
        delivery = Delivery.objects.get(uuid=data["d"])
        found = Photo.objects.get(pk=data["p"], article_id=delivery.article_id)
    except (signing.BadSignature, Delivery.DoesNotExist, Photo.DoesNotExist, KeyError, TypeError):
        raise Http404 from None
    if not found.display:
        raise Http404
    return FileResponse(found.display.open("rb"), content_type="image/jpeg")


@csrf_exempt
@require_POST
def webhook_callback(request, outlet_id):
    """A webhook outlet reports "published at URL", signed like our messages (Standard Webhooks)."""
    outlet = get_object_or_404(Outlet, pk=outlet_id, kind=Outlet.Kind.WEBHOOK)
    if not outlet.secret_encrypted:  # unsigned callbacks would let anyone award points
        return JsonResponse({"error": "this outlet has no signing secret"}, status=401)
    if not verify(decrypt(outlet.secret_encrypted), request.headers, request.body):
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        data = json.loads(request.body)
        delivery = Delivery.objects.get(uuid=data["delivery"], outlet=outlet)
    except (ValueError, KeyError, TypeError, Delivery.DoesNotExist):
        return JsonResponse({"error": "unknown delivery"}, status=404)
    if data.get("type") == "published":
        try:
            actions.record_adoption(delivery, url=str(data.get("url", ""))[:500])
        except ActionRefused as refused:
            return JsonResponse({"error": refused.message}, status=400)
    elif data.get("type") == "declined":
        actions.record_decline(delivery)
    else:
        return JsonResponse({"error": "unknown type"}, status=400)
    return JsonResponse({"ok": True})


@login_required
def article_deliveries(request, pk):
    """The item's deliveries, refreshed in place while any is on its way (htmx)."""
    article = item_permissions.access_article(request.user, pk)
    deliveries = list(article.deliveries.select_related("outlet").order_by("outlet__name", "-created_at"))
    moving = any(
        d.state in (Delivery.State.QUEUED, Delivery.State.SENDING, Delivery.State.RETRYING)
        and not d.waits_for_outlet
        for d in deliveries
    )
    return render(
        request,
        "outlets/includes/article_deliveries.html",
        {
            "article": article,
            "deliveries": deliveries,
            "moving": moving,
            "may_manage": may_manage_deliveries(request.user),
            "may_see_feed": may_see_feed_address(request.user),
        },
    )


@login_required
def delivery_list(request):
    require_office(request.user)
    form = DeliveryFilterForm(request.GET or None)
    deliveries = Delivery.objects.select_related("outlet", "article", "article__unit", "revision")
    # a row shows the revision's title: neither body (nor the photos) is read
    deliveries = deliveries.defer("article__body", "revision__body", "revision__photos")
    if form.is_valid():
        deliveries = form.apply(deliveries)
    context = {"form": form, **page_of(request, deliveries, name="deliveries"), "outlets": _health()}
    context["rows_key"] = _rows_key(context["deliveries"])
    return render(request, "outlets/delivery_list.html", context)


def _rows_key(deliveries):
    """What the list's rows show, as a key to draw them once by (publicity.drawn)."""
    shown = [
        (
            d.pk,
            d.article_id,
            delivery_state(d),
            d.revision.title,
            str(d.outlet),
            str(d.article.unit),
            d.created_at,
            d.attempts,
        )
        for d in deliveries
    ]
    return shown_key([timezone.get_current_timezone_name(), shown])


def _health():
    """Each outlet with its last success, failures in the last 24 hours and deliveries waiting. Each
    figure is a subquery that walks an index for one outlet: aggregating over every delivery and every
    attempt ever made, joined, is what made this page slow at a million deliveries."""
    day_ago = timezone.now() - timedelta(hours=24)
    mine = Delivery.objects.filter(outlet=OuterRef("pk"))
    delivered = mine.filter(delivered_at__isnull=False).order_by("-delivered_at")
    recent = DeliveryAttempt.objects.filter(delivery__outlet=OuterRef("pk"), started_at__gte=day_ago)
    fine = [DeliveryAttempt.Outcome.DELIVERED, DeliveryAttempt.Outcome.FOUND, ""]
    failures = recent.exclude(outcome__in=fine)
    waiting = mine.filter(state__in=[Delivery.State.QUEUED, Delivery.State.RETRYING])
    return Outlet.objects.annotate(
        last_success=Subquery(delivered.values("delivered_at")[:1]),
        failures_24h=_count(failures, "delivery__outlet"),
        waiting=_count(waiting, "outlet"),
    ).order_by("name")


def _count(rows, per):
    counted = rows.order_by().values(per).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


@login_required
def delivery_detail(request, pk):
    require_office(request.user)
    delivery = get_object_or_404(Delivery.objects.select_related("outlet", "article", "revision"), pk=pk)
    return render(
        request,
        "outlets/delivery_detail.html",
        {"delivery": delivery, "attempts": list(delivery.attempts_log.all())},
    )


@require_POST
@login_required
def delivery_action(request, pk, action):
    require_office(request.user)
    delivery = get_object_or_404(Delivery, pk=pk)
    handlers = {"retry": actions.retry, "cancel": actions.cancel, "resend": actions.resend_as_new}
    if action not in handlers:
        raise Http404
    try:
        result = handlers[action](delivery, by=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("outlets:delivery", pk=delivery.pk)
    messages.success(
        request,
        {
            "retry": _("The delivery will be retried now."),
            "cancel": _("The delivery was cancelled."),
            "resend": _("A new delivery was queued."),
        }[action],
    )
    return redirect("outlets:delivery", pk=result.pk)


@require_POST
@login_required
def outlet_resume(request, pk):
    require_office(request.user)
    outlet = get_object_or_404(Outlet, pk=pk)
    actions.resume_outlet(outlet, by=request.user)
    messages.success(
        request, _("“%(outlet)s” is active again; waiting deliveries go out now.") % {"outlet": outlet}
    )
    return redirect("outlets:deliveries")

"""The item ledger (报送台账): every item the units have submitted, filtered and sorted for the office.

Only submitted items are in it (a draft has not reached the office). The page never counts the rows
(publicity.paging); each filter has an index behind it (see Article.Meta.indexes), so the first page
of a filter comes from an index walk, not a scan of every item.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outlets.models import Adoption, Delivery
from submissions.models import Article

from .periods import aware_bounds

# sort key -> (label, the order it means); each sort ends with the item number so pages are stable
SORTS = {
    "number": (_("Item number"), ["id"]),
    "title": (_("Title"), ["title", "id"]),
    "unit": (_("Unit"), ["unit__order", "unit__name", "id"]),
    "author": (_("Author"), ["author__display_name", "author__username", "id"]),
    "category": (_("Category"), ["category__order", "category__name", "id"]),
    "event_date": (_("Event date"), ["event_date", "id"]),
    "submitted": (pgettext_lazy("date", "Submitted"), ["submitted_at", "id"]),
    "signed_off": (_("Signed off"), ["signed_off_at", "id"]),
    "status": (_("Status"), ["status", "id"]),
    "important": (_("Important"), ["important", "id"]),
}
DEFAULT_SORT = "-submitted"


def ledger_items(filters):
    """The submitted items matching the ledger form's cleaned data, in the chosen order."""
    items = Article.objects.filter(submitted_at__isnull=False)
    if unit := filters.get("unit"):  # its own items and those it co-contributed, as the figures count
        credits = Article.co_units.through.objects.filter(article=OuterRef("pk"), unit=unit)
        items = items.filter(Q(unit=unit) | Exists(credits))
    if unit_class := filters.get("unit_class"):
        items = items.filter(unit__unit_class=unit_class)
    items = _in_days(items, filters.get("date_from"), filters.get("date_to"))
    for name in ("status", "category"):
        if value := filters.get(name):
            items = items.filter(**{name: value})
    if filters.get("important"):
        items = items.filter(important=filters["important"] == "yes")
    if outlet := filters.get("outlet"):
        items = items.filter(
            Exists(Delivery.objects.filter(article=OuterRef("pk"), outlet=outlet))
            | Exists(Adoption.objects.filter(article=OuterRef("pk"), outlet=outlet))
        )
    if filters.get("adopted"):
        adopted = Exists(Adoption.objects.filter(article=OuterRef("pk")))
        items = items.filter(adopted if filters["adopted"] == "yes" else ~adopted)
    if q := (filters.get("q") or "").strip():
        items = items.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return items.order_by(*sort_order(filters.get("sort")))


def _in_days(items, first, last):
    """Submitted on a day from `first` to `last` (either may be open), in the office's time zone."""
    if first:
        items = items.filter(submitted_at__gte=aware_bounds(first)[0])
    if last:
        items = items.filter(submitted_at__lt=aware_bounds(last + timedelta(days=1))[0])
    return items


def sort_order(sort):
    sort = sort if (sort or "").removeprefix("-") in SORTS else DEFAULT_SORT
    key = sort.removeprefix("-")
    fields = SORTS[key][1]
    return [f"-{f}" for f in fields] if sort.startswith("-") else fields


def for_rows(items):
    """What each row shows, in a fixed number of queries whatever the number of rows."""
    return items.select_related("unit", "unit__unit_class", "author", "category").prefetch_related(
        Prefetch("adoptions", queryset=Adoption.objects.select_related("outlet").order_by("adopted_on")),
        Prefetch("deliveries", queryset=Delivery.objects.select_related("outlet").order_by("outlet__name")),
        "co_units",
    )
